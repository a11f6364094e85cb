"""`policy explain`."""
from __future__ import annotations

import sys

import click

from i18n import gettext as _

from ._common import FORMATS


@click.command()
@click.argument("facts", nargs=-1, required=True)
@click.option("--plan", "plan_ref", metavar="PLAN", help="Plan id (found in policies/) or path to a .policy file; "
              "overrides the facts file's \"plan\".")
@click.option("--context", "context_path", metavar="CITY.json", help="City-year statistics (`city`), shared by many "
              "applicants; overrides the facts file's \"context\".")
@click.option("--registry", "registry_path", metavar="REG.csv", help="Registry of designated institutions (CSV "
              "`id,name,category,lat,lon`) the spacing questions ask; overrides the facts file's \"registry\".")
@click.option("--format", "fmt", type=click.Choice((*FORMATS, "html", "doc")), default="text", show_default=True,
              help=_("text: a tree for the terminal; json: the record for tools; md, html, doc (plain text): "
                     "the case document to file (docs/case-documents.md)."))
@click.option("--width", type=int, default=None, help="Text width (default: the terminal's).")
@click.option("--decision", "decision", metavar="NAME", help="The plan's decision to take (试运行, …); else the "
              "facts file's \"decision\", else admission (准入).")
@click.option("--strict", is_flag=True, help="Treat warnings (a facts key the plan does not declare, a registry "
              "with no institution of the applicant's type) as bad input.")
@click.option("--what-if", "what_if", is_flag=True, help="Also say what would change the outcome: for the decisive "
              "rule and each rule that would give a better outcome, the smallest change of one fact (exact bound, "
              "strict or not), and the facts that cannot change it; for an undetermined outcome, the missing facts "
              "in the order to ask for them. JSON: a `what_if` field.")
@click.option("--record", "record_path", metavar="FILE", help="Also write the decision as an audit record (JSON; "
              "`policy verify FILE` replays it; docs/records.md).")
def explain(facts: tuple[str, ...], plan_ref: str | None, context_path: str | None, registry_path: str | None, fmt: str,
            width: int | None, strict: bool, decision: str | None = None, what_if: bool = False,
            record_path: str | None = None) -> None:
    """Decide one applicant and explain why, citing and quoting every article used.

    FACTS is a JSON file as in docs/facts.md (`-` reads standard input); several may be
    given: each is decided, each bad one reported, and the exit code is 2 at the end if any
    was bad. With several files, json gives one array and md and html one document with a
    section per file. Warnings (a key the plan does not declare, with the nearest name) go
    to standard error, and into `warnings` of the JSON record.
    Exit 0 whenever a decision is produced, whatever the outcome; 2 on bad input (a bad
    registry row too, named by file:line:col).
    """
    from .explain_files import explain_files

    sys.exit(explain_files(facts, plan_ref, context_path, registry_path, fmt, width, strict, decision, what_if,
                           record_path))
