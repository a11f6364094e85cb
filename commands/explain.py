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
@click.option("--what-if", "what_if", is_flag=True, help="Also say what would change the outcome: for the decisive "
              "rule and each rule that would give a better outcome, the smallest change of one fact (exact bound, "
              "strict or not), and the facts that cannot change it; for an undetermined outcome, the missing facts "
              "in the order to ask for them. JSON: a `what_if` field.")
def explain(facts: tuple[str, ...], plan_ref: str | None, context_path: str | None, registry_path: str | None, fmt: str,
            width: int | None, what_if: bool) -> None:
    """Decide one applicant and explain why, citing and quoting every article used.

    FACTS is a JSON file as in FACTS.md (`-` reads standard input); several may be given.
    Exit 0 whenever a decision is produced, whatever the outcome; 2 on bad input (a bad
    registry row too, named by file:line:col).
    """
    from engine.compiled import (
        explain as fast_explain,  # the same Explanation as engine.evaluate, compiled
    )
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
            result = fast_explain(case.plan, case.facts, registry=case.registry)
            extra = _what_if(case, result) if what_if else None
            if fmt == "json":
                click.echo(to_json_text(explanation_to_json(result) | ({"what_if": extra} if extra else {})))
            elif fmt == "md":
                click.echo(explanation_to_markdown(result) + (_what_if_view(extra, "md") if extra else ""))
            elif fmt == "html":
                page = explanation_to_html(result)
                if extra:  # the counterfactuals as a section of the same case document
                    import html

                    section = f'<section class="what-if"><pre>{html.escape(_what_if_view(extra, "text"))}</pre></section>\n'
                    page = page.replace("</body>", section + "</body>", 1)
                click.echo(page, nl=False)
            else:
                tty = sys.stdout.isatty()
                click.echo(explanation_to_text(result, width or (shutil.get_terminal_size().columns if tty else 100), color=tty),
                           nl=False)
                if extra:
                    click.echo(_what_if_view(extra, "text"), nl=False)
    except PolicyError as error:
        fail(error)


def _what_if(case, result) -> dict:
    """The counterfactuals (or the facts still needed) of one decided case, as a JSON record."""
    from engine.solver.needed import still_needed  # z3: only `--what-if` loads it
    from engine.solver.whatif import label_of, what_if
    from render.whatif_view import what_if_to_json

    found = what_if(case.plan, case.facts, result, result.decision)
    needed = still_needed(case.plan, case.facts, result.missing, result.decision) if result.outcome == "undetermined" else ()
    labels = {c.what: label_of(case.plan, c.what) for t in found.targets for c in t.changes if c.kind == "fact"}
    return what_if_to_json(found, needed, labels)


def _what_if_view(data: dict, fmt: str) -> str:
    from render.whatif_view import what_if_to_markdown, what_if_to_text

    return what_if_to_markdown(data) if fmt == "md" else what_if_to_text(data)
