"""`policy quota`."""
from __future__ import annotations

import click

from i18n import gettext as _

from dsl.diagnostics import PolicyError, render_all

from ._common import FORMATS, fail


@click.command()
@click.option("--plan", "plan_ref", metavar="PLAN", required=True, help="Plan id (found in policies/) or path to a "
              ".policy file.")
@click.option("--context", "context_path", metavar="CITY.json", help="City-year statistics (`city`) the quotas are "
              "computed from.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for the terminal; json: {plan, quotas: [...]} for tools; md for the case file.")
def quota(plan_ref: str, context_path: str | None, fmt: str) -> None:
    """The year's quotas: every `quota` of the plan for every region, with its branch, formula and values.

    Without --context every figure is undetermined (the statistics are absent). Exit 0 when
    every figure is known; 2 on bad input, on a quota that comes out negative (an error naming
    the figures) or when a region's statistics are absent (the table is still printed).
    """
    from dsl.spans import Source
    from engine.allocation import quota_table
    from engine.facts.fastcase import FastWorkspace
    from render import to_json_text
    from render.quota_view import table_to_json, table_to_markdown, table_to_text

    workspace = FastWorkspace(plan_ref, context_path)
    try:
        plan = workspace.plan(plan_ref)
        if not plan.quotas:
            raise PolicyError([_no_quotas(plan)])
        context = workspace.context(context_path) if context_path else None
        facts = workspace.validate(plan, {}, context, Source(context_path or "<no context>", ""))
        table = quota_table(plan, facts)
    except PolicyError as error:
        fail(error)
    if fmt == "json":
        click.echo(to_json_text(table_to_json(table, plan.stamp)))
    elif fmt == "md":
        click.echo(table_to_markdown(table, plan.stamp))
    else:
        click.echo(table_to_text(table, plan.stamp), nl=False)
    absent = sorted({p for row in table.rows for p in row.missing})
    if table.diagnostics:
        click.echo(render_all(table.diagnostics), err=True)
    if absent:
        where = f"`{context_path}`" if context_path else _("no context (pass --context CITY.json)")
        click.echo(_("warning: {count} region(s) undetermined: {where} lacks {names}").format(
            count=len({r.region for r in table.rows if r.missing}), where=where,
            names=", ".join(absent[:6]) + (" …" if len(absent) > 6 else "")), err=True)
    if table.diagnostics or absent:
        raise SystemExit(2)


def _no_quotas(plan):
    from dsl.diagnostics import Diagnostic

    return Diagnostic("A020", f"plan `{plan.stamp.id}` declares no quota", plan.header.span,
                      "a quota reads `quota NAME cites ARTICLE for CATEGORY per REGION unit U when … then …`")
