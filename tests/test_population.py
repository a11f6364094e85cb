"""Aggregates over a population and 沈阳 三（七） as the decision 年度考核, run in two passes."""
from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from dsl.spans import Source
from engine import compile_plan, evaluate
from engine.batch.population import line_values
from engine.run.aggregates import POPULATION_KEY, Accumulator
from engine.facts.case import Workspace
from engine.compile.checker import check_policy
from engine.facts.validate import validate_facts
from dsl.parser import parse_policy
from tests.conftest import SHENYANG, SHENYANG_EXAMPLES
from tests.test_fastpath import Subject, assert_same

POPULATION = SHENYANG_EXAMPLES / "review" / "institutions-2026.jsonl"


@pytest.fixture(scope="module")
def shenyang():
    plan = compile_plan(SHENYANG)
    return Subject((plan, Workspace().model(plan)))


def institution(i, score, inpatient=False, rectify=False):
    return {"institution": {"id": f"I{i}", "inpatient_qualified": inpatient,
                            "flags": {"public_community_health_center": rectify, "integrated_village_clinic": False,
                                      "university_embedded": False, "elderly_care_embedded": False}},
            "review": {"year": 2026, "score": score}}


def stats_for(plan, facts_list):
    population = plan.populations["参评机构"]
    accumulator = Accumulator(population)
    for facts in facts_list:
        accumulator.add(line_values(plan, population, facts))
    return accumulator.stats()


def decided(shenyang, lines):
    plan, model = shenyang
    facts_list = [validate_facts(plan, line, Source("<t>", ""), model) for line in lines]
    stats = stats_for(plan, facts_list)
    for facts in facts_list:
        facts[POPULATION_KEY] = stats
    return plan, facts_list, stats


def test_rank_percentile_count_and_share_with_ties(shenyang):
    plan, facts_list, stats = decided(shenyang, [institution(i, s) for i, s in enumerate([90, 80, 80, 55, 70])])
    ranks = [stats.value("考核排名", f["review"]["score"]) for f in facts_list]
    assert ranks == [1, 2, 2, 5, 4]  # equal scores share a rank; 1 is the highest
    assert [stats.value("考核评分百分位", f["review"]["score"]) for f in facts_list] == [1.0, 0.8, 0.8, 0.2, 0.4]
    assert stats.value("参评机构数") == 5 and stats.value("六十分以下占比") == 0.2


def test_sum_is_compensated():
    text = SHENYANG.read_text(encoding="utf-8").replace(
        "  六十分以下占比", "  总分 = sum(考核评分)\n  六十分以下占比", 1)
    plan, _ = check_policy(parse_policy(text, str(SHENYANG)), text, str(SHENYANG))
    accumulator = Accumulator(plan.populations["参评机构"])
    scores = [0.1] * 10 + [1e16, 1.0, -1e16]
    for score in scores:
        accumulator.add({"参评机构数": True, "考核排名": score, "考核评分百分位": score, "六十分以下占比": False,
                         "总分": score, "最早考核年度": 2026, "最晚考核年度": 2026})
    assert accumulator.stats().value("总分") == math.fsum(scores)


def bottom_oracle(scores):
    """三（七） written by hand: at most floor(5% of N) by rank (ties at the cut-off all out), or under 60."""
    places = math.floor(len(scores) * 0.05)
    return [sum(1 for t in scores if t <= s) <= places or s < 60 for s in scores]


kinds = st.sampled_from(["plain", "inpatient", "rectify"])
populations = st.lists(st.tuples(st.one_of(st.integers(40, 100), st.sampled_from([59, 60, 60.5, 75.25])), kinds),
                       min_size=1, max_size=45)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=populations)
def test_generated_populations_agree_with_the_reference_and_the_article(shenyang, rows):
    lines = [institution(i, score, kind == "inpatient", kind == "rectify") for i, (score, kind) in enumerate(rows)]
    plan, facts_list, stats = decided(shenyang, lines)
    punished = bottom_oracle([score for score, _ in rows])
    for facts, (score, kind), bad in zip(facts_list, rows, punished):
        assert_same(plan, facts, "年度考核")
        outcome = evaluate(plan, facts, "年度考核").outcome
        expected = "pass" if not bad else {"rectify": "rectification", "inpatient": "sanction", "plain": "termination"}[kind]
        assert outcome == expected


def run_eval(*args):
    return CliRunner().invoke(main, ["eval", *map(str, args)])


def test_eval_streams_both_passes_with_rank_population_and_why(tmp_path):
    out = tmp_path / "out.jsonl"
    result = run_eval("--decision", "年度考核", POPULATION, "-o", out)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = [json.loads(line)["expect"] for line in POPULATION.read_text(encoding="utf-8").splitlines()]
    assert [r["outcome"] for r in records] == [e["outcome"] for e in expected]
    assert [r["rank"] for r in records] == [e["rank"] for e in expected]
    assert {r["population"] for r in records} == {len(records)}
    last = records[-1]
    assert last["values"]["末位名额"] == 2 and last["why"].startswith(f"rank {last['rank']} of {len(records)}; ")
    assert {r["outcome"] for r in records} == {"pass", "rectification", "sanction", "termination"}


