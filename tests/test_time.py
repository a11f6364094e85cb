"""Time in the language: the calendar rules of durations, their types, and both evaluators."""
from __future__ import annotations

from datetime import date

import pytest

from dsl.parser import parse_policy
from engine.values.calendar import Duration, add_months
from engine.compile.checker import check_policy
from engine.run.compiled import decide, explain
from engine.run.evaluator import evaluate


@pytest.mark.parametrize("start, months, expected", [
    (date(2026, 1, 1), 6, date(2026, 7, 1)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),   # February is short: its last day
    (date(2023, 8, 31), 6, date(2024, 2, 29)),   # a leap year's last day of February
    (date(2024, 2, 29), 12, date(2025, 2, 28)),  # a leap day plus a year
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
])
def test_a_month_keeps_its_day_or_takes_the_last(start, months, expected):
    assert add_months(start, months) == expected
    assert start + Duration(months) == expected


def test_months_first_then_days_and_subtraction():
    assert date(2026, 1, 31) + Duration(1, 1) == date(2026, 3, 1)  # 28 Feb, then a day
    assert date(2026, 3, 31) - Duration(1) == date(2026, 2, 28)
    assert Duration.of(1, "years") + Duration.of(6, "months") == Duration(18)
    assert str(Duration(18)) == "1 year 6 months" and str(Duration(0, 30)) == "30 days"


PLAN = """\
plan "time"
article 一 operative "一"
input trial.admitted_on : date as 开始
define 辅导期结束 cites 一 = 开始 + 6 months
define 一年后 cites 一 = 开始 + 1 year
define 前一天 cites 一 = 一年后 - 1 day
rule 辅导期 : gate cites 一 when as_of < 辅导期结束 then paused
rule 期满 : exclusion cites 一 when as_of >= 前一天 then excluded
decision d { precedence 辅导期 > 期满 otherwise needs_review }
"""


def _plan(text=PLAN):
    plan, diagnostics = check_policy(parse_policy(text, "<t>"), text, "<t>")
    return plan, [d for d in diagnostics if d.severity == "error"]


@pytest.mark.parametrize("as_of, outcome", [
    (date(2026, 2, 27), "paused"), (date(2026, 2, 28), "needs_review"), (date(2026, 8, 30), "excluded")])
def test_dates_computed_compared_and_the_same_on_the_fast_path(as_of, outcome):
    plan, errors = _plan()
    assert not errors
    facts = {"as_of": as_of, "trial": {"admitted_on": date(2025, 8, 31)}}
    result = evaluate(plan, facts)
    assert result.outcome == outcome
    assert dict(result.values)["辅导期结束"] == date(2026, 2, 28)
    assert explain(plan, facts) == result
    assert decide(plan, facts).outcome == outcome


def test_the_date_judged_is_missing_when_absent():
    plan, _ = _plan()
    result = evaluate(plan, {"trial": {"admitted_on": date(2026, 1, 1)}})
    assert result.outcome == "undetermined" and "as_of" in result.missing


@pytest.mark.parametrize("expr, code, message, column_text", [
    ("开始 + 6", "C018", "cannot add `number` to `date`", "6"),
    ("开始 + 开始", "C018", "cannot add `date` to `date`", "开始 + 开始"),
    ("3 + 6 months", "C018", "cannot add `duration` to `number`", "3 + 6 months"),
    ("开始 × 2", "C026", "cannot multiply `date` by `number`", "开始 × 2"),
])
def test_a_duration_with_a_number_is_a_type_error_at_its_place(expr, code, message, column_text):
    text = PLAN.replace("开始 + 6 months", expr)
    _, errors = _plan(text)
    assert [(e.code, e.message) for e in errors] == [(code, message)]
    line = text.splitlines()[errors[0].span.line - 1]
    assert line[errors[0].span.column - 1:].startswith(column_text)


def test_a_fraction_of_a_month_is_refused():
    _, errors = _plan(PLAN.replace("6 months", "1.5 months"))
    assert [e.code for e in errors] == ["C025"]


def test_past_the_calendar_is_an_error_not_a_traceback():
    from dsl.diagnostics import PolicyError

    plan, _ = _plan()
    facts = {"as_of": date(2026, 1, 1), "trial": {"admitted_on": date(9999, 12, 1)}}
    for run in (evaluate, explain):
        with pytest.raises(PolicyError) as caught:
            run(plan, facts)
        assert caught.value.diagnostics[0].code == "E004"
