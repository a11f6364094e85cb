"""A registry row with several categories (issue 13): a pharmacy qualified for two services is
one institution, written `门慢药店;统筹药店` (or with `；`), counted by every question of either
category and once by a question of both; the plan's questions keep asking the spatial index."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main
from dsl.diagnostics import PolicyError
from dsl.spans import Source
from engine import compile_plan, evaluate
from engine.registry.load import Registry, load_registry, parse_registry
from engine.registry.vocabulary import registry_vocabulary
from tests.conftest import ROOT
from tests.test_fastpath import assert_same

NEWCITY = ROOT / "tests" / "fixtures" / "newcity"
QUESTIONS = NEWCITY / "registry-questions.policy"
SEVERAL = NEWCITY / "registry-several.csv"
HERE = {"lat": 36.0, "lon": 115.0}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _registry():
    plan = compile_plan(QUESTIONS)
    known, aliases = registry_vocabulary(plan)
    return plan, load_registry(SEVERAL, known, aliases)


def _facts(category="pharmacy", place=HERE):
    return {"applicant": {"id": "N", "category": category, "location": place}}


def test_a_row_names_several_categories_with_either_separator():
    _, registry = _registry()
    assert registry["M1"].categories == ("门慢药店", "双通道药店")
    assert registry["M2"].categories == ("零售药店", "门慢药店")  # the full-width `；`
    assert registry["P1"].categories == ("零售药店",)


def test_a_category_may_be_written_by_code_or_label_and_a_repeat_counts_once():
    plan = compile_plan(QUESTIONS)
    known, aliases = registry_vocabulary(plan)
    text = "id,name,category,lat,lon\nX,药店,pharmacy;chronic;零售药店,36.0,115.0\n"
    registry = parse_registry(Source("r.csv", text), known, aliases)
    assert registry["X"].categories == ("零售药店", "门慢药店")


def test_each_of_several_is_counted_by_the_questions_of_its_category():
    plan, registry = _registry()
    result = evaluate(plan, _facts("chronic"), registry=registry)
    values = dict(result.values)
    assert values["八百米内门慢药店数"] == 2  # M1 and M2, each of two categories
    assert values["门慢药店数"] == 2 and values["门慢药店占比"] == pytest.approx(2 / 4)
    assert result.outcome == "paused"  # 50% of all is above 30%


def test_an_institution_of_two_asked_categories_is_counted_once():
    _, registry = _registry()
    assert registry.count({"门慢药店", "双通道药店"}) == 3  # M1 is of both: M1, M2, D1
    assert registry.count({"零售药店", "门慢药店"}) == 3  # M2 is of both: P1, M1, M2
    hits = registry.within(36.0, 115.0, {"门慢药店", "双通道药店"}, 2000)
    assert sorted(h.institution.id for h in hits) == ["D1", "M1", "M2"]


def test_the_trace_shows_every_category_of_the_neighbour():
    from render import explanation_to_text
    plan, registry = _registry()
    result = evaluate(plan, _facts("pharmacy"), registry=registry)
    assert result.decided_by.name == "药店间距"  # M2, a 零售药店 too, at 444.8 m
    text = explanation_to_text(result, width=300)
    assert "M2 百姓药店 (零售药店;门慢药店) at 444.8 m" in text


def test_both_evaluators_agree_on_a_registry_of_several_categories():
    plan, registry = _registry()
    for category in ("pharmacy", "chronic"):
        for lat in (35.99, 36.0, 36.004, 36.02):
            assert_same(plan, _facts(category, {"lat": lat, "lon": 115.0}), registry=registry)


def test_its_own_entry_of_several_categories_is_not_its_neighbour():
    plan, registry = _registry()
    facts = {"applicant": {"id": "M2", "category": "pharmacy", "location": {"lat": 35.996, "lon": 115.0}}}
    result = evaluate(plan, facts, registry=registry)
    record = dict(result.step("最近同类药店距离").reads)["registry.nearest"]
    assert record["id"] == "P1" and record["self_excluded"] == "M2"


def test_the_trees_answer_as_the_scan_does(monkeypatch):
    import engine.registry.load as load
    plan, registry = _registry()
    scanned = [evaluate(plan, _facts(c), registry=registry).values for c in ("pharmacy", "chronic")]
    monkeypatch.setattr(load, "SCAN_BUDGET", 0)  # every question to the k-d trees
    _, trees = _registry()

    def no_scan(self):
        raise AssertionError("the registry was scanned row by row")

    monkeypatch.setattr(Registry, "__iter__", no_scan)
    assert [evaluate(plan, _facts(c), registry=trees).values for c in ("pharmacy", "chronic")] == scanned
    assert trees._indexes  # the trees were built and asked


@pytest.mark.parametrize("field, code, column", [
    ("门慢药店;零售药房", "R011", 11),  # the second category, pointed at where it stands
    ("门慢药店;", "R010", 11),
    ("；门慢药店", "R010", 6),
])
def test_a_bad_category_among_several_is_pointed_at(field, code, column):
    plan = compile_plan(QUESTIONS)
    known, aliases = registry_vocabulary(plan)
    text = f"id,name,category,lat,lon\nX,药店,{field},36.0,115.0\n"
    with pytest.raises(PolicyError) as caught:
        parse_registry(Source("r.csv", text), known, aliases)
    first = caught.value.diagnostics[0]
    assert first.code == code and (first.span.line, first.span.column) == (2, column)
    if code == "R011":
        assert "零售药店" in first.help  # did you mean


def test_a_registry_of_several_categories_runs_in_batch(tmp_path):
    population = tmp_path / "many.jsonl"
    population.write_text("\n".join(json.dumps(_facts(c, {"lat": lat, "lon": 115.0}), ensure_ascii=False)
                                    for c, lat in (("pharmacy", 36.0), ("pharmacy", 36.03), ("chronic", 36.0))) + "\n",
                          encoding="utf-8")
    result = run("eval", "--plan", QUESTIONS, "--registry", SEVERAL, population)
    assert result.exit_code == 0, result.output
    outcomes = [json.loads(line)["outcome"] for line in result.output.splitlines() if line.startswith("{")]
    assert outcomes == ["spacing_conflict", "eligible", "paused"]
