"""`policy test`: expected decisions beside the facts, checked after every edit of a plan."""
from __future__ import annotations

import re

import json
import shutil

from click.testing import CliRunner

from cli import main
from engine.run.expectations import same_value
from tests.conftest import POLICIES, SHENYANG, SHENYANG_EXAMPLES


def run(*args):
    return CliRunner().invoke(main, ["test", *map(str, args)])


def test_every_shipped_example_meets_its_expectation():
    result = run(POLICIES / "examples")
    assert result.exit_code == 0, result.output
    # every example file carries an expectation and meets it (how many there are is not the point)
    assert re.fullmatch(r"\d+ passed, 0 failed", result.output.splitlines()[-1]), result.output


def test_a_revised_plan_shows_which_examples_now_decide_otherwise(tmp_path):
    shutil.copytree(POLICIES / "sources", tmp_path / "sources")
    revised = SHENYANG.read_text(encoding="utf-8").replace("when 最近同类型距离 <= 800 m", "when 最近同类型距离 <= 300 m")
    (tmp_path / "revised.policy").write_text(revised, encoding="utf-8")
    result = run("--plan", tmp_path / "revised.policy", SHENYANG_EXAMPLES)
    assert result.exit_code == 1
    assert "FAIL  " in result.output and "07-pharmacy-spacing-conflict.json" in result.output
    assert ("outcome: expected `spacing_conflict`, got `eligible` (decided by `个人账户与零售药店`)"
            in result.output)
    # the round too: at 300 m the pharmacy 331.6 m from the better-ranked one is admitted as well
    assert "FAIL  " + str(SHENYANG_EXAMPLES / "round-2026.expected.json") in result.output
    assert "applicant SY-R26-11: outcome is 'admitted', expected 'spacing_conflict'" in result.output
    assert re.fullmatch(r"\d+ passed, 3 failed", result.output.splitlines()[-1]), result.output


def _example(tmp_path, expect) -> str:
    data = json.loads((SHENYANG_EXAMPLES / "01-inpatient-main-city-50pct.json").read_text(encoding="utf-8"))
    data["context"] = str(SHENYANG_EXAMPLES / "context-2026.json")
    data["expect"] = expect
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return str(path)


def test_each_difference_is_named(tmp_path):
    expect = {"outcome": "eligible", "rule": "住院_千人床位数低于可承担", "terms": {"纳入比例": 0.6},
              "values": {"医保筹资可承担的医保千人床位数": 6.47}, "missing": ["registry"], "priorities": []}
    result = run(_example(tmp_path, expect))
    assert result.exit_code == 1
    lines = [line.strip() for line in result.output.splitlines()]
    assert "rule: expected `住院_千人床位数低于可承担`, got `住院_千人床位数高于可承担`" in lines
    assert "terms.纳入比例: expected 0.6, got 0.5" in lines
    assert any(line.startswith("values.医保筹资可承担的医保千人床位数: expected 6.47, got 6.46") for line in lines)
    assert "missing: expected ['registry'], got []" in lines
    assert "priorities: expected [], got ['同等条件优先纳入']" in lines


def test_a_malformed_expectation_is_bad_input(tmp_path):
    result = run(_example(tmp_path, {"outcome": "eligible", "rules": "x"}))
    assert result.exit_code == 2
    assert "expect.rules: unknown expectation" in result.output and "did you mean `rule`" in result.output


def test_numbers_match_to_the_decimals_written():
    assert same_value(9.4974, 9.497412) and not same_value(9.4974, 9.4979)
    assert same_value(600, 600.0) and not same_value(True, 1)
