"""`policy coverage`."""
from __future__ import annotations

import sys

import click

from dsl.diagnostics import PolicyError

from ._common import fail, wants_colour


@click.command()
@click.argument("plan_refs", metavar="PLAN...", nargs=-1, required=True)
def coverage(plan_refs: tuple[str, ...]) -> None:
    """List every article of a plan's source with its status in the policy file.

    Articles are read from the source document's own numbering (一、 （一） 1. 附件). Each is
    operative (with the rules and definitions citing it), informative, deferred (with the
    reason), or missing: a missing article is a row of the table. Exits 1 when any article
    is missing, 2 on bad input (an unreadable plan, or an error other than a missing article).
    """
    from rich.console import Console
    from rich.table import Table

    from engine import resolve_plan
    from engine.compile.pipeline import plan_for_coverage
    from engine.compile.coverage import coverage as plan_coverage

    console = Console(highlight=False, color_system="auto" if wants_colour() else None)
    missing = 0
    for reference in plan_refs:
        try:
            plan = plan_for_coverage(resolve_plan(reference))  # a missing article is a row, not a stop
        except PolicyError as error:
            fail(error)
        rows = plan_coverage(plan)
        table = Table(title=f"{plan.stamp.id}: {plan.stamp.title}", title_justify="left")
        for column in ("article", "status", "cited by / reason"):
            table.add_column(column)
        for row in rows:
            detail = ", ".join(row.rules) if row.rules else (row.reason or "")
            table.add_row(row.id, row.status + (" (every sentence elided by …)" if row.elided else ""), detail)
        console.print(table)
        accounted = sum(r.status != "missing" for r in rows)
        missing += len(rows) - accounted
        console.print(f"{accounted}/{len(rows)} articles accounted for "
                      f"({100 * accounted // max(len(rows), 1)}%)")
        elided = [r.id for r in rows if r.elided]
        console.print((f"operative with every sentence elided by …: {', '.join(elided)}" if elided
                       else "every operative article quotes a whole sentence") + "\n")
    sys.exit(1 if missing else 0)
