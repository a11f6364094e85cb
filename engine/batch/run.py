"""`policy eval` as a library call: a JSON Lines file opened as the run it asks for.

One line at a time (engine/batch/stream.py), or, when the decision is a population decision
(`--decision 年度考核`, or the first line's "decision"), its two passes
(engine/batch/population.py). Either way the caller gets the decided lines in input order and
writes them as it likes: commands/eval.py with render/batch_view.py.
"""
from __future__ import annotations

from typing import Callable, Iterator

from engine.batch.population import pass_two, population_of
from engine.batch.stream import Batch, Line, read_lines
from engine.facts.fastcase import FastWorkspace
from engine.run.compiled import fast_path


def open_batch(path: str, plan_ref: str | None, context_path: str | None, trace: bool,
               registry_path: str | None = None, strict: bool = False, decision: str | None = None,
               explained: Callable | None = None) -> tuple[Iterator[Line], str | None]:
    """The decided lines of a run, and the name of its population when the decision is a
    population decision (`--decision 年度考核`), which engine/batch/population.py runs: its
    aggregates first, then every line. With `strict`, a line with a warning (an undeclared key)
    is a bad line. What spoils the whole run (an unknown plan, an unreadable context or
    registry) raises here, once, not once per line."""
    decide, population = open_decider(path, plan_ref, context_path, trace, registry_path, strict, decision, explained)
    return (decide(number, raw) for number, raw in enumerate(read_lines(path), 1)), population


def open_decider(path: str, plan_ref: str | None, context_path: str | None, trace: bool,
                 registry_path: str | None = None, strict: bool = False, decision: str | None = None,
                 explained: Callable | None = None) -> tuple[Callable[[int, bytes], Line], str | None]:
    """`open_batch` as a function of one line, (number, raw line) -> its `Line`, for a caller
    that hands lines out itself (`policy eval --jobs`, engine/batch/parallel.py). A population
    decision's pass 1 runs here and now; everything a line needs (plan, context, registry,
    compiled fast path) is loaded before this returns, so that forked workers share it."""
    workspace = FastWorkspace(plan_ref, context_path, registry_path, strict=strict)
    plan = workspace.plan(plan_ref) if plan_ref else None  # an unknown plan is one error for the run, not one per line
    if context_path:
        workspace.context(context_path)  # and so is an unreadable context file
    if registry_path:
        workspace.registry(registry_path, plan)  # and a bad registry file
    batch = Batch(path, workspace, trace, decision, explained)
    if path != "-" or decision is not None:
        population = population_of(batch, plan, decision)
        if population is not None:
            decide = pass_two(batch, *population, explain=trace)
            fast_path(population[0]).module(trace)
            return decide, population[2].name
    if plan is not None:
        workspace.checker(plan)
        fast_path(plan).module(trace)
    return batch.decide, None
