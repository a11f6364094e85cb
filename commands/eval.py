"""`policy eval`."""
from __future__ import annotations

import sys

import click

from dsl.diagnostics import PolicyError

from ._common import fail


@click.command(name="eval")
@click.argument("facts", metavar="FACTS.jsonl")
@click.option("--plan", "plan_ref", metavar="PLAN", help="Plan id or .policy path; else each line's \"plan\".")
@click.option("--context", "context_path", metavar="CITY.json", help="City-year statistics for every line.")
@click.option("--registry", "registry_path", metavar="REG.csv", help="Registry of designated institutions (CSV "
              "`id,name,category,lat,lon`) the spacing questions ask; overrides each line's \"registry\".")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically) instead of stdout.")
@click.option("--trace", is_flag=True, help="Include the full trace in every decision.")
@click.option("--strict", is_flag=True, help="A line with a warning (a key the plan does not declare) is a bad line.")
@click.option("--decision", "decision", metavar="NAME", help="The plan's decision to take (年度考核 over a population "
              "of institutions, 试运行, …); else each line's \"decision\", else admission (准入).")
def eval_(facts: str, plan_ref: str | None, context_path: str | None, registry_path: str | None, output: str | None,
          trace: bool, strict: bool, decision: str | None = None) -> None:
    """Decide every applicant of a JSON Lines file, one decision per line, in input order.

    A bad line gives an error object naming its line and JSON path; the rest go on, and the
    exit code is 2 at the end. Each decision lists its `warnings` (a key the plan does not
    declare, with the nearest declared name). `-` reads standard input. A progress bar (at a
    terminal) and a summary go to standard error; standard output carries only decisions.
    """
    from engine.batch import run_batch

    try:
        bad = run_batch(facts, plan_ref, context_path, output, trace, registry_path=registry_path, strict=strict,
                        decision=decision)
    except PolicyError as error:
        fail(error)
    sys.exit(2 if bad else 0)
