"""A population decision in batch: pass 1 aggregates, pass 2 decides each line, both streaming.

`policy eval --decision 年度考核 institutions.jsonl` reads the file twice. Pass 1 opens every
line as a case (facts checked as for any line), evaluates each aggregate's argument and feeds
engine/run/aggregates.py, which keeps counts, sums and sorted values, never the lines. A line
that cannot be read, or lacks a value an aggregate needs (a score), would make every rank
wrong: the run stops after pass 1 with every such line named, and writes nothing. Pass 2
decides the lines one at a time, in order, with the stats attached to each line's facts, and
writes one record per line as `policy eval` does, with the line's `rank` and the population's
size added, and a `why`.
"""
from __future__ import annotations

import json
import sys

from dsl.diagnostics import Diagnostic, PolicyError
from dsl.spans import Source, Span
from engine.batch.stream import Batch, decision_record, error_record, read_lines, traced_record, write_records
from engine.compile.plan import CheckedPlan, PopulationInfo
from engine.facts.case import choose_decision
from engine.run.aggregates import POPULATION_KEY, Accumulator, PopulationStats, line_values
from engine.run.compiled import fast_path
from engine.run.evaluator import Missing

_SHOWN = 20  # bad lines named before the run stops: enough to see the pattern, not a flood


def population_of(batch: Batch, plan: CheckedPlan | None, decision: str | None
                  ) -> tuple[CheckedPlan, str, PopulationInfo] | None:
    """(plan, decision, population) when the run's decision is a population decision, else None.

    The decision is `--decision`, else the first line's "decision"; the plan `--plan`, else the
    one the first line names: a population is judged under one plan, by one decision."""
    first = _first_case(batch) if (plan is None or decision is None) and batch.path != "-" else None
    if plan is None:
        plan = first.plan if first is not None else None
    if decision is None and first is not None:
        named = first.facts.get("decision")
        decision = named if isinstance(named, str) and named in plan.decisions else None
    if plan is None or decision is None:
        return None
    info = plan.decisions.get(decision)
    if info is None:
        choose_decision(plan, decision, {})  # the unknown name, with the plan's decisions
    if info.population is None:
        return None
    if batch.path == "-":
        raise PolicyError([Diagnostic("A012", f"decision `{decision}` reads its population twice, so it needs a file",
                                      Span(Source("-", "")), "write the lines to a file and pass its name instead of -")])
    return plan, decision, plan.populations[info.population]


def _first_case(batch: Batch):
    for number, raw in enumerate(read_lines(batch.path), 1):
        try:
            return batch.open(number, raw, [])
        except PolicyError:
            return None  # pass 1 names the line
    return None


def _open(batch: Batch, plan: CheckedPlan, number: int, raw: bytes, ids: list):
    case = batch.open(number, raw, ids)
    if case.plan is not plan:
        raise PolicyError([Diagnostic("A013", f"this line is judged under plan `{case.plan.stamp.id}`, the population "
                                      f"under `{plan.stamp.id}`", Span(case.source or Source(batch.path, "")),
                                      "a population is ranked under one plan: give --plan, or the same \"plan\" on every line")])
    return case


def aggregate(batch: Batch, plan: CheckedPlan, population: PopulationInfo) -> PopulationStats:
    """Pass 1: every line's aggregate arguments; raise with every bad line named."""
    accumulator = Accumulator(population)
    bad: list[Diagnostic] = []
    count = 0
    for number, raw in enumerate(read_lines(batch.path), 1):
        try:
            case = _open(batch, plan, number, raw, [])
            values = line_values(plan, population, case.facts)
            gaps = [(name, value) for name, value in values.items() if type(value) is Missing]
            if gaps:
                source = case.source or Source(f"{batch.path}:{number}", "")
                raise PolicyError([Diagnostic(
                    "F010", f"this line has no value for {', '.join(f'`{n}`' for n, _ in gaps)} of population "
                    f"`{population.name}`", Span(source, 1, 1, 1, 2),
                    "every line of a population needs it: a line without it would make every rank and share wrong",
                    path=", ".join(sorted({p for _, v in gaps for p in v.paths})))])
            accumulator.add(values)
        except PolicyError as error:
            count += 1
            if count <= _SHOWN:
                bad += error.diagnostics[:1]
    if count:
        more = f"; {count - _SHOWN} more not shown" if count > _SHOWN else ""
        bad.append(Diagnostic("F011", f"{count} line(s) of the population cannot be aggregated, so no line is decided"
                              f"{more}", Span(Source(batch.path, "")),
                              "correct the lines named above and run again: the ranks depend on every line"))
        raise PolicyError(bad)
    return accumulator.stats()


