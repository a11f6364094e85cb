"""`policy explain --what-if`: every counterfactual on every shipped example is checked against
the engine's own decision of the changed facts, and the facts still needed come in order."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from engine.facts.validate import merge_context
from engine.solver.whatif import split_path, apply_change
from tests.conftest import POLICIES

EXAMPLES = sorted((POLICIES / "examples").glob("*/[0-9]*.json"))


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def what_if(path) -> dict:
    result = run("explain", path, "--what-if", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def changed_file(tmp_path: Path, example: Path, fact: str, value) -> Path:
    """The example with one fact changed, its context merged in, its registry path kept."""
    raw = json.loads(example.read_text(encoding="utf-8"))
    context = json.loads((example.parent / raw.pop("context")).read_text(encoding="utf-8")) if "context" in raw else None
    facts = merge_context(raw, context)
    if "registry" in facts:
        facts["registry"] = str(example.parent / facts["registry"])
    facts = apply_change(facts, split_path(fact), value)
    facts.pop("expect", None)
    out = tmp_path / f"{example.stem}-changed.json"
    out.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    return out


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_counterfactual_flips_the_engines_own_decision(tmp_path, example):
    data = what_if(example)
    before = data["outcome"]
    for target in data["what_if"]["targets"]:
        for change in target["changes"]:
            if change["kind"] != "fact" or change["example"] is None:
                continue
            assert change["confirmed"] is True, change
            got = json.loads(run("explain", changed_file(tmp_path, example, change["what"], change["example"]),
                                 "--format", "json").output)
            assert got["outcome"] == change["outcome"], (target["rule"], change)
            if target["role"] == "decisive":
                assert got["outcome"] != before
            else:
                assert got["decided_by"]["rule"] == target["rule"]
            # A strict bound is exact: the bound itself does not flip the outcome.
            if change["strict"] and isinstance(change["bound"], (int, float)) and "/" not in change["exact"]:
                at = json.loads(run("explain", changed_file(tmp_path, example, change["what"], change["bound"]),
                                    "--format", "json").output)
                if target["role"] == "decisive":
                    assert at["outcome"] == before, change
                else:
                    assert (at["decided_by"] or {}).get("rule") != target["rule"], change
            # A bound that includes itself is tight: one whole unit short of it, the outcome holds.
            if change["relation"] in (">=", "<=") and isinstance(change["bound"], int) \
                    and isinstance(change["current"], (int, float)):
                short = change["bound"] - 1 if change["relation"] == ">=" else change["bound"] + 1
                if min(change["current"], change["bound"]) < short < max(change["current"], change["bound"]):
                    at = json.loads(run("explain", changed_file(tmp_path, example, change["what"], short),
                                        "--format", "json").output)
                    if target["role"] == "decisive":
                        assert at["outcome"] == before, (change, short)
                    else:
                        assert (at["decided_by"] or {}).get("rule") != target["rule"], (change, short)


def test_spacing_counterfactual_states_the_exact_strict_bound():
    data = what_if(POLICIES / "examples" / "shenyang" / "07-pharmacy-spacing-conflict.json")
    (target,) = [t for t in data["what_if"]["targets"] if t["role"] == "decisive"]
    change = next(c for c in target["changes"] if c["what"] == "applicant.nearest_same_category_m")
    assert (change["relation"], change["bound"], change["strict"], change["example"]) == (">", 800, True, 800.1)
    assert change["outcome"] == "eligible"


def test_heze_formula_counterfactual_names_the_definition_and_the_facts():
    data = what_if(POLICIES / "examples" / "heze" / "03-inpatient-paused-below-both.json")
    target = next(t for t in data["what_if"]["targets"] if t["rule"] == "分县区配置")
    by = {c["what"]: c for c in target["changes"]}
    assert by["测算值"]["relation"] == ">" and by["测算值"]["bound"] == pytest.approx(8.2)
    assert by["city.fund.months_payable"]["relation"] == ">"
    assert "city.discharges.local_in_local" in target["cannot_change_it"]


def test_count_counterfactual_is_a_whole_number():
    """测算值 would have to exceed 8.2, i.e. 本地参保人在本地出院人次 at least N."""
    data = what_if(POLICIES / "examples" / "heze" / "04-inpatient-between-no-article.json")
    target = next(t for t in data["what_if"]["targets"] if t["rule"] == "分县区配置")
    by = {c["what"]: c for c in target["changes"]}
    assert by["测算值"]["relation"] == ">" and by["测算值"]["exact"] == "8.2"
    local = by["city.discharges.local_in_local"]
    assert local["relation"] == ">=" and isinstance(local["bound"], int) and local["example"] == local["bound"]
    assert local["label"] == "本地参保人在本地出院人次"


def test_date_counterfactual():
    data = what_if(POLICIES / "examples" / "heze" / "08-licensed-before-pause-exempt.json")
    (target,) = [t for t in data["what_if"]["targets"] if t["role"] == "decisive"]
    change = next(c for c in target["changes"] if c["what"] == "applicant.licensed_on")
    assert (change["relation"], change["bound"]) == (">=", "2025-03-01")


def test_still_needed_orders_the_deciding_fact_first():
    data = what_if(POLICIES / "examples" / "shenyang" / "09-undetermined-missing.json")
    needed = data["what_if"]["still_needed"]
    assert [n["fact"] for n in needed][0] == "applicant.conditions.safety_facilities"
    assert needed[0]["effect"] == "can settle" and "excluded" in needed[0]["outcomes"]
    data = what_if(POLICIES / "examples" / "heze" / "11-pharmacy-undetermined.json")
    (first, *_) = data["what_if"]["still_needed"]
    assert first["effect"] == "settles" and set(first["outcomes"]) == {"eligible", "spacing_conflict"}
    assert first["by_value"] == ["<= 800: spacing_conflict", "> 800: eligible"]


@pytest.mark.parametrize("value, outcome", [(800, "spacing_conflict"), (800.1, "eligible")])
def test_still_needed_pieces_are_the_engines(tmp_path, value, outcome):
    example = POLICIES / "examples" / "heze" / "11-pharmacy-undetermined.json"
    got = json.loads(run("explain", changed_file(tmp_path, example, "applicant.nearest_same_category_m", value),
                         "--format", "json").output)
    assert got["outcome"] == outcome


@pytest.mark.parametrize("fmt, shown", [
    ("text", "more than 800 (strict), e.g. 800.1 -> eligible"),
    # the case document's section (render/case_whatif.py): labels and units, tests/test_case_document.py
    ("md", "more than 800 m (not 800 m itself), for example 800.1 m; the outcome would then be may be admitted"),
])
def test_what_if_in_text_and_markdown(fmt, shown):
    result = run("explain", POLICIES / "examples" / "shenyang" / "07-pharmacy-spacing-conflict.json", "--what-if",
                 "--format", fmt)
    assert result.exit_code == 0
    assert shown in result.output


def test_plain_explain_does_not_load_the_solver():
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; from cli import main; "
            f"CliRunner().invoke(main, ['explain', {str(EXAMPLES[0])!r}]); print('z3' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