def test_a_line_without_a_score_stops_the_run_before_anything_is_written(tmp_path):
    lines = POPULATION.read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[6])
    del broken["review"]["score"]
    lines[6] = json.dumps(broken, ensure_ascii=False)
    lines[9] = "{not json"
    path = tmp_path / "pop.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run_eval("--decision", "年度考核", path, "-o", out)
    assert result.exit_code == 2
    assert f"{path}:7:1:1: error[F010]: review.score: this line has no value for `考核排名`" in result.output
    assert f"{path}:10:" in result.output and "F011" in result.output and "2 line(s)" in result.output
    assert not out.exists() and "Traceback" not in result.output


def test_a_population_needs_a_file_it_can_read_twice():
    result = CliRunner().invoke(main, ["eval", "--plan", "shenyang-2025-draft", "--decision", "年度考核", "-"],
                                input=POPULATION.read_text(encoding="utf-8"))
    assert result.exit_code == 2 and "A012" in result.output


def test_policy_test_checks_each_line_of_a_population(tmp_path):
    result = CliRunner().invoke(main, ["test", str(POPULATION)])
    assert result.exit_code == 0, result.output
    lines = POPULATION.read_text(encoding="utf-8").splitlines()
    line = json.loads(lines[0])
    line["expect"]["rank"] = 2
    lines[0] = json.dumps(line, ensure_ascii=False)
    path = tmp_path / "pop.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["test", str(path)])
    assert result.exit_code == 1 and f"FAIL  {path}:1" in result.output and "rank: expected 2, got 1" in result.output


BASE = SHENYANG.read_text(encoding="utf-8")


def errors_of(text):
    _, diagnostics = check_policy(parse_policy(text, str(SHENYANG)), text, str(SHENYANG))
    return [(d.code, d.message) for d in diagnostics if d.severity == "error"]


@pytest.mark.parametrize("old, new, code, message", [
    ("  when 申请类别 in {个人账户, 零售药店}", "  when 申请类别 in {个人账户, 零售药店} and 参评机构数 > 0", "C090",
     "rule `个人账户与零售药店` reads aggregate `参评机构数` of population `参评机构`, but decision `准入` is not over a population"),
    ("= percentile(考核评分)", "= percentile(考核排名)", "C091", "aggregate `考核评分百分位` uses aggregate `考核排名`"),
    ("  over 参评机构", "  over 参评机", "C092", "unknown population `参评机`"),
    ("= share(考核评分 < 60 分)", "= median(考核评分)", "C093", "unknown aggregate `median`"),
    ("= share(考核评分 < 60 分)", "= share(考核评分)", "C015", "expected a condition (bool), found `number 分`"),
    ("  then pass \"不在末位5%", "  then passed \"不在末位5%", "C097", "`passed` is not an outcome of decision `年度考核`"),
    ("rule 个人账户与零售药店 : admission", "rule 个人账户与零售药店 : status", "C039",
     "status rule `个人账户与零售药店` stands in decision `准入`, which declares no `outcomes`"),
    ("rule 考核通过 : status", "rule 考核通过 : admission", "C096",
     "decision `年度考核` has its own outcomes; a rule of kind `admission` cannot stand in it"),
])
def test_the_checker_knows_populations_and_outcomes(old, new, code, message):
    assert old in BASE
    found = errors_of(BASE.replace(old, new, 1))
    assert (code, message) in found, found


def test_diff_shows_an_aggregate_and_a_rounding_that_changed(tmp_path):
    from engine.diff.structural import diff_plans

    revised = BASE.replace("floor(参评机构数 × 5%)", "floor(参评机构数 × 10%)").replace(
        "= share(考核评分 < 60 分)", "= share(考核评分 < 50 分)")
    changes = diff_plans(parse_policy(BASE, "old"), parse_policy(revised, "new")).changes
    details = {(c.new_name, d.path, d.old_text, d.new_text) for c in changes for d in getattr(c, "details", ())
               if hasattr(d, "old_text")}
    assert ("末位名额", "formula", "5%", "10%") in details
    assert ("参评机构", "aggregate 六十分以下占比", "60 分", "50 分") in details


def test_schema_and_graph_know_the_population(shenyang):
    from engine.compile.graph import to_dot
    from engine.facts.schema import facts_schema

    plan, _ = shenyang
    schema = facts_schema(plan)
    review = schema["x-decisions"]["年度考核"]
    assert review["population"]["each_line_needs"] == ["review.score", "review.year"]
    assert {"pass", "rectification", "sanction", "termination"} <= set(review["outcomes"])
    assert "年度考核" in schema["properties"]["decision"]["enum"]
    assert schema["properties"]["review"]["properties"]["score"]["x-unit"] == "分"
    dot = to_dot(plan)
    assert '"aggregate:考核排名" -> "define:末位位次";' in dot and '"input:review.score" -> "aggregate:考核排名";' in dot


def test_a_population_of_several_years_goes_to_a_handler(shenyang):
    lines = [institution(i, 50 + i) for i in range(25)]
    lines[3]["review"]["year"] = 2025
    plan, facts_list, _ = decided(shenyang, lines)
    results = [evaluate(plan, facts, "年度考核") for facts in facts_list]
    assert {r.outcome for r in results} == {"needs_review"}
    assert {r.decided_by.name for r in results} == {"考核年度不一"}
    assert_same(plan, facts_list[0], "年度考核")
