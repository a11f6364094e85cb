"""`policy graph`."""
from __future__ import annotations

import click

from dsl.diagnostics import PolicyError

from ._common import fail


@click.command()
@click.argument("plan_ref", metavar="PLAN")
def graph(plan_ref: str) -> None:
    """Print a plan's dependency graph (inputs -> definitions -> rules -> decisions) as Graphviz dot."""
    from engine import compile_plan, resolve_plan
    from engine.compile.graph import to_dot

    try:
        click.echo(to_dot(compile_plan(resolve_plan(plan_ref))))
    except PolicyError as error:
        fail(error)
