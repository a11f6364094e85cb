"""Aggregates over a population: pass 1 of a population decision (`policy eval --decision 年度考核`).

Pass 1 (engine/batch/population.py) reads every line once, evaluates each aggregate's
argument, and this module keeps, per aggregate, only what it needs: a count, a compensated
sum, or (for `rank` and `percentile`) the values, 8 bytes a line in an `array`, one array for
every aggregate of the same argument (a rank and a percentile of the score share it), sorted
in place by numpy at the end. Pass 2 decides each line again with these `PopulationStats`
attached to its facts, one line at a time, so memory never holds the lines themselves.

Definitions, for a population of N lines (every line that was read without error):
  count(c)       the lines where c is true
  sum(x)         the sum of x over the lines
  share(c)       count(c) / N (0 for an empty population)
  min(x), max(x) the least and the greatest x (missing for an empty population)
  rank(x)        1 + the number of lines whose x is greater: 1 is the highest, ties share a rank
  percentile(x)  the share of lines whose x is at most this line's: the lowest of 20 has 5%

A value an aggregate needs that a line lacks is bad input for that line, not a missing fact:
ranks over an incomplete population would be wrong for every other line too.
"""
from __future__ import annotations

from array import array
from bisect import bisect_right
from typing import Any

from engine.compile.plan import PopulationInfo
from engine.values.missing import Missing

POPULATION_KEY = "@population"  # where a line's facts carry the stats in pass 2 (never JSON: see value_of)
POPULATION_PATH = "population"  # the missing path when a population decision runs without its population


class PopulationStats:
    """The aggregates of one population after pass 1."""

    def __init__(self, population: PopulationInfo, size: int, scalars: dict[str, Any], sorted_values: dict):
        self.population = population
        self.size = size
        self.scalars = scalars
        self.sorted_values = sorted_values  # aggregate name -> its argument's values, sorted (shared)
        self.functions = {a.name: a.function for a in population.aggregates}

    def value(self, name: str, own: Any = None) -> Any:
        """A population-wide aggregate, or this line's place (`own` is its value) for rank and percentile."""
        if name in self.scalars:
            return self.scalars[name]
        values = self.sorted_values[name]
        at_most = bisect_right(values, own)
        if self.functions[name] == "rank":
            return len(values) - at_most + 1
        return at_most / len(values) if len(values) else 0.0

    def rank_of(self, line_values: dict[str, Any]) -> Any:
        """This line's value of the population's first `rank` aggregate: the record's `rank`."""
        aggregate = self.population.aggregate("rank")
        return None if aggregate is None else self.value(aggregate.name, line_values[aggregate.name])


class Accumulator:
    """Pass 1: the lines' values fed one by one, the stats at the end."""

    def __init__(self, population: PopulationInfo):
        self.population = population
        self.size = 0
        self.functions = {a.name: a.function for a in population.aggregates}
        self.counts = {a.name: 0 for a in population.aggregates if a.function in ("count", "share")}
        self.sums = {a.name: [0.0, 0.0] for a in population.aggregates if a.function == "sum"}  # Neumaier
        self.extremes = {a.name: None for a in population.aggregates if a.function in ("min", "max")}
        # INVARIANT: aggregates whose arguments are equal IR (spans aside) see equal values, so they share one array
        self.shared = {a.name: a.node for a in population.aggregates if a.per_line}
        self.values = {node: array("d") for node in self.shared.values()}
        self.first = {node: name for name, node in reversed(list(self.shared.items()))}  # who feeds each array

    def add(self, line_values: dict[str, Any]) -> None:
        """One line's value of every aggregate's argument (none missing: the caller checked)."""
        self.size += 1
        for name in self.counts:
            self.counts[name] += line_values[name] is True
        for name, acc in self.sums.items():
            x = float(line_values[name])
            total = acc[0] + x
            acc[1] += (acc[0] - total) + x if abs(acc[0]) >= abs(x) else (x - total) + acc[0]
            acc[0] = total
        for name, seen in self.extremes.items():
            x = line_values[name]
            if seen is None or (x < seen if self.functions[name] == "min" else x > seen):
                self.extremes[name] = x
        for node, values in self.values.items():
            values.append(float(line_values[self.first[node]]))

    def stats(self) -> PopulationStats:
        scalars: dict[str, Any] = {}
        for aggregate in self.population.aggregates:
            if aggregate.function == "count":
                scalars[aggregate.name] = self.counts[aggregate.name]
            elif aggregate.function == "share":
                scalars[aggregate.name] = self.counts[aggregate.name] / self.size if self.size else 0.0
            elif aggregate.function == "sum":
                total, compensation = self.sums[aggregate.name]
                scalars[aggregate.name] = total + compensation
            elif aggregate.function in ("min", "max"):
                seen = self.extremes[aggregate.name]
                scalars[aggregate.name] = Missing([POPULATION_PATH]) if seen is None else seen
        import numpy  # only population decisions pay for it

        ordered = {}
        for node in list(self.values):
            values = numpy.array(self.values.pop(node), dtype=float)  # one copy; the array goes at once
            values.sort()
            ordered[node] = array("d")
            ordered[node].frombytes(memoryview(values).cast("B"))  # back to an array: bisect is faster on it
        return PopulationStats(self.population, self.size, scalars,
                               {name: ordered[node] for name, node in self.shared.items()})


def value_of(facts: dict, name: str, own: Any):
    """What a line's expression reads for an aggregate: its value from the stats the facts carry.

    INVARIANT: only a PopulationStats object counts; a facts file that writes `"@population"`
    itself gives a dict, which is no population, so the value is missing, never forged."""
    stats = facts.get(POPULATION_KEY)
    if not isinstance(stats, PopulationStats):
        return Missing([POPULATION_PATH])
    if type(own) is Missing:
        return own
    return stats.value(name, own)
