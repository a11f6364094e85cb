"""`policy doc`."""
from __future__ import annotations

import click

from dsl.diagnostics import Diagnostic, PolicyError
from dsl.spans import Source, Span

from ._common import fail


@click.command()
@click.argument("plan_ref", metavar="PLAN")
@click.option("-o", "--output", "out", required=True, metavar="DIR", help="The folder to write the site into.")
def doc(plan_ref: str, out: str) -> None:
    """Write a plan as a static site: every article with the rules that encode it, and back.

    PLAN is a plan id or a path to a .policy file. Pages: the articles, the source text, each
    rule, definition and decision, the inputs, the dependency graph (SVG) and the examples
    with their outcomes. Exit 0 written, 2 a plan that does not check or a folder not writable.
    """
    from docsite import build_site, write_site
    from engine import compile_plan, resolve_plan

    try:
        plan = compile_plan(resolve_plan(plan_ref))
        site = build_site(plan)
        written = write_site(site, out)
    except PolicyError as error:
        fail(error)
    except OSError as error:
        fail(PolicyError([Diagnostic("O002", f"cannot write the site into `{out}`: {error.strerror or error}",
                                     Span(Source(out, "")), "give a folder you may write to")]))
    click.echo(f"{out}: {len(written)} files; open {out.rstrip('/')}/index.html")
