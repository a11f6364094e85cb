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
from engine.coverage import coverage
from tests.conftest import ROOT
from tests.test_fastpath import assert_same

NEWCITY = ROOT / "tests" / "fixtures" / "newcity"
SETS = NEWCITY / "named-sets.policy"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


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
    ("set 乙类 of 类别 = {门诊部}", "C090", "`类别` is not an enum"),
    ("set 乙类 of 机构类别 = {门诊部, 门诊部}", "C091", "`门诊部` is listed twice in set `乙类`"),
    ("set 乙类 of 机构类别 = {门诊所}", "C012", "`门诊所` is not a member of `机构类别`"),
    ("set 门诊类 of 机构类别 = {门诊部}", "C001", "`门诊类` is declared twice"),
    ("enum 区 { 甲区 }\ninput applicant.area : 区 as 所在区\ndefine 在 = 所在区 in 门诊类",
     "C092", "`门诊类` is a set of `机构类别`, not of `区`"),
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
