"""Expected decisions written beside the facts: the test format of policy staff.

A facts file may carry `"expect"`: what the plan should decide for it. `policy test` runs
every such file and reports each difference, so after editing a plan a staffer sees at once
which examples now decide otherwise, and why.

    "expect": {
      "outcome": "eligible",                      required
      "rule": "住院_千人床位数高于可承担",           the decisive rule (null: none decided)
      "article": "三（一）",                        the decisive rule's first article
      "terms": {"纳入比例": 0.5},                   these terms, others may exist
      "values": {"测算值": 9.4974},                 these values, to the decimals written
      "missing": ["applicant.nearest_same_category_m"],   exactly these missing facts
      "priorities": ["同等条件优先纳入"]             exactly these priority rules
    }
"""
from __future__ import annotations

import math
from datetime import date
from typing import Any

from dsl.diagnostics import Diagnostic, did_you_mean
from dsl.spans import Source

from .calendar import Duration
from .facts import FactsError, locate
from .trace import Explanation

KEYS = ("outcome", "rule", "article", "terms", "values", "missing", "priorities", "rank", "population")


def read_expectation(data: dict, source: Source) -> dict | None:
    """The file's `expect` block, checked for shape; None when the file has none."""
    expect = data.get("expect")
    if expect is None:
        return None
    problems = []
    if not isinstance(expect, dict) or "outcome" not in expect:
        problems.append(Diagnostic("T001", "an object with at least `outcome`", locate(source, "expect"),
                                   '"expect": {"outcome": "eligible", "rule": "…"}', path="expect"))
    else:
        for key in expect:
            if key not in KEYS:
                problems.append(Diagnostic("T002", "unknown expectation", locate(source, key),
                                           did_you_mean(key, KEYS) or "expectations: " + ", ".join(KEYS),
                                           path=f"expect.{key}"))
        for key in ("terms", "values"):
            if key in expect and not isinstance(expect[key], dict):
                problems.append(Diagnostic("T001", "expected an object {name: value}", locate(source, key),
                                           path=f"expect.{key}"))
        for key in ("missing", "priorities"):
            if key in expect and not isinstance(expect[key], list):
                problems.append(Diagnostic("T001", "expected a list […]", locate(source, key),
                                           path=f"expect.{key}"))
    if problems:
        raise FactsError(problems)
    return expect


def _decimals(number: float) -> int | None:
    text = repr(number)
    return len(text.split(".")[1]) if "." in text and "e" not in text else None


def same_value(expected: Any, actual: Any) -> bool:
    """Numbers match to the decimals the expectation writes (9.4974 matches 9.49741…)."""
    if isinstance(actual, (date, Duration)):  # a date or a duration is written as JSON writes it
        return expected == (actual.isoformat() if isinstance(actual, date) else str(actual))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual  # true is not 1
    if not isinstance(expected, (int, float)):
        return expected == actual
    if not isinstance(actual, (int, float)):
        return False
    places = _decimals(float(expected)) if isinstance(expected, float) else 0
    if places is None:
        return math.isclose(expected, actual, rel_tol=1e-9)
    return round(actual, places) == round(expected, places)


def population_differences(rank, size: int, expect: dict) -> list[str]:
    """A line of a population decision: its `rank` and the population's size, when expected."""
    found = []
    if "rank" in expect and expect["rank"] != rank:
        found.append(f"rank: expected {expect['rank']}, got {rank}")
    if "population" in expect and expect["population"] != size:
        found.append(f"population: expected {expect['population']}, got {size}")
    return found


def differences(result: Explanation, expect: dict) -> list[str]:
    """Each way the decision differs from what the file expects, in words; empty when it matches."""
    found: list[str] = []
    decided = result.decided_by
    if result.outcome != expect["outcome"]:
        by = f" (decided by `{decided.name}`)" if decided else ""
        found.append(f"outcome: expected `{expect['outcome']}`, got `{result.outcome}`{by}")
    if "rule" in expect and (decided.name if decided else None) != expect["rule"]:
        found.append(f"rule: expected `{expect['rule']}`, got `{decided.name if decided else None}`")
    if "article" in expect:
        article = decided.articles[0].id if decided else None
        if article != expect["article"]:
            found.append(f"article: expected `{expect['article']}`, got `{article}`")
    for key, actual_pairs in (("terms", result.terms), ("values", result.values)):
        actual = dict(actual_pairs)
        for name, value in expect.get(key, {}).items():
            if name not in actual:
                found.append(f"{key}.{name}: expected {value}, but it was not computed")
            elif not same_value(value, actual[name]):
                found.append(f"{key}.{name}: expected {value}, got {actual[name]}")
    if "missing" in expect and sorted(expect["missing"]) != sorted(result.missing):
        found.append(f"missing: expected {sorted(expect['missing'])}, got {list(result.missing)}")
    if "priorities" in expect:
        names = [s.name for s in result.priorities]
        if sorted(expect["priorities"]) != sorted(names):
            found.append(f"priorities: expected {sorted(expect['priorities'])}, got {names}")
    return found
