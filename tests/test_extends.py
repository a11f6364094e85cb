"""A city plan that builds on a provincial guidance (`extends`, issue 13 item 8): the city sees
the guidance's items as its own, each plan's quotes are checked against its own document, a
parent's rule keeps its file in diagnostics and traces, and a changed guidance is a changed plan
(cache key, stamp, decision record)."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from cli import main
from engine import check_file, compile_plan, evaluate
from engine.compile.coverage import coverage
from engine.facts.plancache import plan_key
from tests.conftest import ROOT
from tests.test_fastpath import assert_same

FIXTURE = ROOT / "tests" / "fixtures" / "extends"


@pytest.fixture
def copy(tmp_path):
    """The fixture folder copied, so a test may edit the guidance or the city."""
    shutil.copytree(FIXTURE, tmp_path / "plans")
    return tmp_path / "plans"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def errors(path):
    return [d for d in check_file(path) if d.severity == "error"]


def facts(**applicant):
    return {"city": {"deficit": False},
            "applicant": {"id": "P-1", "category": "pharmacy", "area": 60, "distance": 720, **applicant}}


def test_the_city_plan_checks_clean_and_both_files_are_formatted():
    assert not errors(FIXTURE / "city.policy")
    assert run("fmt", "--check", FIXTURE / "city.policy", FIXTURE / "guidance.policy").exit_code == 0


@pytest.mark.parametrize("change, outcome, rule", [
    ({}, "eligible", "药店准入"),
    ({"area": 30}, "excluded", "面积不足"),  # the guidance's definition, read by the city's rule
    ({"distance": 300}, "spacing_conflict", "药店间距"),
])
def test_a_facts_file_is_decided_through_both_plans(change, outcome, rule):
    plan = compile_plan(FIXTURE / "city.policy")
    result = evaluate(plan, facts(**change))
    assert (result.outcome, result.decided_by.name) == (outcome, rule)
    assert_same(plan, facts(**change))  # the fast path agrees, trace and all


def test_the_guidances_rule_decides_and_its_trace_names_the_guidances_file_and_article(tmp_path):
    (tmp_path / "facts.json").write_text(json.dumps({**facts(), "city": {"deficit": True}}), encoding="utf-8")
    result = run("explain", "--plan", FIXTURE / "city.policy", tmp_path / "facts.json", "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["outcome"] == "paused" and out["decided_by"]["rule"] == "基金赤字暂停"
    steps = {step["rule"]: step for step in out["trace"]}
    pause = steps["基金赤字暂停"]
    assert pause["file"] == "guidance.policy" and pause["article"]["id"] == "省一"
    assert pause["article"]["text"] == "一、基金出现赤字的统筹地区，暂停新增定点医药机构。"
    assert "file" not in steps["药店间距"]  # the city's own rule: the plan's file, said once by the plan
    assert out["plan"]["extends"]["id"] == "province-guidance"


def test_each_plans_quotes_are_checked_against_its_own_document(copy):
    guidance = copy / "guidance.policy"
    # a guidance article quoted from the city's document: wrong document, so C053 at the guidance
    guidance.write_text(guidance.read_text(encoding="utf-8").replace(
        "三、各市可结合实际制定本地规划。", "二、本规划依据省指导意见制定，由市医疗保障局组织实施。"), encoding="utf-8")
    found = errors(copy / "city.policy")
    assert [(d.code, d.span.source.path) for d in found] == [("C053", str(guidance))]


def test_coverage_lists_each_document_with_its_own_articles():
    rows = coverage(compile_plan(FIXTURE / "city.policy"))
    assert [r.id for r in rows] == ["一", "二", "省一", "省二", "省三"]
    assert all(r.status != "missing" for r in rows)
    cited = {r.id: r.rules for r in rows}
    assert "面积达标" in cited["省二"] and "面积不足" in cited["省二"]


def test_a_name_declared_by_both_plans_is_an_error_naming_both_places(copy):
    city = copy / "city.policy"
    city.write_text(city.read_text(encoding="utf-8") + "\ndefine 面积达标 = true\n", encoding="utf-8")
    (found,) = errors(city)
    assert found.code == "C127" and found.span.source.path == str(city)
    assert [label.span.source.path for label in found.labels] == [str(copy / "guidance.policy")]
    assert "面积达标" in found.message


def test_article_ids_clash_without_cite_as(copy):
    city = copy / "city.policy"
    city.write_text(city.read_text(encoding="utf-8").replace('  cite_as "省"\n', ""), encoding="utf-8")
    codes = {d.code for d in errors(city)}
    assert codes == {"C127"}  # 一 and 二 are numbered by both documents


def test_a_plan_extending_itself_or_a_plan_that_extends_it_is_a_cycle(copy):
    city, guidance = copy / "city.policy", copy / "guidance.policy"
    text = city.read_text(encoding="utf-8")
    city.write_text(text.replace('extends "guidance.policy"', 'extends "city.policy"'), encoding="utf-8")
    assert [d.code for d in errors(city)] == ["C128"]
    city.write_text(text, encoding="utf-8")
    guidance.write_text(guidance.read_text(encoding="utf-8").replace(
        '  source  "sources/province.txt"\n', '  source  "sources/province.txt"\n  extends "city.policy"\n'),
        encoding="utf-8")
    assert [d.code for d in errors(city)] == ["C128"]


def test_a_chain_of_two_extends_is_an_error(copy):
    guidance = copy / "guidance.policy"
    shutil.copy(guidance, copy / "national.policy")
    guidance.write_text(guidance.read_text(encoding="utf-8").replace(
        '  source  "sources/province.txt"\n', '  source  "sources/province.txt"\n  extends "national.policy"\n'),
        encoding="utf-8")
    result = run("check", copy / "city.policy")
    assert result.exit_code == 1 and "error[C129]" in result.output and "Traceback" not in result.output


def test_a_missing_parent_is_one_diagnostic_at_the_header(copy):
    city = copy / "city.policy"
    city.write_text(city.read_text(encoding="utf-8").replace('"guidance.policy"', '"nosuch.policy"'), encoding="utf-8")
    result = run("explain", "--plan", city, copy / "facts.json")
    assert result.exit_code == 2 and "error[C131]" in result.output and "Traceback" not in result.output


def test_a_changed_guidance_changes_the_cache_key_and_the_stamp(copy):
    city, guidance = copy / "city.policy", copy / "guidance.policy"
    key, stamp = plan_key(city), compile_plan(city).stamp
    guidance.write_text(guidance.read_text(encoding="utf-8").replace("40平方米\"", "40平方米（省）\""),
                        encoding="utf-8")
    assert plan_key(city) != key
    assert compile_plan(city).stamp.extends.sha256 != stamp.extends.sha256
    assert compile_plan(city).stamp.sha256 == stamp.sha256  # the city's own text is unchanged
    key = plan_key(city)
    document = copy / "sources" / "province.txt"
    document.write_text(document.read_text(encoding="utf-8") + "\n附：说明。\n", encoding="utf-8")
    assert plan_key(city) != key  # the guidance's source document is part of the key too


def test_a_record_made_under_the_city_plan_fails_verify_when_the_guidance_changes(copy):
    record = copy / "record.json"
    made = run("explain", "--plan", copy / "city.policy", copy / "facts.json", "--record", record)
    assert made.exit_code == 0, made.output
    assert run("verify", record).exit_code == 0
    guidance = copy / "guidance.policy"
    guidance.write_text(guidance.read_text(encoding="utf-8").replace("暂停新增定点\"", "暂停新增定点医药机构\""),
                        encoding="utf-8")
    result = run("verify", record)
    assert result.exit_code == 1 and "extended plan" in result.output and "guidance.policy" in result.output


def test_diff_compares_the_resolved_plans(copy):
    old = copy / "city.policy"
    new = copy / "city-2.policy"
    shutil.copy(old, new)
    guidance2 = copy / "guidance-2.policy"
    guidance2.write_text((copy / "guidance.policy").read_text(encoding="utf-8").replace("40 m2", "50 m2"),
                         encoding="utf-8")
    new.write_text(new.read_text(encoding="utf-8").replace('"guidance.policy"', '"guidance-2.policy"'),
                   encoding="utf-8")
    result = run("diff", old, new)
    assert result.exit_code == 1, result.output
    assert "面积达标" in result.output  # the guidance's definition changed: the city's plan decides differently


def test_schema_of_the_city_plan_asks_for_the_guidances_inputs():
    result = run("schema", FIXTURE / "city.policy")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    applicant = schema["properties"]["applicant"]["properties"]
    assert {"area", "category", "distance"} <= set(applicant)


def test_the_editor_checks_the_city_plan_with_the_guidance():
    from editor.index import build_index

    path = FIXTURE / "city.policy"
    index = build_index(path.read_text(encoding="utf-8"), str(path))
    assert [d.code for d in index.diagnostics if d.severity == "error"] == []
    broken = build_index(path.read_text(encoding="utf-8").replace('"guidance.policy"', '"nosuch.policy"'), str(path))
    assert "C131" in {d.code for d in broken.diagnostics}
