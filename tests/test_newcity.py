"""What a new city's plan needs from the language (issue 13), one construct at a time, each on
its own small plan in tests/fixtures/newcity/: checked, decided by both evaluators, laid out,
diffed and covered as the shipped plans are."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main
from dsl import parse_file, parse_policy
from dsl.formatter import format_policy
from engine import check_file, compile_plan, diff_plans
from engine.compile.coverage import coverage
from tests.conftest import ROOT
from tests.test_fastpath import assert_same

NEWCITY = ROOT / "tests" / "fixtures" / "newcity"
SETS = NEWCITY / "named-sets.policy"


def run(*args, input_json=None):
    stdin = json.dumps(input_json, ensure_ascii=False) if input_json is not None else None
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin)


def errors(path):
    return [d for d in check_file(path) if d.severity == "error"]


# ---- named sets of enum values ---------------------------------------------------------------


def test_the_named_sets_plan_is_clean_and_formatted():
    assert not errors(SETS)
    assert run("fmt", "--check", SETS).exit_code == 0


@pytest.mark.parametrize("category, outcome", [
    ("门诊部", "exempt"), ("个体诊所", "exempt"), ("医院", "excluded"), ("零售药店", "needs_review"),
])
def test_a_named_set_decides_as_the_written_set_would(category, outcome):
    plan = compile_plan(SETS)
    facts = {"applicant": {"category": category, "beds": 3}}
    assert_same(plan, facts)  # the reference evaluator and the fast path agree, trace and all
    from engine import evaluate
    assert evaluate(plan, facts).outcome == outcome


def test_a_named_set_and_the_written_set_are_the_same_test(write_policy):
    written = SETS.read_text(encoding="utf-8").replace("in 门诊类", "in {门诊部, 个体诊所}")
    a, b = compile_plan(SETS), compile_plan(copy_of(write_policy, written, "written.policy"))
    from engine import evaluate
    for category in ("门诊部", "个体诊所", "医院", "零售药店"):
        facts = {"applicant": {"category": category, "beds": 30}}
        assert evaluate(a, facts).outcome == evaluate(b, facts).outcome


def test_a_set_is_listed_among_its_articles_citers():
    rows = {row.id: row for row in coverage(compile_plan(SETS))}
    assert "set 门诊类" in rows["一"].rules


def _with(text: str) -> str:
    return SETS.read_text(encoding="utf-8") + "\n" + text + "\n"


def copy_of(write_policy, text: str, name: str):
    """The plan text written beside a copy of its source document."""
    source = (NEWCITY / "sources" / "named-sets.txt").read_text(encoding="utf-8")
    return write_policy(text.replace("sources/named-sets.txt", "sources/doc.txt"), source=source, name=name)


@pytest.mark.parametrize("extra, code, needle", [
    ("set 乙类 of 类别 = {门诊部}", "C120", "`类别` is neither an enum nor the registry"),
    ("set 乙类 of 机构类别 = {门诊部, 门诊部}", "C121", "`门诊部` is listed twice in set `乙类`"),
    ("set 乙类 of 机构类别 = {门诊所}", "C012", "`门诊所` is not a member of `机构类别`"),
    ("set 门诊类 of 机构类别 = {门诊部}", "C001", "`门诊类` is declared twice"),
    ("enum 区 { 甲区 }\ninput applicant.area : 区 as 所在区\ndefine 在 = 所在区 in 门诊类",
     "C122", "`门诊类` is a set of `机构类别`, not of `区`"),
])
def test_a_bad_set_is_refused_with_its_code(write_policy, extra, code, needle):
    found = errors(copy_of(write_policy, _with(extra), "bad.policy"))
    assert [d.code for d in found] == [code], [d.headline() for d in found]
    assert needle in found[0].message


def test_a_zones_over_a_declared_enum_points_at_set(write_policy):
    found = errors(copy_of(write_policy, _with("zones 门诊分组 of 机构类别 { 门诊: 门诊部, 个体诊所 }"), "z.policy"))
    assert any(d.code == "C001" and "set NAME of ENUM" in (d.help or "") for d in found)


def test_a_long_set_is_laid_out_over_lines_and_reads_back_the_same():
    members = ", ".join(f"成员{i:02d}" for i in range(40))
    enum = "enum 长 {\n" + "\n".join(f"  成员{i:02d}" for i in range(40)) + "\n}\n"
    text = _with(enum + f"set 很长的集合 of 长 = {{{members}}}")
    out = format_policy(text, "long.policy")
    assert parse_policy(out, "long.policy") == parse_policy(text, "long.policy")
    lines = [line for line in out.splitlines() if "成员" in line and not line.startswith("  成员")]
    assert len(lines) > 1 and all(len(line) < 200 for line in lines)


def test_a_changed_set_is_a_diff_of_the_set(tmp_path):
    changed = tmp_path / "changed.policy"
    changed.write_text(SETS.read_text(encoding="utf-8").replace("{门诊部, 个体诊所}", "{门诊部}"), encoding="utf-8")
    changes = diff_plans(parse_file(SETS), parse_file(changed)).changes
    assert [(type(c).__name__, c.what, c.old_name) for c in changes] == [("Changed", "set", "门诊类")]
    result = run("diff", SETS, changed)
    assert "门诊类" in result.output and "个体诊所" in result.output


def test_explain_on_the_command_line_names_the_set_rule(tmp_path):
    facts = tmp_path / "f.json"
    facts.write_text(json.dumps({"applicant": {"category": "个体诊所", "beds": 1}}), encoding="utf-8")
    result = run("explain", "--plan", SETS, facts)
    assert result.exit_code == 0, result.output
    assert "OUTCOME exempt" in result.output and "门诊类不受床位限制" in result.output


# ---- registry questions about named categories --------------------------------------------------

QUESTIONS = NEWCITY / "registry-questions.policy"
REGISTRY_CSV = NEWCITY / "registry.csv"
PHARMACY = NEWCITY / "pharmacy-two-chronic.json"


def _metres(lat1, lon1, lat2, lon2) -> float:
    """Haversine on the mean Earth radius, written here independently of engine/registry/spatial.py."""
    import math
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def _rows(categories):
    import csv
    with open(REGISTRY_CSV, encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["category"] in categories]
    return sorted((_metres(36.0, 115.0, float(r["lat"]), float(r["lon"])), r["id"]) for r in rows)


def _case(facts: dict | None = None):
    from engine.facts.case import Workspace
    case = Workspace(plan_ref=str(QUESTIONS)).open_case_file(str(PHARMACY))
    return case.plan, (facts or case.facts), case.registry


def test_the_registry_questions_plan_is_clean_and_formatted():
    assert not errors(QUESTIONS)
    assert run("fmt", "--check", QUESTIONS).exit_code == 0


def test_a_count_of_a_named_category_counts_only_it_whatever_the_applicants_type():
    from engine import evaluate
    plan, facts, registry = _case()
    result = evaluate(plan, facts, registry=registry)
    within_800 = [i for d, i in _rows({"门慢药店"}) if d <= 800]
    assert result.outcome == "spacing_conflict" and result.decided_by.name == "门慢药店已满"
    record = json.loads(run("explain", "--plan", QUESTIONS, "--format", "json", PHARMACY).output)
    assert record["values"]["八百米内门慢药店数"] == len(within_800) == 2
    text = run("explain", "--plan", QUESTIONS, PHARMACY).output
    # the trace names what was counted, and the same-type question keeps its own answer beside it
    assert f"read registry.within(门慢药店) = 2 within 800 m ({', '.join(within_800)})" in text
    nearest_same = _rows({"零售药店"})[0]
    assert f"none within 500 m; the nearest is {nearest_same[1]} " in text
    nearest_set = _rows({"门慢药店", "双通道药店"})[0]
    assert f"read registry.nearest(慢病药店) = {nearest_set[1]} " in text
    assert f"at {round(nearest_set[0], 1)} m" in text


def test_the_named_questions_agree_on_both_evaluators():
    plan, facts, registry = _case()
    assert_same(plan, facts, registry=registry)
    for lat in (35.99, 36.0, 36.004, 36.02):
        moved = {**facts, "applicant": {**facts["applicant"], "location": {"lat": lat, "lon": 115.0}}}
        assert_same(plan, moved, registry=registry)


def test_the_named_questions_ask_the_spatial_index_not_a_scan(monkeypatch):
    from engine import evaluate
    from engine.registry.load import Registry
    plan, facts, registry = _case()

    def no_scan(self):
        raise AssertionError("the registry was scanned row by row")

    monkeypatch.setattr(Registry, "__iter__", no_scan)
    assert evaluate(plan, facts, registry=registry).outcome == "spacing_conflict"


def test_the_named_questions_run_in_batch(tmp_path):
    lines = []
    for number, lat in enumerate((36.0, 36.02)):
        lines.append(json.dumps({"applicant": {"id": f"N{number}", "category": "零售药店",
                                               "location": {"lat": lat, "lon": 115.0}}}, ensure_ascii=False))
    population = tmp_path / "many.jsonl"
    population.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("eval", "--plan", QUESTIONS, "--registry", REGISTRY_CSV, population)
    assert result.exit_code == 0, result.output
    outcomes = [json.loads(line)["outcome"] for line in result.output.splitlines() if line.startswith("{")]
    assert outcomes == ["spacing_conflict", "eligible"]


@pytest.mark.parametrize("define, code", [
    ("count_within(定点药店, 800 m, 门慢药房)", "C123"),
    ("nearest(定点药店, 慢病药房)", "C123"),
    ("nearest(定点药店, 800 m)", "C023"),
    ("count_within(定点药店, 800 m, 门慢药店, 零售药店)", "C023"),
])
def test_a_question_of_an_unknown_category_is_refused(tmp_path, define, code):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "registry-questions.txt").write_text(
        (NEWCITY / "sources" / "registry-questions.txt").read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "bad.policy"
    path.write_text(QUESTIONS.read_text(encoding="utf-8") + f"\ndefine 错 = {define}\n", encoding="utf-8")
    assert [d.code for d in errors(path)] == [code]


def test_a_registry_set_of_an_unknown_category_is_refused(tmp_path):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "registry-questions.txt").write_text(
        (NEWCITY / "sources" / "registry-questions.txt").read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "bad.policy"
    path.write_text(QUESTIONS.read_text(encoding="utf-8") + "\nset 错 of 定点药店 = {门慢药房}\n", encoding="utf-8")
    found = errors(path)
    assert [d.code for d in found] == ["C123"] and "门慢药店" in (found[0].help or "")


# ---- registry-wide counts and shares -------------------------------------------------------------


def _chronic(facts):
    return {**facts, "applicant": {**facts["applicant"], "category": "chronic"}}


def test_a_share_of_the_whole_registry_is_counted_and_named():
    from engine import evaluate
    plan, facts, registry = _case()
    chronic = len(_rows({"门慢药店"}))
    everyone = len(_rows({"零售药店", "门慢药店", "双通道药店"}))
    result = evaluate(plan, _chronic(facts), registry=registry)
    assert result.outcome == "paused"
    assert dict(result.terms)["现有门慢药店"] == chronic
    raw = json.loads(PHARMACY.read_text(encoding="utf-8"))  # the input as a file holds it: parsed facts hold Fractions
    text = run("explain", "--plan", QUESTIONS, "--registry", REGISTRY_CSV, "-", input_json=_chronic(raw)).output
    share = chronic * 100 / everyone
    assert f"read registry.share(门慢药店) = {chronic} 门慢药店 of {everyone} institutions in the registry ({share:g}%)" in text


def test_registry_wide_questions_agree_on_both_evaluators_and_read_no_place():
    plan, facts, registry = _case()
    assert_same(plan, _chronic(facts), registry=registry)
    reads = {path for path, _ in next(s for s in _steps(plan, _chronic(facts), registry) if s.name == "门慢药店占比").reads}
    assert reads == {"registry.share(门慢药店)"}


def _steps(plan, facts, registry):
    from engine import evaluate
    return evaluate(plan, facts, registry=registry).steps


def test_a_share_of_an_empty_denominator_is_refused(tmp_path):
    from engine import evaluate
    from engine.registry.load import load_registry
    plan, facts, _ = _case()
    lonely = tmp_path / "r.csv"
    lonely.write_text("id,name,category,lat,lon\n", encoding="utf-8")
    from dsl.diagnostics import PolicyError
    with pytest.raises(PolicyError) as caught:
        evaluate(plan, _chronic(facts), registry=load_registry(lonely))
    assert caught.value.diagnostics[0].code == "R020"


@pytest.mark.parametrize("define, code", [
    ("share(定点药店)", "C124"),
    ("count_all(定点药店, 门慢药店, 零售药店)", "C124"),
    ("count_all(定点药店, 门慢药房)", "C123"),
    ("share(药店, 门慢药店)", "C066"),
])
def test_a_bad_registry_wide_question_is_refused(tmp_path, define, code):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "registry-questions.txt").write_text(
        (NEWCITY / "sources" / "registry-questions.txt").read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "bad.policy"
    path.write_text(QUESTIONS.read_text(encoding="utf-8") + f"\ndefine 错 = {define}\n", encoding="utf-8")
    assert [d.code for d in errors(path)] == [code]


# ---- a radius from a definition -------------------------------------------------------------------

RADIUS = NEWCITY / "radius-from-definition.policy"


def _radius_case(centre: bool, plan_path=RADIUS):
    from engine import compile_plan as compile_
    from engine.registry.load import load_registry
    plan = compile_(plan_path)
    registry = load_registry(REGISTRY_CSV, categories=plan.registry.categories)
    facts = {"applicant": {"id": "N", "category": "pharmacy", "commercial_centre": centre,
                           "location": {"lat": 36.0, "lon": 115.0}}}
    return plan, facts, registry


def _text(plan, facts, registry) -> str:
    from engine import evaluate
    from render import explanation_to_text
    return explanation_to_text(evaluate(plan, facts, registry=registry), width=300)


@pytest.mark.parametrize("centre, outcome, radius, said", [
    (True, "eligible", 500, "none within 500 m (药店限制半径); the nearest is P1 仁和大药房 (零售药店) at"),
    (False, "spacing_conflict", 800, "at {d} m, within 800 m (药店限制半径)"),
])
def test_a_radius_from_a_definition_is_the_one_that_applied(centre, outcome, radius, said):
    from engine import evaluate
    plan, facts, registry = _radius_case(centre)
    assert not errors(RADIUS) and run("fmt", "--check", RADIUS).exit_code == 0
    assert evaluate(plan, facts, registry=registry).outcome == outcome
    text = _text(plan, facts, registry)
    nearest = _rows({"零售药店"})[0][0]
    assert said.format(d=round(nearest, 1)) in text
    assert f"uses 药店限制半径 = {radius} m" in text  # the unit is shown
    other = 1300 - radius
    assert f"within {other} m" not in text  # never a radius that did not apply
    assert_same(plan, facts, registry=registry)


def test_two_literal_radii_in_one_rule_print_neither(tmp_path):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "radius.txt").write_text((NEWCITY / "sources" / "radius.txt").read_text(encoding="utf-8"),
                                                     encoding="utf-8")
    path = tmp_path / "two.policy"
    path.write_text(RADIUS.read_text(encoding="utf-8").replace(
        "when 最近同类药店距离 < 药店限制半径",
        "when (位于商业中心区 and 最近同类药店距离 < 500 m) or (not 位于商业中心区 and 最近同类药店距离 < 800 m)"),
        encoding="utf-8")
    plan, facts, registry = _radius_case(True, path)
    text = _text(plan, facts, registry)
    assert "within 800 m" not in text and "within 500 m" not in text
    assert "the nearest is" not in text and "P1 仁和大药房 (零售药店) at 667.2 m" in text


# ---- frictions met on the way --------------------------------------------------------------------


def test_as_of_is_an_input_a_plan_may_declare(tmp_path):
    source = (NEWCITY / "sources" / "named-sets.txt").read_text(encoding="utf-8")
    text = SETS.read_text(encoding="utf-8").replace(
        "input applicant.beds     : count as 床位数",
        "input applicant.beds     : count as 床位数\ninput as_of : date as 申请日期").replace(
        "when 申请类别 in 门诊类", "when 申请类别 in 门诊类 and 申请日期 >= 2026-01-01")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "named-sets.txt").write_text(source, encoding="utf-8")
    path = tmp_path / "dated.policy"
    path.write_text(text, encoding="utf-8")
    from engine import evaluate
    plan = compile_plan(path)
    for as_of, outcome in (("2026-03-01", "exempt"), ("2025-03-01", "needs_review")):
        facts = tmp_path / "f.json"
        facts.write_text(json.dumps({"as_of": as_of, "applicant": {"category": "门诊部", "beds": 1}}), encoding="utf-8")
        result = run("explain", "--plan", path, "--format", "json", facts)
        assert json.loads(result.output)["outcome"] == outcome, result.output
    assert evaluate(plan, {"applicant": {"category": "门诊部", "beds": 1}}).outcome == "undetermined"


def test_diff_population_asks_the_registry_given(tmp_path):
    changed = tmp_path / "wider.policy"
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "registry-questions.txt").write_text(
        (NEWCITY / "sources" / "registry-questions.txt").read_text(encoding="utf-8"), encoding="utf-8")
    changed.write_text(QUESTIONS.read_text(encoding="utf-8").replace("< 500 m", "< 700 m"), encoding="utf-8")
    population = tmp_path / "p.jsonl"
    population.write_text(json.dumps({"applicant": {"id": "N", "category": "零售药店",
                                                    "location": {"lat": 36.0115, "lon": 115.0}}}) + "\n", encoding="utf-8")
    given = run("diff", QUESTIONS, changed, "--population", population, "--registry", REGISTRY_CSV)
    assert given.exit_code == 1, given.output  # 1: the versions differ
    assert "1 decided differently" in given.output


def test_coverage_lists_the_registry_block_among_an_articles_citers():
    rows = {row.id: row for row in coverage(compile_plan(QUESTIONS))}
    assert "registry 定点药店" in rows["一"].rules


def test_an_expression_that_goes_on_with_of_says_so_in_a_definition(tmp_path):
    from dsl.diagnostics import PolicyError
    with pytest.raises(PolicyError) as caught:
        parse_policy('plan "x"\ndefine 比 = 门慢药店数 of 药店数\n', "x.policy")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "P002" and "a rule reads" not in diagnostic.help
    with pytest.raises(PolicyError) as caught:
        parse_policy('plan "x"\nrule r : gate cites 一\n  when a of b\n  then paused\n', "x.policy")
    assert "a rule reads `when <condition> then <outcome>`" in caught.value.diagnostics[0].help
