"""A population decision in batch: pass 1 aggregates, pass 2 decides each line, both streaming.

`policy eval --decision 年度考核 institutions.jsonl` reads the file twice. Pass 1 opens every
line as a case (facts checked as for any line), evaluates each aggregate's argument and feeds
engine/run/aggregates.py, which keeps counts, sums and sorted values, never the lines. A line
that cannot be read, or lacks a value an aggregate needs (a score), would make every rank
wrong: the run stops after pass 1 with every such line named, and writes nothing. Pass 2
decides the lines one at a time, in order, with the stats attached to each line's facts, and
yields each line as a `Line` (engine/batch/stream.py) with the line's `rank` and the
population's size; render/batch_view.py makes its record as for any line, with both added and a
`why`.
"""
from __future__ import annotations

from typing import Callable, Iterator

from dsl.diagnostics import Diagnostic, PolicyError
from dsl.spans import Source, Span
from engine.batch.stream import Batch, Line, read_lines
from engine.compile.plan import CheckedPlan, PopulationInfo
from engine.facts.case import choose_decision
from engine.run.aggregates import POPULATION_KEY, Accumulator, PopulationStats
from engine.run.compiled import fast_path
from engine.run.evaluator import Evaluation
from engine.values.missing import Missing

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


def decided_lines(batch: Batch, plan: CheckedPlan, decision: str, population: PopulationInfo, explain: bool
                  ) -> Iterator[Line]:
    """Pass 1, then pass 2 as a stream: a `Line` per line with its rank and the population's
    size; `result` is an Explanation (`explain`) or a Decision, or the PolicyError of a line
    that fails in pass 2."""
    decide = pass_two(batch, plan, decision, population, explain)
    for number, raw in enumerate(read_lines(batch.path), 1):
        yield decide(number, raw)


def pass_two(batch: Batch, plan: CheckedPlan, decision: str, population: PopulationInfo, explain: bool
             ) -> Callable[[int, bytes], Line]:
    """Pass 1 (every line aggregated, here and now), then pass 2 as a function of one line:
    (number, raw line) -> its `Line`. `policy eval --jobs` runs that function in workers
    forked once the aggregates are known."""
    stats = aggregate(batch, plan, population)
    compiled = fast_path(plan)
    rank = population.aggregate("rank")
    run = compiled.explain if explain else compiled.decide

    def decide(number: int, raw: bytes) -> Line:
        ids: list = []
        try:
            case = _open(batch, plan, number, raw, ids)
            facts = case.facts
            facts[POPULATION_KEY] = stats
            result = run(facts, decision, registry=case.registry)
            place = None if rank is None else stats.value(rank.name, line_values_of(plan, rank, facts))
            return Line(number, case, result, None, place, stats.size)
        except PolicyError as error:
            return Line(number, None, error, (ids or [None])[0], None, stats.size)

    return decide


def line_values(plan: CheckedPlan, population: PopulationInfo, facts: dict) -> dict:
    """Each aggregate's argument for one line, by the reference evaluator; a `Missing` stays
    one, for the caller to turn into that line's error."""
    run = Evaluation(plan, facts)
    return {a.name: run.eval(a.node, {}) for a in population.aggregates}


def line_values_of(plan: CheckedPlan, aggregate, facts: dict):
    return Evaluation(plan, facts).eval(aggregate.node, {})

