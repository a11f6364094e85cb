"""`policy schema`."""
from __future__ import annotations

import click

from dsl.diagnostics import PolicyError

from ._common import fail


@click.command()
@click.argument("plan_ref", metavar="PLAN")
def schema(plan_ref: str) -> None:
    """Print the JSON Schema of a plan's facts file (for systems that produce facts).

    Each field carries the name the plan's rules use, its Chinese label, its unit
    (`x-unit`), and for an enum every code with its label (`x-labels`). No field is
    required: an absent fact is missing, never false.

    \b
    Example:
      policy schema heze-2026 > heze-facts.schema.json
    """
    from engine import compile_plan, resolve_plan
    from engine.facts.schema import facts_schema
    from render import to_json_text

    try:
        click.echo(to_json_text(facts_schema(compile_plan(resolve_plan(plan_ref)))))
    except PolicyError as error:
        fail(error)
