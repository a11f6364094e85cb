"""`policy check`."""
from __future__ import annotations

import sys

import click

from dsl.diagnostics import render_all


@click.command()
@click.argument("plans", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--strict", is_flag=True, help="Treat warnings as findings too.")
def check(plans: tuple[str, ...], strict: bool) -> None:
    """Check policy files: syntax, names, types and units, citations, quotes, cycles.

    Prints each problem as `file:line:col: message` with the source line, a caret and a
    hint. Exits 0 when clean, 1 when anything is found (warnings only with --strict).
    """
    from engine import check_file
    from engine.compile import duplicate_ids

    findings = 0
    duplicates = duplicate_ids(list(plans))  # two files, one plan id: neither may silently win a lookup
    for path in plans:
        diagnostics = check_file(path)
        if path in duplicates:
            diagnostics = (*diagnostics, duplicates[path])
        if diagnostics:
            click.echo(render_all(diagnostics), err=True)
        errors = [d for d in diagnostics if d.severity == "error" or strict]
        findings += len(errors)
        warnings = len(diagnostics) - len([d for d in diagnostics if d.severity == "error"])
        status = "ok" if not errors else f"{len(errors)} finding(s)"
        click.echo(f"{path}: {status}" + (f", {warnings} warning(s)" if warnings and not strict else ""))
    sys.exit(1 if findings else 0)
