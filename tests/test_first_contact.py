"""What a new user meets first (issue 9): each failure reported, reproduced here, then fixed."""
from __future__ import annotations

import json
import os
import shutil

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import POLICIES, ROOT, SHENYANG, SHENYANG_EXAMPLES

HEZE_EXAMPLES = POLICIES / "examples" / "heze"
HEZE_PHARMACY = HEZE_EXAMPLES / "05-pharmacy-spacing-conflict.json"


def run(*args, input=None):
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    assert "Traceback" not in result.output
    return result


def facts_of(path, tmp_path, **changes) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("expect", None)
    if "context" in data:
        data["context"] = str(path.parent / data["context"])
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split("__")
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return data


def write(tmp_path, name: str, data) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) if not isinstance(data, str) else data,
                    encoding="utf-8")
    return str(path)


# -- registry categories: the enum code or its label, in every plan -----------------------------


@pytest.mark.parametrize("category", ["pharmacy", "零售药店"])
@pytest.mark.parametrize("plan", ["heze", "shenyang"])
def test_a_registry_row_may_give_the_code_or_the_label(tmp_path, category, plan):
    example = HEZE_PHARMACY if plan == "heze" else SHENYANG_EXAMPLES / "04-pharmacy-eligible.json"
    data = facts_of(example, tmp_path, applicant__nearest_same_category_m=None)
    lat, lon = data["applicant"]["location"]["lat"], data["applicant"]["location"]["lon"]
    registry = write(tmp_path, "reg.csv", f"id,name,category,lat,lon\nP1,甲药店,{category},{lat + 0.002},{lon}\n")
    result = run("explain", write(tmp_path, "f.json", data), "--registry", registry, "--format", "json")
    assert result.exit_code == 0, result.output
    decided = json.loads(result.stdout)
    assert decided["outcome"] == "spacing_conflict"  # 300 m from a pharmacy, whichever way the row names it
    assert decided["warnings"] == []


@pytest.mark.parametrize("plan", ["heze", "shenyang"])
def test_an_unknown_registry_category_is_refused_in_every_plan(tmp_path, plan):
    example = HEZE_PHARMACY if plan == "heze" else SHENYANG_EXAMPLES / "04-pharmacy-eligible.json"
    registry = write(tmp_path, "reg.csv", "id,name,category,lat,lon\nP1,甲药店,零售药房,35.0,115.5\n")
    result = run("explain", example, "--registry", registry)
    assert result.exit_code == 2
    assert f"{registry}:2:8: error[R011]: unknown category `零售药房`" in result.output
    assert "did you mean `零售药店`?" in result.output


def test_a_registry_without_the_applicants_type_warns_in_the_decision(tmp_path):
    data = facts_of(HEZE_PHARMACY, tmp_path, applicant__nearest_same_category_m=None)
    registry = write(tmp_path, "reg.csv", "id,name,category,lat,lon\nH1,医院,住院,35.0,115.5\n")
    result = run("explain", write(tmp_path, "f.json", data), "--registry", registry, "--format", "json")
    assert result.exit_code == 0
    (warning,) = json.loads(result.stdout)["warnings"]
    assert warning["code"] == "R015" and "no 零售药店 institution" in warning["message"]
    assert warning["file"] == registry
    assert "warning[R015]" in result.stderr


# -- facts keys the plan does not declare ----------------------------------------------------------


@pytest.mark.parametrize("typo, path, near", [
    ("applicant__catgory", "applicant.catgory", "category"),
    ("applicant__flags__key_projekt", "applicant.flags.key_projekt", "key_project"),
    ("applicnat", "applicnat", "applicant"),
])
def test_an_undeclared_key_warns_with_its_path_and_the_nearest_name(tmp_path, typo, path, near):
    data = facts_of(HEZE_EXAMPLES / "01-inpatient-county-eligible.json", tmp_path, **{typo: "x"})
    facts = write(tmp_path, "typo.json", data)
    text = run("explain", facts)
    assert text.exit_code == 0
    headline = next(line for line in text.stderr.splitlines() if "warning[F008]" in line)
    assert headline.startswith(f"{facts}:") and f"{path}: `{path.rsplit('.', 1)[-1]}` is not a fact" in headline
    assert f"did you mean `{near}`" in text.stderr
    assert "F008" not in text.stdout  # stdout carries the decision only
    record = json.loads(run("explain", facts, "--format", "json").stdout)
    (warning,) = record["warnings"]
    assert (warning["code"], warning["path"], warning["file"]) == ("F008", path, facts)
    assert warning["line"] > 1 and f"`{near}`" in warning["help"]
    strict = run("explain", facts, "--strict")
    assert strict.exit_code == 2 and "error[F008]" in strict.output


