"""Spacing against the registry of designated institutions: `registry`, `nearest`,
`count_within` and `first_known` in the language, the trace naming the neighbour, and
`--registry` / `"registry"` at the command line.

Distances are checked against a haversine written here, independently of engine/registry/spatial.py.
"""
from __future__ import annotations

import copy
import csv
import json
import math
import textwrap

import pytest
from click.testing import CliRunner

from cli import main
from engine import check_file, compile_plan, evaluate
from engine.facts.case import Workspace
from engine.values.numbers import NONE_NEAR
from render import explanation_to_json, explanation_to_markdown, explanation_to_text
from tests.conftest import POLICIES

SHENYANG_DIR = POLICIES / "examples" / "shenyang"
HEZE_DIR = POLICIES / "examples" / "heze"
SHENYANG_PHARMACY = SHENYANG_DIR / "11-pharmacy-registry-spacing-conflict.json"
HEZE_PHARMACY = HEZE_DIR / "13-pharmacy-relocation-registry.json"


def metres(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance on a sphere of the mean Earth radius, by the haversine formula."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def by_distance(registry_csv, lat, lon, categories):
    """Every row of those categories, nearest first: (metres, row)."""
    with open(registry_csv, encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["category"] in categories]
    return sorted((metres(lat, lon, float(r["lat"]), float(r["lon"])), r) for r in rows)


def explain_case(path, **registry):
    case = Workspace(**registry).open_case_file(str(path))
    return evaluate(case.plan, case.facts, registry=case.registry)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# ---- the shipped examples ------------------------------------------------------------------------


def test_the_shenyang_pharmacy_conflicts_with_its_nearest_pharmacy():
    facts = json.loads(SHENYANG_PHARMACY.read_text(encoding="utf-8"))
    place = facts["applicant"]["location"]
    ranked = by_distance(SHENYANG_DIR / "registry.csv", place["lat"], place["lon"], {"零售药店"})
    distance, nearest = ranked[0]
    assert distance <= 800  # the example is a conflict by construction

    result = explain_case(SHENYANG_PHARMACY)
    assert (result.outcome, result.decided_by.name) == ("spacing_conflict", "服务半径800米")
    record = dict(result.decided_by.reads)["registry.nearest"]
    assert record == {"id": nearest["id"], "name": nearest["name"], "category": "零售药店",
                      "distance_m": round(distance, 1), "radius_m": 800, "within_radius": True}
    assert dict(result.values)["最近同类型距离"] == pytest.approx(distance, abs=1e-6)
    # A clinic stands nearer than the pharmacy, but it is not of the pharmacy's type.
    everything = by_distance(SHENYANG_DIR / "registry.csv", place["lat"], place["lon"],
                             {"住院", "门诊统筹", "门诊慢特病", "个人账户", "零售药店", "口腔门诊"})
    assert everything[0][1]["category"] != "零售药店"

    text = explanation_to_text(result, width=200)
    assert f"read registry.nearest = {nearest['id']} {nearest['name']} (零售药店) at {round(distance, 1)} m, within 800 m" in text
    assert "“聚焦全方位构建“15分钟服务圈”" in text  # the article, quoted in the decisive step


def test_the_heze_pharmacy_relocating_is_not_its_own_neighbour():
    facts = json.loads(HEZE_PHARMACY.read_text(encoding="utf-8"))
    applicant = facts["applicant"]
    place = applicant["location"]
    ranked = by_distance(HEZE_DIR / "registry.csv", place["lat"], place["lon"], {"零售药店"})
    assert ranked[0][1]["id"] == applicant["id"] and ranked[0][0] <= 800  # its own old address is nearest
    distance, nearest = ranked[1]
    assert distance > 800

    result = explain_case(HEZE_PHARMACY)
    assert (result.outcome, result.decided_by.name) == ("eligible", "门诊与药店")
    spacing = result.step("服务半径800米")
    assert spacing.status == "not_applicable"
    record = dict(spacing.reads)["registry.nearest"]
    assert record == {"id": nearest["id"], "name": nearest["name"], "category": "零售药店",
                      "distance_m": round(distance, 1), "self_excluded": applicant["id"],
                      "radius_m": 800, "within_radius": False}
    text = explanation_to_text(result, width=200)
    assert (f"none within 800 m; the nearest is {nearest['id']} {nearest['name']} (零售药店) at {round(distance, 1)} m "
            f"(the applicant's own entry {applicant['id']} is not counted)") in text


def test_under_another_id_its_old_entry_is_a_neighbour(tmp_path):
    facts = json.loads(HEZE_PHARMACY.read_text(encoding="utf-8"))
    facts["applicant"]["id"] = "HZ-2026-0999"
    facts["registry"] = str(HEZE_DIR / "registry.csv")
    facts["context"] = str(HEZE_DIR / "context-2026.json")
    path = tmp_path / "new-pharmacy.json"
    path.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    result = explain_case(path)
    assert result.outcome == "spacing_conflict"
    assert dict(result.decided_by.reads)["registry.nearest"]["id"] == "HZ-2024-0107"


def test_first_known_prefers_the_distance_the_facts_file_gives(tmp_path):
    facts = json.loads(SHENYANG_PHARMACY.read_text(encoding="utf-8"))
    facts["applicant"]["nearest_same_category_m"] = 1500
    facts["registry"] = str(SHENYANG_DIR / "registry.csv")
    facts["context"] = str(SHENYANG_DIR / "context-2026.json")
    path = tmp_path / "given.json"
    path.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    result = explain_case(path)
    assert result.outcome == "eligible"
    step = result.step("最近同类型距离")
    assert (step.value, step.reads) == (1500, (("applicant.nearest_same_category_m", 1500),))  # the registry is not asked


def test_without_a_registry_the_outcome_is_undetermined_and_says_how_to_give_one():
    plan, facts = Workspace().case_from_file(str(SHENYANG_PHARMACY))
    result = evaluate(plan, facts)  # no registry
    assert result.outcome == "undetermined"
    assert result.missing == ("applicant.nearest_same_category_m", "registry")
    assert "registry: no registry was given: pass --registry FILE.csv" in explanation_to_text(result, width=200)
    # The case document asks for the registry in the handler's words: no command-line advice in a case file.
    document = explanation_to_markdown(result, case=type("Case", (), {"plan": plan, "facts": facts, "registry": None}))
    unknown = document.split("## What is not known", 1)[1].split("## ", 1)[0]
    assert "--registry" not in unknown and "定点医药机构名录" in unknown  # (a plan's own reading may name it)
    assert explanation_to_json(result)["missing"] == ["applicant.nearest_same_category_m", "registry"]


def test_the_registry_option_overrides_the_facts_file(tmp_path):
    far = tmp_path / "far.csv"
    far.write_text("id,name,category,lat,lon\nX1,远处药店,零售药店,41.90,123.60\n", encoding="utf-8")
    result = run("explain", SHENYANG_PHARMACY, "--registry", far, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["outcome"] == "eligible"
    spacing = next(s for s in data["trace"] if s["rule"] == "服务半径800米")
    assert spacing["reads"]["registry.nearest"]["id"] == "X1"
    assert spacing["reads"]["registry.nearest"]["within_radius"] is False


def test_shipped_plans_keep_checking_clean():
    for plan in ("shenyang-2025-draft.policy", "heze-2026.policy"):
        assert [d.headline() for d in check_file(POLICIES / plan)] == []


def test_the_graph_shows_the_facts_a_registry_query_reads():
    result = run("graph", "shenyang-2025-draft")
    assert result.exit_code == 0, result.output
    assert '"input:applicant.id" -> "define:最近同类型距离"' in result.output
    assert '"input:applicant.location" -> "define:最近同类型距离"' in result.output


# ---- a small plan, for the corners -----------------------------------------------------------------

MINI = """\
plan "mini-registry"
  title "小规划"
  version "1"

article 一 "一、新增机构800米内不得有同类机构。"

enum 类别 { pharmacy "零售药店" clinic "诊所" hospital "医院" }
input applicant.category : 类别 as 申请类别
input applicant.location : { lat: number deg, lon: number deg }
input applicant.distance : metres as 给定距离
input applicant.remote   : bool as 偏远

registry 名录 "定点名录" cites 一 {
  same_type pharmacy: 零售药店, "双通道药店（DTP）"
  same_type clinic:   诊所
}

define 最近距离 cites 一 = first_known(给定距离, nearest(名录))
define 半径内数 cites 一 = count_within(名录, if 偏远 then 500 m else 800 m)

rule 半径 : spacing cites 一
  when 最近距离 <= 800 m
  then spacing_conflict

rule 无邻 : admission cites 一
  when 半径内数 = 0
  then eligible

decision 决定 {
  precedence 半径 > 无邻
  otherwise needs_review "无条款"
}
"""

HERE = (41.8000, 123.4000)
ROWS = [  # (id, category, metres north, metres east) of the applicant at HERE
    ("SELF", "零售药店", 0, 50),
    ("P1", "零售药店", 300, 400),
    ("P2", "双通道药店（DTP）", -450, 0),
    ("P3", "零售药店", 900, 900),
    ("C1", "诊所", 10, 10),
    ("H1", "医院", 20, 0),
]


def _offset(north, east):
    lat = HERE[0] + north / 111_195.0
    lon = HERE[1] + east / (111_195.0 * math.cos(math.radians(HERE[0])))
    return round(lat, 6), round(lon, 6)


@pytest.fixture
def mini(write_policy, tmp_path):
    plan = compile_plan(write_policy(MINI))
    lines = ["id,name,category,lat,lon"]
    places = {}
    for id_, category, north, east in ROWS:
        places[id_] = _offset(north, east)
        lines.append(f'{id_},机构{id_},"{category}",{places[id_][0]},{places[id_][1]}')
    path = tmp_path / "registry.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    registry = Workspace().registry(str(path), plan)
    return plan, registry, places


def facts(category="pharmacy", id_="SELF", at=HERE, **applicant):
    return {"applicant": {"id": id_, "category": category, "location": {"lat": at[0], "lon": at[1]}, **applicant}}


def ranked(places, at, ids):
    return sorted((metres(*at, *places[i]), i) for i in ids)


def test_nearest_counts_every_registry_category_of_the_type_and_excludes_the_applicant(mini):
    plan, registry, places = mini
    result = evaluate(plan, facts(remote=False), registry=registry)
    (distance, nearest), *_ = ranked(places, HERE, ("P1", "P2", "P3"))
    assert nearest == "P2"  # a 双通道药店 counts as a pharmacy's type too
    assert dict(result.values)["最近距离"] == pytest.approx(distance, abs=1e-6)
    record = dict(result.step("最近距离").reads)["registry.nearest"]
    assert record == {"id": "P2", "name": "机构P2", "category": "双通道药店（DTP）", "distance_m": round(distance, 1),
                      "self_excluded": "SELF"}  # SELF (50 m), C1 (14 m) and H1 (20 m) are not counted
    assert result.outcome == "spacing_conflict"
    assert dict(result.decided_by.reads)["registry.nearest"]["within_radius"] is True


def test_count_within_records_the_radius_the_count_and_the_ids(mini):
    plan, registry, places = mini
    result = evaluate(plan, facts(remote=False, distance=1000), registry=registry)
    within = [(d, i) for d, i in ranked(places, HERE, ("P1", "P2", "P3")) if d <= 800]
    step = result.step("半径内数")
    assert step.value == len(within) == 2
    record = dict(step.reads)["registry.within"]
    assert record["radius_m"] == 800 and record["count"] == 2 and record["ids"] == [i for _, i in within]
    assert record["nearest"]["id"] == within[0][1]
    assert result.outcome == "needs_review"  # the given 1000 m is no conflict; two lie within 800 m: 无邻 fails

    remote = evaluate(plan, facts(remote=True, distance=1000), registry=registry)  # the radius is an expression
    record = dict(remote.step("半径内数").reads)["registry.within"]
    assert record["radius_m"] == 500 and record["ids"] == [i for d, i in within if d <= 500]


def test_none_within_the_radius_says_so_and_gives_the_nearest(mini):
    plan, registry, places = mini
    north = _offset(2000, 0)
    (distance, nearest), *_ = ranked(places, north, ("P1", "P2", "P3", "SELF"))
    assert distance > 800
    result = evaluate(plan, facts(id_="P9", at=north, remote=False), registry=registry)
    assert result.outcome == "eligible"
    record = dict(result.step("半径内数").reads)["registry.within"]
    assert record == {"radius_m": 800, "count": 0, "ids": [], "nearest": {
        "id": nearest, "name": f"机构{nearest}", "category": "零售药店", "distance_m": round(distance, 1)}}
    spacing = dict(result.step("半径").reads)["registry.nearest"]
    assert (spacing["within_radius"], spacing["radius_m"]) == (False, 800)
    text = explanation_to_text(result, 200)
    assert f"none within 800 m; the nearest is {nearest} 机构{nearest} (零售药店) at {round(distance, 1)} m" in text

    alone = evaluate(plan, facts("clinic", id_="C1", remote=True, distance=1000), registry=registry)
    record = dict(alone.step("半径内数").reads)["registry.within"]  # C1 itself: its own entry is not counted
    assert record == {"radius_m": 500, "count": 0, "ids": [], "nearest": {
        "note": "no 诊所 institution in the registry other than the applicant itself"}}
    assert "none within 500 m; no 诊所 institution" in explanation_to_text(alone, 200)


def test_an_unmapped_category_has_no_same_type_institution_and_the_trace_says_so(mini):
    plan, registry, _ = mini
    result = evaluate(plan, facts("hospital", id_="H9", remote=False), registry=registry)
    assert dict(result.values)["最近距离"] is NONE_NEAR  # no neighbour at any distance: the radius rule does not apply
    assert result.step("半径").status == "not_applicable"
    note = dict(result.step("最近距离").reads)["registry.nearest"]["note"]
    assert note == "医院 (hospital) has no same_type line in registry 名录, so no institution counts as its type"
    assert result.outcome == "eligible" and result.step("半径内数").value == 0
    # neither null (that reads as a missing fact) nor a float infinity (JSON has none)
    assert explanation_to_json(result)["values"]["最近距离"] == "none"
    assert "最近距离 = none (no institution of the type)" in explanation_to_text(result, 200)


def test_missing_facts_and_a_missing_registry_are_named_together(mini):
    plan, _, _ = mini
    result = evaluate(plan, {"applicant": {"category": "pharmacy"}})
    assert result.outcome == "undetermined"
    assert result.missing == ("applicant.distance", "applicant.location", "applicant.remote", "registry")


def test_a_location_out_of_range_is_bad_input(mini):
    plan, registry, _ = mini
    from dsl.diagnostics import PolicyError

    with pytest.raises(PolicyError) as raised:
        evaluate(plan, {"applicant": {"category": "pharmacy", "location": {"lat": 123.4, "lon": 41.8}}}, registry=registry)
    diagnostic = raised.value.diagnostics[0]
    assert diagnostic.code == "E003" and diagnostic.path == "applicant.location.lat"
    assert diagnostic.text().startswith("applicant.location.lat: `123.4`")
    assert "swap" in diagnostic.help


# ---- checker errors -------------------------------------------------------------------------------


def only_error(path):
    found = [d for d in check_file(path) if d.severity == "error"]
    assert len(found) == 1, [d.headline() for d in found]
    return found[0]


@pytest.mark.parametrize(
    "old, new, code, message, help_part",
    [
        ("input applicant.category : 类别 as 申请类别\n", "", "C061",
         "a registry needs the applicant's category, declared as an enum", "input applicant.category : <enum>"),
        ("input applicant.location : { lat: number deg, lon: number deg }\n",
         "input applicant.location : { lat: number deg }\n", "C062", "a registry needs the applicant's location",
         "lon: number deg"),
        ("same_type clinic:", "same_type clinik:", "C012", "`clinik` is not a member of `类别`", "did you mean `clinic`?"),
        ("same_type clinic:   诊所", "same_type pharmacy:   诊所", "C063", "`same_type pharmacy` is given twice",
         "one line"),
        ("same_type clinic:   诊所", "same_type clinic:   诊所, 诊所", "C065", "`诊所` is listed twice in `same_type clinic`",
         None),
        ("nearest(名录)", "nearest(目录)", "C066", "`目录` is not a registry", "did you mean `名录`?"),
        ("nearest(名录)", "nearest(名录, 800 m)", "C023", "`nearest` takes a registry", "nearest(定点医药机构)"),
        ("if 偏远 then 500 m else 800 m", "800", "C067", "a radius is in metres, not `number`", "800 m"),
        ("first_known(给定距离, nearest(名录))", "first_known(给定距离, 偏远)", "C068",
         "`first_known` takes values of one type, not `number m` and `bool`", None),
        ("first_known(给定距离, nearest(名录))", "first_known(给定距离)", "C083", "`first_known` takes two or more values",
         None),
        ("same_type clinic:   诊所\n}", "same_type clinic:   诊所\n}\nregistry 名录二 { same_type clinic: 诊所 }", "C060",
         "a plan declares one registry", None),
        ("registry 名录 \"定点名录\" cites 一 {", "registry 名录 \"定点名录\" cites 一 {\n  categories 零售药店, 诊所",
         "C064", "`双通道药店（DTP）` is not one of the registry's `categories`", "add it"),
        ("registry 名录 \"定点名录\" cites 一 {", "registry 名录 \"定点名录\" cites 九 {", "C040",
         "article `九` is cited but not declared", None),
    ],
)
def test_checker_errors_for_the_registry_syntax(write_policy, old, new, code, message, help_part):
    assert old in MINI
    diagnostic = only_error(write_policy(MINI.replace(old, new, 1)))
    assert (diagnostic.code, diagnostic.message) == (code, message)
    if help_part:
        assert help_part in diagnostic.help
    assert diagnostic.span.line > 0


def test_a_registry_nobody_asks_is_a_warning(write_policy):
    text = MINI.replace("define 最近距离 cites 一 = first_known(给定距离, nearest(名录))", "define 最近距离 cites 一 = 给定距离")
    text = text.replace("define 半径内数 cites 一 = count_within(名录, if 偏远 then 500 m else 800 m)",
                        "define 半径内数 cites 一 = 0")
    warnings = [d for d in check_file(write_policy(text)) if d.code == "W005"]
    assert [d.message for d in warnings] == ["registry `名录` is asked by no definition or rule"]


def test_a_registry_block_with_a_syntax_error_points_at_it(write_policy):
    path = write_policy(MINI.replace("same_type clinic:   诊所", "same_type clinic   诊所"))
    diagnostic = only_error(path)
    assert diagnostic.code == "P002" and diagnostic.span.line == MINI.splitlines().index("  same_type clinic:   诊所") + 1


# ---- bad registries at the command line ---------------------------------------------------------------


def test_a_bad_registry_row_exits_2_with_file_line_col(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,category,lat,lon\nP1,甲药店,零售药店,41.79,123.40\nP2,乙药店,零售药店,123.40,41.79\n",
                   encoding="utf-8")
    result = run("explain", SHENYANG_PHARMACY, "--registry", bad)
    assert result.exit_code == 2
    assert f"{bad}:3:" in result.output and "error[R014]" in result.output and "swap" in result.output
    assert "Traceback" not in result.output


def test_a_closed_list_of_categories_refuses_a_misspelt_one(tmp_path):
    bad = tmp_path / "typo.csv"
    bad.write_text("id,name,category,lat,lon\nP1,甲药店,零售药房,41.79,123.40\n", encoding="utf-8")
    result = run("explain", SHENYANG_PHARMACY, "--registry", bad)
    assert result.exit_code == 2
    assert f"{bad}:2:" in result.output and "unknown category `零售药房`" in result.output
    assert "did you mean `零售药店`?" in result.output
    # 菏泽 declares no `categories` line: its closed list is the names its plan uses, so the
    # typo is refused there too rather than silently counting as no type (issue 9).
    heze = run("explain", HEZE_PHARMACY, "--registry", bad)
    assert heze.exit_code == 2 and "unknown category `零售药房`" in heze.output
    assert "did you mean `零售药店`?" in heze.output


def test_a_missing_registry_file_exits_2(tmp_path):
    result = run("explain", SHENYANG_PHARMACY, "--registry", tmp_path / "nowhere.csv")
    assert result.exit_code == 2 and "error[R001]" in result.output and "Traceback" not in result.output


def test_a_registry_that_is_not_a_file_name_is_bad_facts(tmp_path):
    facts = json.loads(SHENYANG_PHARMACY.read_text(encoding="utf-8"))
    facts["registry"] = 7
    facts["context"] = str(SHENYANG_DIR / "context-2026.json")
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts, ensure_ascii=False, indent=2), encoding="utf-8")
    result = run("explain", path)
    assert result.exit_code == 2 and "registry: expected a CSV file name in quotes" in result.output


