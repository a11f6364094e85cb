"""`policy explain`."""
from __future__ import annotations

import shutil
import sys

import click

from dsl.diagnostics import PolicyError

from ._common import FORMATS, fail


@click.command()
@click.argument("facts", nargs=-1, required=True)
@click.option("--plan", "plan_ref", metavar="PLAN", help="Plan id (found in policies/) or path to a .policy file; "
              "overrides the facts file's \"plan\".")
@click.option("--context", "context_path", metavar="CITY.json", help="City-year statistics (`city`), shared by many "
              "applicants; overrides the facts file's \"context\".")
@click.option("--registry", "registry_path", metavar="REG.csv", help="Registry of designated institutions (CSV "
              "`id,name,category,lat,lon`) the spacing questions ask; overrides the facts file's \"registry\".")
@click.option("--format", "fmt", type=click.Choice((*FORMATS, "html")), default="text", show_default=True,
              help="text: a tree for the terminal; json: the record for tools; md, html: a document for the case file.")
@click.option("--width", type=int, default=None, help="Text width (default: the terminal's).")
@click.option("--decision", "decision_name", metavar="NAME", help="The plan's decision to run (e.g. 双通道); "
              "overrides the facts file's \"decision\"; default: the admission decision 准入.")
def explain(facts: tuple[str, ...], plan_ref: str | None, context_path: str | None, registry_path: str | None, fmt: str,
            width: int | None, decision_name: str | None) -> None:
    """Decide one applicant and explain why, citing and quoting every article used.

    FACTS is a JSON file as in FACTS.md (`-` reads standard input); several may be given.
    Exit 0 whenever a decision is produced, whatever the outcome; 2 on bad input (a bad
    registry row too, named by file:line:col).
    """
    from engine.compiled import (
        explain as fast_explain,  # the same Explanation as engine.evaluate, compiled
    )
    from engine.decide import choose_decision
    from engine.fastcase import FastWorkspace
    from render import explanation_to_json, to_json_text

    if fmt != "json":  # the text view brings rich in: only the formats that use it load it
        from render import explanation_to_html, explanation_to_markdown, explanation_to_text
    workspace = FastWorkspace(plan_ref, context_path, registry_path)
    try:
        for number, path in enumerate(facts):
            if fmt == "text" and len(facts) > 1:
                click.echo(("\n" if number else "") + f"── {path} " + "─" * max(0, 60 - len(path)))
            case = workspace.open_case_file(path)
            chosen = choose_decision(case.plan, decision_name, case.facts, path)
            result = fast_explain(case.plan, case.facts, chosen, registry=case.registry)
            if fmt == "json":
                click.echo(to_json_text(explanation_to_json(result)))
            elif fmt == "md":
                click.echo(explanation_to_markdown(result))
            elif fmt == "html":
                click.echo(explanation_to_html(result), nl=False)
            else:
                tty = sys.stdout.isatty()
                click.echo(explanation_to_text(result, width or (shutil.get_terminal_size().columns if tty else 100), color=tty),
                           nl=False)
    except PolicyError as error:
        fail(error)
