"""`policy eval` as a library call: a JSON Lines file opened as the run it asks for.

One line at a time (engine/batch/stream.py), or, when the decision is a population decision
(`--decision 年度考核`, or the first line's "decision"), its two passes
(engine/batch/population.py). Either way the caller gets the decided lines in input order and
writes them as it likes: commands/eval.py with render/batch_view.py.
"""
from __future__ import annotations

from typing import Callable, Iterator

from engine.batch.population import decided_lines, population_of
from engine.batch.stream import Batch, Line
from engine.facts.fastcase import FastWorkspace


def open_batch(path: str, plan_ref: str | None, context_path: str | None, trace: bool,
               registry_path: str | None = None, strict: bool = False, decision: str | None = None,
               explained: Callable | None = None) -> tuple[Iterator[Line], str | None]:
    """The decided lines of a run, and the name of its population when the decision is a
    population decision (`--decision 年度考核`), which engine/batch/population.py runs: its
    aggregates first, then every line. With `strict`, a line with a warning (an undeclared key)
    is a bad line. What spoils the whole run (an unknown plan, an unreadable context or
    registry) raises here, once, not once per line."""
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
            return decided_lines(batch, *population, explain=trace), population[2].name
    return batch.lines(), None
