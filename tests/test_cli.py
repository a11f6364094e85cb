"""The command line as a user meets it: exit codes, one-line reasons, never a traceback."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import MINI, SHENYANG, SHENYANG_EXAMPLES

EXAMPLE = str(SHENYANG_EXAMPLES / "01-inpatient-main-city-50pct.json")
CONTEXT = str(SHENYANG_EXAMPLES / "context-2026.json")


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def test_check_clean_plan_exits_0():
    result = run("check", SHENYANG)
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


def test_check_findings_exit_1_with_file_line_col(write_policy):
    path = write_policy(MINI.replace("比率 * 2", "比律 * 2"))
    result = run("check", path)
    assert result.exit_code == 1
    headline = next(line for line in result.output.splitlines() if "error[" in line)
    assert headline.startswith(f"{path}:") and "error[C010]: unknown name `比律`" in headline


def test_check_syntax_error_exits_1(write_policy):
    result = run("check", write_policy("rule r : gate cites 三 when a b then paused"))
    assert result.exit_code == 1 and "error[P002]" in result.output


def test_check_unreadable_file_is_reported(tmp_path):
    result = run("check", tmp_path / "missing.policy")
    assert result.exit_code == 1 and "cannot read" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("fmt", ["text", "json", "md"])
def test_explain_formats(fmt):
    result = run("explain", EXAMPLE, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "住院_千人床位数高于可承担" in result.output
    assert "三（一）" in result.output


def test_explain_json_follows_the_contract():
    data = json.loads(run("explain", EXAMPLE, "--format", "json").output)
    assert set(data["plan"]) >= {"id", "version", "sha256"}
    assert data["plan"]["id"] == "shenyang-2025-draft"
    assert data["outcome"] == "eligible"
    assert data["decided_by"]["rule"] == "住院_千人床位数高于可承担"
    assert data["decided_by"]["article"]["id"] == "三（一）第3句"  # the sentence the rule encodes
    assert "50%择优纳入" in data["decided_by"]["article"]["text"]
    assert isinstance(data["values"]["医保筹资可承担的医保千人床位数"], float)
    assert data["missing"] == []
    for step in data["trace"]:
        assert {"rule", "article", "reads"} <= set(step)
        assert step["article"]["text"]


def test_plan_option_takes_an_id_or_a_path_and_overrides_the_file():
    by_id = run("explain", EXAMPLE, "--plan", "shenyang-2025-draft", "--format", "json")
    by_path = run("explain", EXAMPLE, "--plan", SHENYANG, "--format", "json")
    assert json.loads(by_id.output) == json.loads(by_path.output)


def test_context_option_supplies_the_city(tmp_path):
    facts = json.loads(open(EXAMPLE, encoding="utf-8").read())
    del facts["context"]
    path = tmp_path / "a.json"
    path.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    without = json.loads(run("explain", path, "--format", "json").output)
    assert without["outcome"] == "undetermined" and "city.fund.deficit_last_year" in without["missing"]
    with_context = json.loads(run("explain", path, "--context", CONTEXT, "--format", "json").output)
    assert with_context["outcome"] == "eligible"


def _bad(tmp_path, mutate) -> str:
    facts = json.loads(open(EXAMPLE, encoding="utf-8").read())
    facts["context"] = CONTEXT
    mutate(facts)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(facts, ensure_ascii=False, indent=2), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda f: f["applicant"]["location"].update(lat="41.8"), "applicant.location.lat: expected a number"),
        (lambda f: f["applicant"].update(district="朝阳区"), "applicant.district: unknown 区县 `朝阳区`"),
        (lambda f: f["applicant"]["flags"].update(key_project="yes"), "applicant.flags.key_project: expected true or false"),
        (lambda f: f["applicant"].update(category="hospital"), "applicant.category: unknown 申请类别 `hospital`"),
        (lambda f: f.update(plan="nowhere"), "unknown plan `nowhere`"),
        (lambda f: f.update(as_of="01/06/2026"), "as_of: expected a date"),
    ],
)
def test_bad_facts_exit_2_naming_the_json_path(tmp_path, mutate, expected):
    result = run("explain", _bad(tmp_path, mutate))
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_bad_fact_points_at_its_line(tmp_path):
    result = run("explain", _bad(tmp_path, lambda f: f["applicant"]["location"].update(lat="41.8")))
    headline = result.output.splitlines()[0]
    assert headline.split(":")[1].isdigit() and '"lat"' in result.output


def test_invalid_json_exits_2_with_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"plan": "shenyang-2025-draft",\n "applicant": {,}}', encoding="utf-8")
    result = run("explain", path)
    assert result.exit_code == 2
    assert result.output.startswith(f"{path}:2:") and "invalid JSON" in result.output


def test_unreadable_facts_exit_2(tmp_path):
    result = run("explain", tmp_path / "nope.json")
    assert result.exit_code == 2 and "cannot read facts file" in result.output


def test_explain_reads_stdin():
    facts = open(EXAMPLE, encoding="utf-8").read()
    result = run("explain", "-", "--context", CONTEXT, "--format", "json", input=facts)
    assert result.exit_code == 0 and json.loads(result.output)["outcome"] == "eligible"


def test_graph_prints_dot():
    result = run("graph", "shenyang-2025-draft")
    assert result.exit_code == 0
    assert result.output.startswith("digraph plan {")
    assert '"define:医保筹资可覆盖的医药费用" -> "define:医保筹资可承担的医保千人床位数"' in result.output


def test_help_teaches():
    result = run("--help")
    assert "policy explain applicant.json" in result.output and "Exit codes" in result.output


def test_explain_html_is_one_standalone_page():
    result = run("explain", EXAMPLE, "--format", "html")
    assert result.exit_code == 0
    page = result.output
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "http" not in page.replace("https://", "")  # nothing fetched, nothing run
    assert "住院_千人床位数高于可承担" in page and "三（一）" in page


def test_html_escapes_every_text_from_the_plan(write_policy):
    from engine import compile_plan, evaluate
    from render import explanation_to_html

    hostile = MINI.replace('then paused "暂停"', 'then paused "<script>alert(1)</script> & <b>"')
    plan = compile_plan(write_policy(hostile))
    page = explanation_to_html(evaluate(plan, {"applicant": {}, "city": {"deficit": True}}))
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in page