def decided_lines(batch: Batch, plan: CheckedPlan, decision: str, population: PopulationInfo, explain: bool):
    """Pass 1, then pass 2 as a stream: (line number, data, result, rank, size) per line, or
    (line number, None, error, None, size) for a line that fails in pass 2. `result` is an
    Explanation (`explain`) or a Decision."""
    stats = aggregate(batch, plan, population)
    pass_2 = _Pass2(batch, plan, decision, population, stats, explain)
    for number, raw in enumerate(read_lines(batch.path), 1):
        yield pass_2.decided(number, raw)


class _Pass2:
    """Pass 2 of one run: a line decided with the population's stats, and its record as text.
    The same object runs in every worker of `--jobs`, so the records are the same bytes."""

    def __init__(self, batch: Batch, plan: CheckedPlan, decision: str, population: PopulationInfo,
                 stats: PopulationStats, explain: bool):
        self.batch, self.plan, self.decision, self.stats = batch, plan, decision, stats
        self.compiled = fast_path(plan)
        self.run = self.compiled.explain if explain else self.compiled.decide
        self.rank = population.aggregate("rank")
        self.stamp = plan.stamp.as_json()
        self.dumps = json.JSONEncoder(ensure_ascii=False).encode

    def decided(self, number: int, raw: bytes) -> tuple:
        ids: list = []
        stats = self.stats
        try:
            case = _open(self.batch, self.plan, number, raw, ids)
            facts = case.facts
            facts[POPULATION_KEY] = stats
            result = self.run(facts, self.decision, registry=case.registry)
            place = None if self.rank is None else stats.value(self.rank.name,
                                                               line_values_of(self.plan, self.rank, facts))
            return number, case, result, place, stats.size
        except PolicyError as error:
            return number, None, (error, (ids or [None])[0], self.batch.path), None, stats.size

    def line(self, number: int, raw: bytes) -> str:
        """The record of a line as JSON text, counted in the batch's counts."""
        batch = self.batch
        number, case, result, place, size = self.decided(number, raw)
        if case is None:
            batch.counts["error"] += 1
            record = error_record(number, *result)
        else:
            record = (traced_record(result, number) if batch.trace
                      else decision_record(result, number, self.stamp, batch.values))
            record["rank"] = place
            record["population"] = size
            record["warnings"] = batch.warnings(case.warnings, number)
            batch.warned += bool(case.warnings)
            if not batch.trace:
                record["why"] = _why(record, place, size)
            batch.counts[record["outcome"]] += 1
        return self.dumps(record)


def run_population(batch: Batch, plan: CheckedPlan, decision: str, population: PopulationInfo,
                   output: str | None, jobs: int | None = 1, on_line=None) -> int:
    """Both passes; one record per line in order; return how many lines were bad (pass 2 only).
    Pass 1 runs in this process (its aggregates are one sum over every line); pass 2, with
    `jobs` > 1, in workers forked once the aggregates are known."""
    stats = aggregate(batch, plan, population)
    pass_2 = _Pass2(batch, plan, decision, population, stats, batch.trace)
    pass_2.compiled.module(batch.trace)  # compiled before any fork, so that every worker has it
    number = write_records(batch, pass_2.line, output, jobs, on_line)
    summary = ", ".join(f"{outcome} {n}" for outcome, n in sorted(batch.counts.items()))
    print(f"{number} lines of population `{population.name}` ({stats.size} aggregated): {summary or 'none'}",
          file=sys.stderr)
    return batch.counts["error"]


def line_values_of(plan: CheckedPlan, aggregate, facts: dict):
    from engine.run.evaluator import Evaluation

    return Evaluation(plan, facts).eval(aggregate.node, {})


def _why(record: dict, place, size: int) -> str:
    ranked = f"rank {place} of {size}" if place is not None else f"{size} in the population"
    by = record.get("decided_by")
    if by:
        return f"{ranked}; `{by['rule']}` ({by['article']}) decided: {record.get('reason') or record['outcome']}"
    return f"{ranked}; no rule decided, so the decision's `otherwise` holds: {record['outcome']}"
