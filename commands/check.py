"""`policy check`."""
from __future__ import annotations

import sys

import click

from i18n import gettext as _

from dsl.diagnostics import render_all


@click.command()
@click.argument("plans", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--strict", is_flag=True, help="Treat warnings as findings too.")
@click.option("--no-lint", "no_lint", is_flag=True, help="Skip the solver's lints (W101-W104: rules no applicant "
              "reaches, shadowed exemptions, overlapping tiers, applicants only `otherwise` decides).")
@click.option("--witness-dir", metavar="DIR", help="Write the witness facts file of each solver lint there.")
def check(plans: tuple[str, ...], strict: bool, no_lint: bool, witness_dir: str | None) -> None:
    """Check policy files: syntax, names, types and units, citations, quotes, cycles.

    Prints each problem as `file:line:col: message` with the source line, a caret and a
    hint. A plan without errors is then linted by the solver (z3): each warning's help line
    carries a witness facts file that `policy explain` shows the finding with. Exits 0 when
    clean, 1 when anything is found (warnings only with --strict).
    """
    from engine import check_file
    from engine.compile.pipeline import duplicate_ids

    findings = 0
    duplicates = duplicate_ids(list(plans))  # two files, one plan id: neither may silently win a lookup
    for path in plans:
        diagnostics = check_file(path)
        if path in duplicates:
            diagnostics = (*diagnostics, duplicates[path])
        if not no_lint and not any(d.severity == "error" for d in diagnostics):
            diagnostics = (*diagnostics, *_lints(path, witness_dir))
        if diagnostics:
            click.echo(render_all(diagnostics), err=True)
        errors = [d for d in diagnostics if d.severity == "error" or strict]
        findings += len(errors)
        warnings = len(diagnostics) - len([d for d in diagnostics if d.severity == "error"])
        status = _("ok") if not errors else _("{count} finding(s)").format(count=len(errors))
        if warnings and not strict:
            status = _("{status}, {more}").format(status=status, more=_("{count} warning(s)").format(count=warnings))
        click.echo(_("{label}: {value}").format(label=path, value=status))
    sys.exit(1 if findings else 0)


def _lints(path: str, witness_dir: str | None) -> list:
    from dsl.diagnostics import PolicyError
    from engine import compile_plan
    from engine.solver.lints import lint_plan, to_diagnostics  # z3: loaded only here

    try:
        plan = compile_plan(path)
    except PolicyError:
        return []
    return to_diagnostics(lint_plan(plan), witness_dir)
