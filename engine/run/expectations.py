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

from dsl.clauses import article_of
from dsl.diagnostics import Diagnostic, did_you_mean
from dsl.spans import Source
from engine.facts.validate import FactsError
from engine.reading.reader import locate
from engine.run.trace import Explanation
from engine.values.calendar import Duration
from engine.values.numbers import Fraction, from_float, is_number, to_json

KEYS = ("outcome", "rule", "article", "terms", "values", "missing", "priorities", "rank", "population",
        "priorities_unknown", "steering", "notices")


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
        for key in ("missing", "priorities", "priorities_unknown", "steering", "notices"):
            if key in expect and not isinstance(expect[key], list):
                problems.append(Diagnostic("T001", "expected a list […]", locate(source, key),
                                           path=f"expect.{key}"))
    if problems:
        raise FactsError(problems)
    return expect


def _decimals(number) -> int | None:
    """The decimals an expected number is written to (9.4974 -> 4); None beyond 30 or not decimal."""
    exact = Fraction(number) if not isinstance(number, float) else from_float(number)
    for places in range(31):
        if (exact * 10 ** places).denominator == 1:
            return places
    return None


def same_value(expected: Any, actual: Any) -> bool:
    """Numbers match to the decimals the expectation writes (9.4974 matches 9.49741…), exactly."""
    if isinstance(actual, (date, Duration)):  # a date or a duration is written as JSON writes it
        return expected == (actual.isoformat() if isinstance(actual, date) else str(actual))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual  # true is not 1
    if not is_number(expected):
        return expected == actual
    if not is_number(actual):
        return False
    if expected == actual:
        return True
    places = _decimals(expected)
    if places is None or isinstance(actual, float) and not math.isfinite(actual):
        return math.isclose(expected, actual, rel_tol=1e-9)
    actual = from_float(actual) if isinstance(actual, float) else Fraction(actual)
    return round(actual, places) == round(Fraction(expected) if not isinstance(expected, float)
                                          else from_float(expected), places)


def _shown(value: Any) -> Any:
    return to_json(value) if type(value) is Fraction else value


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
    rule = decided.name if decided else "otherwise" if result.by_otherwise else None
    if "rule" in expect and rule != expect["rule"]:
        found.append(f"rule: expected `{expect['rule']}`, got `{rule}`")
    if "article" in expect:
        article = decided.articles[0].id if decided and decided.articles else None
        # An article expected is met by a rule citing one of its sentences (二（二） by 二（二）第1句).
        if article != expect["article"] and (article is None or article_of(article) != expect["article"]):
            found.append(f"article: expected `{expect['article']}`, got `{article}`")
    for key, actual_pairs in (("terms", result.terms), ("values", result.values)):
        actual = dict(actual_pairs)
        for name, value in expect.get(key, {}).items():
            if name not in actual:
                found.append(f"{key}.{name}: expected {_shown(value)}, but it was not computed")
            elif not same_value(value, actual[name]):
                found.append(f"{key}.{name}: expected {_shown(value)}, got {_shown(actual[name])}")
    if "missing" in expect and sorted(expect["missing"]) != sorted(result.missing):
        found.append(f"missing: expected {sorted(expect['missing'])}, got {list(result.missing)}")
    for key in ("priorities", "priorities_unknown", "steering"):
        if key in expect:
            names = [s.name for s in getattr(result, key)]
            if sorted(expect[key]) != sorted(names):
                found.append(f"{key}: expected {sorted(expect[key])}, got {names}")
    if "notices" in expect:  # each expected notice is the start of one the record gives (`draft:`, `not_in_force:`)
        for wanted in expect["notices"]:
            if not any(n.startswith(wanted) for n in result.notices):
                found.append(f"notices: expected one starting `{wanted}`, got {list(result.notices)}")
    return found