def test_integrators_keys_and_the_tools_keys_stay_allowed(tmp_path):
    data = facts_of(HEZE_EXAMPLES / "01-inpatient-county-eligible.json", tmp_path,
                    _crm="1", applicant___note="n", **{"x-source": "erp"}, decision="准入",
                    applicant__conditions={"staffing": True}, applicant__score=88)
    data["expect"] = {"outcome": "eligible"}
    result = run("explain", write(tmp_path, "ok.json", data), "--format", "json", "--strict")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"] == []
    shipped = sorted((POLICIES / "examples").glob("*/[0-9]*.json"))
    result = run("explain", *shipped, "--strict", "--format", "json")
    assert result.exit_code == 0 and "warning" not in result.stderr


def test_a_plan_name_alone_does_not_decide_silently(tmp_path):
    facts = write(tmp_path, "alone.json", {"plan": "heze-2026"})
    result = run("explain", facts, "--format", "json")
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert record["outcome"] == "undetermined" and record["missing"]
    assert [w["code"] for w in record["warnings"]] == ["F009"]
    assert run("explain", facts, "--strict").exit_code == 2


def test_eval_carries_each_lines_warnings_and_strict_makes_them_bad_lines(tmp_path):
    good = facts_of(HEZE_EXAMPLES / "01-inpatient-county-eligible.json", tmp_path)
    typo = facts_of(HEZE_EXAMPLES / "01-inpatient-county-eligible.json", tmp_path, applicant__catgory="x")
    population = write(tmp_path, "pop.jsonl", "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in (good, typo)))
    result = run("eval", population)
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert result.exit_code == 0 and first["warnings"] == []
    assert second["warnings"][0]["path"] == "applicant.catgory" and second["warnings"][0]["line"] == 2
    assert second["warnings"][0]["file"] == population
    assert "1 with warnings" in result.stderr
    strict = run("eval", population, "--strict")
    assert strict.exit_code == 2 and json.loads(strict.stdout.splitlines()[1])["error"]["code"] == "F008"


# -- errors name the file the bad value came from ---------------------------------------------------


def test_a_bad_context_value_is_blamed_on_the_context_file(tmp_path):
    context = json.loads((HEZE_EXAMPLES / "context-2026.json").read_text(encoding="utf-8"))
    city = context.get("city", context)
    city["fund"]["months_payable"] = "nine"
    bad = write(tmp_path, "ctx.json", context)
    result = run("explain", HEZE_EXAMPLES / "01-inpatient-county-eligible.json", "--context", bad)
    assert result.exit_code == 2
    line = next(n for n, text in enumerate(open(bad, encoding="utf-8"), 1) if '"months_payable"' in text)
    assert result.output.startswith(f"{bad}:{line}:")
    assert "city.fund.months_payable: expected a number" in result.output.splitlines()[0]


def test_an_undeclared_context_key_warns_in_the_context_file(tmp_path):
    context = json.loads((HEZE_EXAMPLES / "context-2026.json").read_text(encoding="utf-8"))
    context.get("city", context)["fund"]["months_payabel"] = 9
    bad = write(tmp_path, "ctx.json", context)
    result = run("explain", HEZE_EXAMPLES / "01-inpatient-county-eligible.json", "--context", bad)
    assert result.exit_code == 0
    assert f"{bad}:" in result.stderr and "city.fund.months_payabel" in result.stderr
    assert "did you mean `months_payable`" in result.stderr


def test_swapped_lat_lon_is_blamed_on_the_facts_file(tmp_path):
    data = facts_of(HEZE_PHARMACY, tmp_path, applicant__nearest_same_category_m=None)
    location = data["applicant"]["location"]
    location["lat"], location["lon"] = location["lon"], location["lat"]
    data["registry"] = str(HEZE_EXAMPLES / "registry.csv")
    facts = write(tmp_path, "swap.json", data)
    result = run("explain", facts)
    assert result.exit_code == 2
    headline = result.output.splitlines()[0]
    assert headline.startswith(f"{facts}:") and "applicant.location.lat" in headline and ".policy" not in headline
    assert "did you swap `lat` and `lon`?" in result.output


def test_eval_keeps_the_registrys_file_line_and_column(tmp_path):
    registry = write(tmp_path, "reg.csv", "id,name,category,lat,lon\nP1,甲,零售药店,34.8,116.1\nP2,乙,零售药店,x,116\n")
    data = facts_of(HEZE_PHARMACY, tmp_path, applicant__nearest_same_category_m=None, registry=registry)
    population = write(tmp_path, "pop.jsonl", json.dumps(data, ensure_ascii=False) + "\n")
    result = run("eval", population)
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 2
    assert (record["error"]["code"], record["error"]["file"], record["error"]["line"], record["error"]["column"]) \
        == ("R013", registry, 3, 11)


# -- explain of several files ----------------------------------------------------------------------


def several(tmp_path):
    bad = write(tmp_path, "bad.json", '{"plan": "heze-2026", "applicant": {"beds": "many"}}')
    return [HEZE_EXAMPLES / "01-inpatient-county-eligible.json", bad, HEZE_EXAMPLES / "07-key-project-exempt.json"], bad


def test_explain_several_files_decides_every_one_and_exits_2_at_the_end(tmp_path):
    files, bad = several(tmp_path)
    result = run("explain", *files, "--format", "json")
    assert result.exit_code == 2
    records = json.loads(result.stdout)  # one JSON document
    assert [r.get("outcome") for r in records] == ["eligible", None, "exempt"]
    assert records[1]["file"] == bad and records[1]["error"]["path"] == "applicant.beds"
    assert f"{bad}:1:" in result.stderr
    text = run("explain", *files)
    assert text.exit_code == 2 and text.stdout.count("OUTCOME") == 2 and "not decided" in text.stdout
    one = run("explain", files[0], "--format", "json")
    assert isinstance(json.loads(one.stdout), dict)


def test_explain_several_files_as_one_markdown_or_html_document(tmp_path):
    files, bad = several(tmp_path)
    md = run("explain", *files, "--format", "md")
    assert md.exit_code == 2
    assert [line for line in md.stdout.splitlines() if line.startswith("# ")] == [f"# `{f}`" for f in files]
    html = run("explain", *files, "--format", "html")
    assert html.exit_code == 2
    assert html.stdout.count("<!DOCTYPE html>") == 1 and html.stdout.count("<section") == 3
    assert html.stdout.count("</html>") == 1


# -- plan ids and coverage ----------------------------------------------------------------------------


def test_two_plans_with_one_id_are_an_error_naming_both(tmp_path, monkeypatch):
    (tmp_path / "policies").mkdir()
    copy = tmp_path / "policies" / "heze-copy.policy"
    shutil.copy(POLICIES / "heze-2026.policy", copy)
    shutil.copytree(POLICIES / "sources", tmp_path / "policies" / "sources")
    monkeypatch.chdir(tmp_path)
    result = run("explain", "--plan", "heze-2026", HEZE_EXAMPLES / "01-inpatient-county-eligible.json")
    assert result.exit_code == 2 and "error[A003]" in result.output
    assert "heze-copy.policy" in result.output and str(POLICIES / "heze-2026.policy") in result.output
    check = run("check", os.path.join("policies", "heze-copy.policy"))
    assert check.exit_code == 1 and "error[A003]: plan id `heze-2026` is also declared by" in check.output
    assert run("explain", "--plan", "shenyang-2025-draft", SHENYANG_EXAMPLES / "04-pharmacy-eligible.json").exit_code == 0


def test_coverage_prints_the_table_with_the_missing_article_as_a_row(tmp_path):
    text = SHENYANG.read_text(encoding="utf-8")
    line = 'article 二（三）3 informative "3.健全机制促进精细化管理。"\n'
    assert line in text
    shutil.copytree(POLICIES / "sources", tmp_path / "sources")
    forgot = tmp_path / "forgot.policy"
    forgot.write_text(text.replace(line, ""), encoding="utf-8")
    result = run("coverage", forgot)
    assert result.exit_code == 1
    row = next(r for r in result.stdout.splitlines() if "二（三）3" in r)
    assert "missing" in row and "articles accounted for" in result.stdout


def test_explain_help_points_at_a_file_in_the_repo():
    result = run("explain", "--help")
    assert "docs/facts.md" in result.output and "FACTS.md" not in result.output.replace("docs/facts.md", "")
    assert (ROOT / "docs" / "facts.md").is_file()


def test_a_context_that_is_not_a_file_name_is_bad_input(tmp_path):
    facts = write(tmp_path, "c.json", {"plan": "heze-2026", "context": 5, "applicant": {}})
    result = run("explain", facts)
    assert result.exit_code == 2 and result.output.startswith(f"{facts}:3:3:")
    assert "context: expected a JSON file name in quotes" in result.output


def test_an_unknown_plan_named_by_the_facts_points_into_the_facts(tmp_path):
    facts = write(tmp_path, "p.json", {"plan": "heze-2025", "applicant": {}})
    result = run("explain", facts)
    assert result.exit_code == 2 and result.output.startswith(f"{facts}:2:")
    assert "unknown plan `heze-2025`" in result.output and "did you mean `heze-2026`" in result.output


def test_a_case_file_keeps_its_warnings(tmp_path):
    data = facts_of(HEZE_EXAMPLES / "01-inpatient-county-eligible.json", tmp_path, applicant__catgory="x")
    facts = write(tmp_path, "typo.json", data)
    md = run("explain", facts, "--format", "md")
    assert "## Warnings" in md.stdout and "applicant.catgory" in md.stdout
    html = run("explain", facts, "--format", "html")
    assert "<h2>Warnings</h2>" in html.stdout and "applicant.catgory" in html.stdout


def test_diff_population_errors_give_the_json_path_as_a_field(tmp_path):
    from tests.conftest import ROOT as root

    fixtures = root / "tests" / "fixtures" / "diff"
    line = json.dumps({"plan": "shenyang-2025-draft", "applicant": {"beds": "many"}})
    population = write(tmp_path, "pop.jsonl", line + "\n")
    result = run("diff", fixtures / "draft.policy", fixtures / "final.policy", "--population", population,
                 "--format", "json")
    (error,) = json.loads(result.stdout)["population"]["errors"]
    assert error["path"] == "applicant.beds" and not error["message"].startswith("applicant.beds")


CODE_REGISTRY = """\
plan "codes"
  title "代码名录"
  version "1"

article 一 "一、800米内不予新增。"

enum 类别 { pharmacy "零售药店" clinic "诊所" }
input applicant.category : 类别 as 申请类别
input applicant.location : { lat: number deg, lon: number deg }

registry 名录 cites 一 { same_type pharmacy: pharmacy }
define 最近 cites 一 = nearest(名录)

rule 间距 : spacing cites 一
  when 最近 <= 800 m
  then spacing_conflict

decision 准入 {
  precedence 间距
  otherwise needs_review
}
"""


def test_a_registry_that_speaks_in_codes_takes_the_labels_too(write_policy):
    from engine import compile_plan
    from engine.registry.vocabulary import registry_vocabulary

    known, aliases = registry_vocabulary(compile_plan(write_policy(CODE_REGISTRY)))
    assert "pharmacy" in known and aliases["零售药店"] == "pharmacy"
    assert aliases["clinic"] == "诊所" and "诊所" in known  # an enum member no same_type line names
