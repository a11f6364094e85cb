"""Each pass of the checker alone, from fixture pairs under tests/cases/<pass>/.

`NAME.policy` is checked by the passes up to and including <pass> (engine/compile/checker.py,
PASSES), and `NAME.expected` lists every diagnostic they give, one a line, in the order
`policy check` prints them: `CODE line:col message`. An empty `.expected` says the passes
find nothing. A new pair in any of the folders is a new test; a folder names a pass.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from dsl import parse_policy
from dsl.diagnostics import sort_diagnostics

from engine.compile import ir
from engine.compile.checker import PASS_NAMES, check
from engine.compile.cycles import uses_of
from tests.conftest import ROOT

CASES = Path(__file__).parent / "cases"
POLICIES = sorted(CASES.glob("*/*.policy"))


def given(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    ctx = check(parse_policy(text, str(path)), text, path.parent, until=path.parent.name)
    return [f"{d.code} {d.span.line}:{d.span.column} {d.message}" for d in sort_diagnostics(ctx.diagnostics)]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_passes_up_to_one_give_its_expected_diagnostics(policy: Path):
    assert policy.parent.name in PASS_NAMES, f"{policy.parent.name}/ names no pass; the passes: {PASS_NAMES}"
    expected = policy.with_suffix(".expected")
    assert expected.is_file(), f"write {expected.name}: the diagnostics, `CODE line:col message` a line"
    assert given(policy) == [line for line in expected.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_pass_has_cases_and_every_case_a_policy():
    assert sorted({p.parent.name for p in POLICIES}) == sorted(PASS_NAMES)
    orphans = [p for p in CASES.glob("*/*.expected") if not p.with_suffix(".policy").is_file()]
    assert orphans == []


def test_check_stops_after_the_pass_it_is_asked_for():
    text = (CASES / "declarations" / "names_twice.policy").read_text(encoding="utf-8")
    tree = parse_policy(text, "names_twice.policy")
    assert check(tree, text, None, until="declarations").defines == {}  # resolving is a later pass
    assert set(check(tree, text, None).defines) == {"合计"}
    with pytest.raises(ValueError, match="unknown pass `declaration`"):
        check(tree, text, None, until="declaration")


@pytest.mark.parametrize("policy", sorted(p for folder in ("policies", "tests/fixtures", "tests/cases")
                                           for p in (ROOT / folder).rglob("*.policy")), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_cycle_search_finds_every_use_the_resolver_follows(policy: Path):
    # Were one missed, a cycle through it would send the resolver round for ever.
    text = policy.read_text(encoding="utf-8")
    ctx = check(parse_policy(text, str(policy)), text, policy.parent)
    typed = {**{n: d.node for n, d in ctx.defines.items()}, **{n: a.node for n, a in ctx.aggregates.items()}}
    for name, node in typed.items():
        followed = {(sub.name, sub.span) for sub in ir.walk(node) if isinstance(sub, (ir.DefRef, ir.AggRef))}
        assert followed <= set(uses_of(ctx, name)), name
