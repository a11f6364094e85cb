"""`policy coverage`."""
from __future__ import annotations

import sys

import click

from i18n import N_
from i18n import gettext as _

from dsl.diagnostics import PolicyError

from ._common import fail, wants_colour


# The statuses of engine/compile/coverage.py, in words (the codes stay in JSON and tests).
STATUS = {"operative": N_("operative"), "informative": N_("informative"), "deferred": N_("deferred"),
          "missing": N_("missing")}


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
        for column in (_("article"), _("status"), _("cited by / reason")):
            table.add_column(column)
        for row in rows:
            detail = _(", ").join(row.rules) if row.rules else (row.reason or "")
            status = _(STATUS[row.status]) if row.status in STATUS else row.status
            table.add_row(row.id, status + (_(" (every sentence elided by …)") if row.elided else ""), detail)
        console.print(table)
        accounted = sum(r.status != "missing" for r in rows)
        missing += len(rows) - accounted
        console.print(_("{accounted}/{total} articles accounted for ({percent}%)").format(
            accounted=accounted, total=len(rows), percent=100 * accounted // max(len(rows), 1)))
        elided = [r.id for r in rows if r.elided]
        console.print((_("operative with every sentence elided by …: {ids}").format(ids=_(", ").join(elided)) if elided
                       else _("every operative article quotes a whole sentence")) + "\n")
    sys.exit(1 if missing else 0)
