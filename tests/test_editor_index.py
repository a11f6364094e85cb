"""The editor's index of a plan: what each token names, on the shipped plans and on half-typed text."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from editor.describe import describe
from editor.index import ParseFailed, build_index

ROOT = Path(__file__).resolve().parent.parent
SHENYANG = ROOT / "policies" / "shenyang-2025-draft.policy"
HEZE = ROOT / "policies" / "heze-2026.policy"


def _at(index, text: str, needle: str, offset: int = 0):
    start = text.index(needle) + offset
    before = text[:start]
    line = before.count("\n") + 1
    return index.at(line, start - before.rfind("\n"))


def test_a_zones_name_a_zone_and_a_district():
    text = SHENYANG.read_text(encoding="utf-8")
    index = build_index(text, str(SHENYANG))
    call = _at(index, text, "else 医保区域(所在区县)", len("else "))
    assert call.key == ("enum", "医保区域")
    assert "zones of `区县`" in describe(index, call.key)
    zone = _at(index, text, "in 医保县市区 then", len("in "))
    assert zone.key[:2] == ("member", "医保区域") and not zone.declaration
    declared = index.symbols[zone.key]
    assert text.splitlines()[declared.span.line - 1].lstrip().startswith("医保县市区")
    district = index.references(("member", "区县", "和平区"))
    assert len(district) == 1 and district[0].declaration
    assert "in zone `医保主城区` of `医保区域`" in describe(index, ("member", "区县", "和平区"))


def test_every_declared_symbol_is_described():
    for plan in (SHENYANG, HEZE):
        index = build_index(plan.read_text(encoding="utf-8"), str(plan))
        assert index.diagnostics == () or all(d.severity == "warning" for d in index.diagnostics)
        for key in index.symbols:
            assert describe(index, key), key


@pytest.mark.parametrize("plan", [HEZE, SHENYANG], ids=lambda p: p.stem)
def test_every_state_of_a_text_being_typed_indexes_or_fails_to_parse(plan: Path):
    """As one types, the text passes through every prefix and every gap; none may crash the index."""
    text = plan.read_text(encoding="utf-8")
    step = max(1, len(text) // 40)
    states = [text[:i] for i in range(0, len(text), step)] + [text[:i] + text[i + 29:] for i in range(0, len(text), step)]
    indexed = 0
    for state in states:
        try:
            index = build_index(state, str(plan))
        except ParseFailed as failed:
            assert failed.diagnostics and failed.diagnostics[0].code.startswith("P")
            continue
        indexed += 1
        for occurrence in index.occurrences:
            describe(index, occurrence.key)
    assert indexed


def test_other_commands_do_not_import_the_language_server():
    probe = ("import sys; from cli import main; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'pygls', 'lsprotocol', 'pygments', 'editor', 'docsite'}))")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert shown.strip() == "[]"
