"""`policy allocate`."""
from __future__ import annotations

import sys

import click

from dsl.diagnostics import PolicyError

from ._common import atomic_output, fail


@click.command()
@click.argument("applicants", metavar="APPLICANTS.jsonl")
@click.option("--plan", "plan_ref", metavar="PLAN", required=True, help="Plan id or .policy path.")
@click.option("--context", "context_path", metavar="CITY.json", help="City-year statistics: the quotas and every "
              "line's `city`.")
@click.option("--registry", "registry_path", metavar="REG.csv", help="Registry of designated institutions the "
              "spacing rules ask; the round's admitted applicants are added to it as they are admitted.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically) instead of stdout.")
def allocate(applicants: str, plan_ref: str, context_path: str | None, registry_path: str | None,
             output: str | None) -> None:
    """择优 among the applicants of a round: decide each, rank the eligible ones of each region and
    category, admit them up to the year's quota (`policy quota`), the rest waitlisted.

    One JSON record per input line, in order: applicant, outcome (admitted, waitlisted, or the
    admission outcome), rank, region, quota, what was used before it and why. A summary per
    region and category goes to standard error. Exit 0; 2 if a line was bad (its record is an
    error) or on bad input (plan, context, registry, a negative quota).
    """
    import json

    from engine.allocation.run import allocate_round
    from render.allocation_view import round_records

    try:
        result = allocate_round(applicants, plan_ref, context_path, registry_path)
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        with atomic_output(output) as out:  # a temporary file renamed into place: no half file
            for record in round_records(result):
                out.write(dumps(record) + "\n")
    except PolicyError as error:
        fail(error)
    bad = result.bad
    if result.allocation is not None:
        click.echo(summary_text(result.allocation.summary()), err=True)
    if bad:
        click.echo(f"{bad} line(s) bad: see their error records", err=True)
    sys.exit(2 if bad else 0)


def summary_text(summary: list[dict]) -> str:
    from render.values import show

    lines = ["region · category: quota, used; outcomes"]
    for s in summary:
        quota = f"{show(s['quota'])} {s['unit']}" if s["quota"] is not None else "no number"
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(s["outcomes"].items()))
        lines.append(f"  {s['region']} · {s['category']}: {quota}, used {show(s['used'])}; {outcomes}")
    return "\n".join(lines)