def test_batch_decides_every_line_against_the_registry(tmp_path):
    base = json.loads(SHENYANG_PHARMACY.read_text(encoding="utf-8"))
    base.pop("registry")
    base["context"] = str(SHENYANG_DIR / "context-2026.json")
    far = copy.deepcopy(base)
    far["applicant"]["id"], far["applicant"]["location"] = "SY-FAR", {"lat": 41.90, "lon": 123.60}
    lines = tmp_path / "applicants.jsonl"
    lines.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (base, far)) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("eval", lines, "--registry", SHENYANG_DIR / "registry.csv", "-o", out)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["outcome"] for r in records] == ["spacing_conflict", "eligible"]


def test_batch_with_a_bad_registry_fails_once_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,category,lat,lon\nP1,甲药店,零售药店,north,123.40\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("eval", "--plan", "shenyang-2025-draft", SHENYANG_PHARMACY, "--registry", bad, "-o", out)
    assert result.exit_code == 2 and f"{bad}:2:" in result.output and not out.exists()


def test_doc_example_of_the_registry_block_parses():
    """docs/grammar.md shows this block; it must stay valid syntax."""
    from dsl import parse_policy

    parse_policy(textwrap.dedent("""\
        registry 定点医药机构 "定点医药机构名录" cites 三 {
          categories 住院, 零售药店, "双通道药店（DTP）"
          same_type inpatient: 住院
          same_type pharmacy:  零售药店, "双通道药店（DTP）"
        }
        """))
