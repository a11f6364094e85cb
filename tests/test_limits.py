"""Limits (dsl/limits.py): each breach is a coded one-line error, never a RecursionError, and a
plan just inside each limit goes through check, explain (both evaluators), eval and fmt."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main
from dsl.limits import CHAIN, DEPTH, LIMITS, NESTING
from tests.conftest import MINI

FACTS = {"plan": "mini", "applicant": {"id": "a1", "category": "pharmacy", "distance": 900},
         "city": {"deficit": False, "rate": 0.3}}


def variant(extra_defines: str = "", use: str = "比率", extra_input: str = "") -> str:
    """MINI with more definitions, one of them read by the gate rule so every evaluator descends it."""
    text = MINI.replace("define 加倍比率 cites 二 = 比率 * 2", "define 加倍比率 cites 二 = 比率 * 2\n" + extra_defines)
    text = text.replace("  when 赤字\n", f"  when 赤字 or {use} > 100\n")
    return text.replace("input city.rate : fraction as 比率\n", "input city.rate : fraction as 比率\n" + extra_input)


def nested_if(depth: int, name: str = "深", leaf: str = "1") -> str:
    return (f"define {name} cites 二 =\n" + "".join("  if not 赤字 then\n" for _ in range(depth)) + f"  {leaf}\n"
            + "".join("  else 2\n" for _ in range(depth)))


def chain(length: int) -> str:
    return "define d0 cites 二 = 比率\n" + "".join(f"define d{i} cites 二 = d{i - 1} + 1\n" for i in range(1, length))


def run(tmp_path, text: str, *args: str):
    plan = tmp_path / "plan.policy"
    plan.write_text(text, encoding="utf-8")
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(FACTS), encoding="utf-8")
    runner = CliRunner()
    check = runner.invoke(main, ["check", str(plan)])
    explain = runner.invoke(main, ["explain", str(facts), "--plan", str(plan), "--format", "json", *args])
    return check, explain


def assert_refused(result, code: str) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "RecursionError" not in result.output
    assert f"error[{code}]" in result.output, result.output[-2000:]
    assert "raise it with `policy --limit" in result.output


@pytest.mark.parametrize("text, code", [
    (variant(nested_if(800)), NESTING.code),
    (variant(nested_if(3000)), NESTING.code),
    (variant(extra_input="input city.deep : " + "{ a:\n" * 400 + "number" + "}\n" * 400), NESTING.code),
    (variant(chain(1000), "d999"), CHAIN.code),
    (variant("".join(f"define d{i} cites 二 = d{i - 1} + 1\n" for i in range(999, 0, -1))
             + "define d0 cites 二 = 比率\n", "d999"), CHAIN.code),  # declared last to first
    (variant("".join(f"define d{i} cites 二 = d{(i + 1) % 1000} + 1\n" for i in range(1000)), "d0"), CHAIN.code),
    (variant(nested_if(150, "x0") + nested_if(150, "x1", "x0") + nested_if(150, "x2", "x1"), "x2"), DEPTH.code),
    (variant("define 长 cites 二 = " + "a" * 1_000_000), "L002"),
    (variant("define 长 cites 二 =\n" + "  a" * 1_000 + "b" * 300), "L003"),
], ids=["if-800", "if-3000", "record-type-400", "chain-1000", "chain-1000-reversed", "cycle-1000", "depth-through-defines",
        "line-1M", "token-300"])
def test_a_breach_is_a_coded_error_in_check_and_explain(tmp_path, text, code):
    check, explain = run(tmp_path, text)
    assert check.exit_code == 1
    assert_refused(check, code)
    assert explain.exit_code == 2
    assert_refused(explain, code)


def test_a_plan_larger_than_the_limit_is_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICY_MAX_PLAN_BYTES", "500")
    check, _ = run(tmp_path, variant())
    assert_refused(check, "L001")


@pytest.mark.parametrize("text", [
    variant(nested_if(NESTING.default - 2)),
    variant(extra_input="input city.deep : " + "{ a:\n" * 48 + "number" + "}\n" * 48),
    variant(chain(CHAIN.default), f"d{CHAIN.default - 1}"),
], ids=["if-just-inside", "record-just-inside", "chain-at-limit"])
def test_a_plan_just_inside_the_limits_is_checked_decided_and_formatted(tmp_path, text):
    from engine import compile_plan, evaluate
    from engine.run.compiled import explain as fast_explain
    from engine.facts.validate import facts_model, validate_facts
    from dsl.spans import Source

    check, explain = run(tmp_path, text)
    assert check.exit_code == 0, check.output[-2000:]
    assert explain.exit_code == 0, explain.output[-2000:]
    plan = compile_plan(tmp_path / "plan.policy")
    facts = validate_facts(plan, FACTS, Source("facts", json.dumps(FACTS)), facts_model(plan))
    assert evaluate(plan, facts).outcome == fast_explain(plan, facts).outcome
    fmt = CliRunner().invoke(main, ["fmt", "--diff", str(tmp_path / "plan.policy")])
    assert "Traceback" not in fmt.output and fmt.exception is None or isinstance(fmt.exception, SystemExit)
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps(FACTS) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "--plan", str(tmp_path / "plan.policy"), str(batch), "--trace"])
    assert result.exit_code == 0 and json.loads(result.stdout.splitlines()[0])["outcome"]


def test_the_limit_flag_raises_a_limit_for_one_run(tmp_path, monkeypatch):
    for limit in (CHAIN, DEPTH):  # the flag sets the variable in this process: put it back afterwards
        monkeypatch.setenv(limit.env, str(limit.default))
    plan = tmp_path / "plan.policy"
    plan.write_text(variant(chain(150), "d149"), encoding="utf-8")
    assert CliRunner().invoke(main, ["check", str(plan)]).exit_code == 1
    result = CliRunner().invoke(main, ["--limit", "chain=200", "--limit", "depth=400", "check", str(plan)])
    assert result.exit_code == 0, result.output
    bad = CliRunner().invoke(main, ["--limit", "chains=2", "check", str(plan)])
    assert bad.exit_code == 2 and "unknown limit `chains`" in bad.output


def test_every_limit_is_documented_with_its_code_default_and_variable():
    from dsl.limits import limits_markdown
    from tests.conftest import ROOT

    assert limits_markdown() in (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    for limit in LIMITS:
        row = next(line for line in limits_markdown().splitlines() if f"`{limit.name}`" in line)
        assert limit.code in row and limit.env in row and f"{limit.default:,}" in row


def test_a_registry_of_more_rows_than_the_limit_is_refused(tmp_path, monkeypatch):
    from tests.conftest import SHENYANG_EXAMPLES

    monkeypatch.setenv("POLICY_MAX_REGISTRY_ROWS", "3")
    result = CliRunner().invoke(main, ["explain", str(SHENYANG_EXAMPLES / "11-pharmacy-registry-spacing-conflict.json")])
    assert result.exit_code == 2 and "error[L009]" in result.output and "more than 3" in result.output
    monkeypatch.setenv("POLICY_MAX_REGISTRY_ROWS", "1000")
    assert CliRunner().invoke(main, ["explain", str(SHENYANG_EXAMPLES / "11-pharmacy-registry-spacing-conflict.json")]
                              ).exit_code == 0
