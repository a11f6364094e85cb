"""`policy schema`."""
from __future__ import annotations

import click

from dsl.diagnostics import PolicyError

from i18n import N_

from ._common import fail

# The schema's own words, as engine/facts/schema.py writes them (in English, like every JSON value);
# `policy schema` says them in the current language. The plan's labels (「…」) stay as the plan writes them.
SCHEMA_WORDS = (N_("the plan id, here `{id}`"), N_("the date the application is judged on"),
                N_("the decision to take; absent: `{name}`"), N_("facts for {id} ({title})"))


def localized(node):
    """The schema with its titles and descriptions in the current language."""
    from i18n.diagnostics import translated

    if isinstance(node, dict):
        return {k: translated(v, SCHEMA_WORDS) if k in ("description", "title") and isinstance(v, str)
                else localized(v) for k, v in node.items()}
    if isinstance(node, list):
        return [localized(v) for v in node]
    return node


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
        click.echo(to_json_text(localized(facts_schema(compile_plan(resolve_plan(plan_ref))))))
    except PolicyError as error:
        fail(error)
