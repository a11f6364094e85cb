"""Quotas as plan text: the declaration checked, formatted and evaluated; `policy quota` end to end."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main
from dsl import parse_policy
from dsl.ast import Quota
from dsl.formatter import format_policy
from engine import check_file, compile_plan
from tests.conftest import MINI, POLICIES, SHENYANG, SHENYANG_EXAMPLES

HEZE = POLICIES / "heze-2026.policy"
HEZE_EXAMPLES = POLICIES / "examples" / "heze"

QUOTA_MINI = MINI.replace('input applicant.category : 类别 as 申请类别', '''input applicant.category : 类别 as 申请类别
enum 区 { 东区 西区 }
input applicant.district : 区 as 所在区
input applicant.score : number as 评分
input applicant.label : text as 名称
input city.regions : map of { released: count, beds: number bed }''') + '''
article 三 "三、每年新增名额为释放量的50%。"

define 区统计 cites 三 = city.regions[所在区]

quota 名额 "年度名额" cites 三
  for 零售药店 per 所在区 unit institution
  # the article's 50%
  when 区统计.released > 0
    then floor(区统计.released × 50%) "释放量的50%"
  otherwise 0 "无释放量"

ranking 择优 cites 三
  by 评分
'''


def errors(path):
    return [d for d in check_file(path) if d.severity == "error"]


def test_the_mini_quota_plan_is_clean(write_policy):
    assert [d.headline() for d in check_file(write_policy(QUOTA_MINI)) if d.code != "W004"] == []  # W004: no source


@pytest.mark.parametrize("change, code, message", [
    (("quota 名额 \"年度名额\" cites 三\n", "quota 名额 \"年度名额\"\n"), "C070", "quota `名额` cites no article"),
    (("by 评分", "by 名称"), "C072", "a ranking orders by a number, not `text`"),
    (("then floor(区统计.released × 50%)", "then 区统计.beds"), "C074",
     "quota `名额` is in `institution`, but this number is in `bed`"),
    (("when 区统计.released > 0", "when 距离 > 0 m"), "C076", "quota `名额` reads `applicant.distance`, a fact of the applicant"),
    (("for 零售药店 per", "for 医院 per"), "C012", "`医院` is not a member of `类别`"),
    (("per 所在区 unit", "per 名称 unit"), "C069", "`名称` is not an input of an enum type"),
])
def test_check_catches_a_bad_quota(write_policy, change, code, message):
    found = errors(write_policy(QUOTA_MINI.replace(*change)))
    assert [(d.code, d.message.split(", so")[0]) for d in found][:1] == [(code, message)], [d.headline() for d in found]


def test_check_prints_a_quota_without_article_as_a_finding(write_policy):
    path = write_policy(QUOTA_MINI.replace('quota 名额 "年度名额" cites 三\n', 'quota 名额 "年度名额"\n'))
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert "error[C070]: quota `名额` cites no article" in result.output


def test_the_formatter_keeps_a_quota_and_its_comment(write_policy):
    text = QUOTA_MINI.replace("  when 区统计.released > 0\n    then", "  when 区统计.released > 0 then")
    formatted = format_policy(text, "q.policy")
    assert "  # the article's 50%\n  when 区统计.released > 0\n    then floor(区统计.released × 50%)" in formatted
    assert parse_policy(formatted) == parse_policy(text)
    assert format_policy(formatted, "q.policy") == formatted


# ---- the shipped plans' tables, checked against the context by independent arithmetic

def _table(plan, context):
    result = CliRunner().invoke(main, ["quota", "--plan", str(plan), "--context", str(context), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_shenyang_quotas_follow_three_one_and_three_two():
    city = json.loads((SHENYANG_EXAMPLES / "context-2026.json").read_text(encoding="utf-8"))["city"]
    fund = city["fund"]
    fundable = (fund["pooled_income"] * (1 - fund["surplus_rate"]) / fund["reimbursement_ratio"] * 1000
                / (city["cost_per_bed"] * city["insured_population"]))
    data = _table(SHENYANG, SHENYANG_EXAMPLES / "context-2026.json")
    assert data["plan"]["id"] == "shenyang-2025-draft"
    rows = {(r["region"], r["category"]): r for r in data["quotas"]}
    assert {r["region"] for r in data["quotas"]} == set(city["regions"])  # 主城区, 城郊区 and each 县市区
    for region, stats in city["regions"].items():
        per_thousand = stats["designated_beds"] * 1000 / stats["insured_population"]
        expected = (stats["beds_released"] // 2 if per_thousand > fundable
                    else int(fundable * stats["insured_population"] / 1000 - stats["designated_beds"]))
        row = rows[(region, "inpatient")]
        assert (row["quota"], row["unit"], row["rule"], row["article"]["id"]) == (expected, "bed", "住院新增医保床位", "三（一）")
        assert row["article"]["text"].startswith("（一）住院定点医疗机构配置")
        gap = stats["institution_agglomeration"] - stats["population_agglomeration"]
        share = 0.5 if gap > 0 else 1.0
        assert rows[(region, "outpatient_pooling")]["quota"] == int(stats["outpatient_released"] * share)
        for category in ("personal_account", "pharmacy"):
            assert (rows[(region, category)]["quota"], rows[(region, category)]["status"]) == (None, "none")
            assert rows[(region, category)]["article"]["id"] == "三（三）"
    main_city = rows[("医保主城区", "inpatient")]
    assert main_city["districts"] == ["和平区", "沈河区", "大东区", "铁西区", "皇姑区", "于洪区"]
    assert main_city["formula"] == "floor(区域统计.beds_released × 50%)"
    assert main_city["tried"][1]["holds"] is True and main_city["tried"][1]["uses"]["区域医保千人床位数"] == 9


def test_heze_county_split_by_bed_occupancy():
    city = json.loads((HEZE_EXAMPLES / "context-2026.json").read_text(encoding="utf-8"))["city"]
    data = _table(HEZE, HEZE_EXAMPLES / "context-2026.json")
    rows = {(r["region"], r["category"]): r for r in data["quotas"]}
    measured = rows[("曹县", "inpatient")]["uses"]["测算值"] if "测算值" in rows[("曹县", "inpatient")]["uses"] else \
        rows[("曹县", "inpatient")]["values"]["测算值"]
    total = int((measured - city["beds_per_thousand_actual"]) * city["insured_population"] / 1000)
    counties = ["曹县", "单县", "成武县", "巨野县", "郓城县", "鄄城县", "东明县"]
    weights = {c: city["regions"][c]["bed_occupancy"] for c in counties}
    for county in counties:
        row = rows[(county, "inpatient")]
        assert row["quota"] == int(total * weights[county] / sum(weights.values())), county
        assert row["split"]["total"] == total and row["split"]["weight"] == weights[county]
    for county in ("牡丹区", "定陶区", "鲁西新区"):  # case by case
        assert (rows[(county, "inpatient")]["quota"], rows[(county, "inpatient")]["status"]) == (None, "review")
    assert rows[("曹县", "pharmacy")]["status"] == "none" and rows[("曹县", "pharmacy")]["article"]["id"] == "二（二）"


def test_heze_below_both_pauses_every_county(tmp_path):
    context = json.loads((HEZE_EXAMPLES / "context-2026.json").read_text(encoding="utf-8"))
    context["city"]["beds_per_thousand_actual"] = 12.0
    context["city"]["fund"]["months_payable"] = 3
    context["city"]["fund"]["months_required"] = 3  # 测算值 about 4.07: below 7.5 and 12
    path = tmp_path / "city.json"
    path.write_text(json.dumps(context, ensure_ascii=False), encoding="utf-8")
    rows = _table(HEZE, path)["quotas"]
    inpatient = [r for r in rows if r["category"] == "inpatient"]
    assert {(r["quota"], r["reason"]) for r in inpatient} == {(0, "以优化存量为主，暂停全市当年度医疗机构新增医保定点的受理和评估")}


# ---- bad statistics

def _context(tmp_path, edit):
    context = json.loads((SHENYANG_EXAMPLES / "context-2026.json").read_text(encoding="utf-8"))
    edit(context["city"])
    path = tmp_path / "city.json"
    path.write_text(json.dumps(context, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_region_without_statistics_is_undetermined_and_named(tmp_path):
    path = _context(tmp_path, lambda city: city["regions"].pop("辽中区"))
    result = CliRunner().invoke(main, ["quota", "--plan", str(SHENYANG), "--context", str(path), "--format", "json"])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    row = next(r for r in data["quotas"] if r["region"] == "辽中区" and r["category"] == "inpatient")
    assert (row["quota"], row["status"], row["missing"]) == (None, "undetermined", ["city.regions.辽中区"])
    assert next(r for r in data["quotas"] if r["region"] == "新民市")["quota"] == 75  # the others are computed
    assert "lacks city.regions.辽中区" in result.stderr and "Traceback" not in result.output


def test_a_negative_quota_is_an_error_naming_the_figures(tmp_path):
    path = _context(tmp_path, lambda city: city["regions"]["新民市"].update(beds_released=-150))
    result = CliRunner().invoke(main, ["quota", "--plan", str(SHENYANG), "--context", str(path)])
    assert result.exit_code == 2
    assert ("error[E010]: quota `住院新增医保床位` of `新民市` is -75 bed: floor(区域统计.beds_released × 50%) with "
            "city.regions.新民市.beds_released = -150") in result.stderr
    assert "Traceback" not in result.output


def test_without_context_every_figure_is_undetermined():
    result = CliRunner().invoke(main, ["quota", "--plan", "shenyang-2025-draft"])
    assert result.exit_code == 2
    assert "no context (pass --context CITY.json)" in result.stderr


def test_quota_views_text_and_markdown():
    for fmt, marks in (("text", ["医保主城区 (和平区, 沈河区, 大东区, 铁西区, 皇姑区, 于洪区) · 住院: 600 bed",
                                 "= floor(区域统计.beds_released × 50%) = 600 [city.regions.医保主城区.beds_released = 1200]",
                                 "article 三（一）: “（一）住院定点医疗机构配置。"]),
                       ("md", ["## 住院新增医保床位", "| 医保主城区 | 和平区, 沈河区, 大东区, 铁西区, 皇姑区, 于洪区 | 住院 | 600 bed |"])):
        result = CliRunner().invoke(main, ["quota", "--plan", "shenyang-2025-draft", "--context",
                                           str(SHENYANG_EXAMPLES / "context-2026.json"), "--format", fmt])
        assert result.exit_code == 0, result.output
        for mark in marks:
            assert mark in result.output, mark


def test_quota_of_a_plan_without_quotas(write_policy):
    result = CliRunner().invoke(main, ["quota", "--plan", str(write_policy(MINI))])
    assert result.exit_code == 2 and "error[A020]: plan `mini` declares no quota" in result.output


def test_the_mini_plan_table(write_policy, tmp_path):
    plan = compile_plan(write_policy(QUOTA_MINI))
    from engine.allocation import quota_table

    table = quota_table(plan, {"city": {"regions": {"东区": {"released": 7, "beds": 1}, "西区": {"released": 0, "beds": 1}}}})
    assert [(r.region, r.value, r.reason) for r in table.rows] == [("东区", 3, "释放量的50%"), ("西区", 0, "无释放量")]


def test_a_split_of_nothing_is_an_error(tmp_path):
    context = json.loads((HEZE_EXAMPLES / "context-2026.json").read_text(encoding="utf-8"))
    for stats in context["city"]["regions"].values():
        stats["bed_occupancy"] = 0
    path = tmp_path / "city.json"
    path.write_text(json.dumps(context, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["quota", "--plan", str(HEZE), "--context", str(path)])
    assert result.exit_code == 2
    assert "error[E011]: quota `住院分县区配置床位` cannot be split: total 10768 bed by 本区域床位使用率, weights summing to 0" \
        in result.stderr


def test_allocate_stops_on_a_negative_quota_and_marks_a_region_without_statistics(tmp_path):
    from tests.test_allocate import ROUND

    bad = _context(tmp_path, lambda city: city["regions"]["康平县"].update(beds_released=-2))
    result = CliRunner().invoke(main, ["allocate", "--plan", str(SHENYANG), "--context", str(bad), str(ROUND)])
    assert result.exit_code == 2 and "error[E010]: quota `住院新增医保床位` of `康平县` is -1 bed" in result.stderr
    assert result.stdout == ""  # nothing half-allocated
    (tmp_path / "city.json").unlink()
    lacking = _context(tmp_path, lambda city: city["regions"].pop("康平县"))
    result = CliRunner().invoke(main, ["allocate", "--plan", str(SHENYANG), "--context", str(lacking), str(ROUND)])
    assert result.exit_code == 0
    records = {r["applicant"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert records["SY-R26-01"]["outcome"] == "undetermined" and "city.regions.康平县" in records["SY-R26-01"]["missing"]
    assert records["SY-R26-05"]["outcome"] == "admitted"  # 新民市 is allocated as before


def test_diff_prints_an_added_quota_as_policy_text(write_policy, tmp_path):
    old = write_policy(MINI, name="old.policy")
    new = write_policy(QUOTA_MINI, name="new.policy")
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--width", "400"])
    assert result.exit_code == 1
    text = ('quota 名额 "年度名额" cites 三 for 零售药店 per 所在区 unit institution when 区统计.released > 0 then '
            'floor(区统计.released × 50%) "释放量的50%" otherwise 0 "无释放量"')
    assert "{+" + text + "+}" in result.output
    assert parse_policy(text).items[0] == parse_policy(QUOTA_MINI).of_type(Quota)[0]  # the text reads back
