"""`policy diff`."""
from __future__ import annotations

import shutil
import sys

import click

from i18n import gettext as _

from dsl.diagnostics import PolicyError

from ._common import FORMATS, fail, wants_colour


@click.command(name="diff")
@click.argument("old_ref", metavar="OLD")
@click.argument("new_ref", metavar="NEW")
@click.option("--population", metavar="FILE.jsonl", help="Decide every line under both versions and report whose "
              "outcome flips (`-` reads standard input).")
@click.option("--context", "context_path", metavar="CITY.json", help="City-year statistics for every line; "
              "overrides each line's \"context\" (relative to the population file).")
@click.option("--registry", "registry_path", metavar="REG.csv", help="Registry of designated institutions (CSV "
              "`id,name,category,lat,lon`) the spacing questions ask; overrides each line's \"registry\".")
@click.option("--examples", default=3, show_default=True, metavar="N", type=click.IntRange(min=0),
              help="Lines shown side by side, old and new.")
@click.option("--semantic", is_flag=True, help="Prove, category by category and district by district, whether the "
              "versions decide any applicant differently (z3): equivalent, stricter, looser or incomparable, with a "
              "witness facts file for every difference.")
@click.option("--witness-dir", metavar="DIR", help="With --semantic: write each witness there as a facts file.")
@click.option("--baseline", metavar="CITY.json", help="With --semantic: a context or facts file whose values the "
              "witnesses keep where they can (realistic statistics, only what matters changed).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True, metavar="SECONDS",
              help="With --semantic: the solver's time for one question; past it the answer is `unknown`.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--width", type=int, default=None, help="Text width (default: the terminal's).")
def diff_(old_ref: str, new_ref: str, population: str | None, context_path: str | None, registry_path: str | None,
          examples: int, semantic: bool, witness_dir: str | None, baseline: str | None, timeout: float, fmt: str, width: int | None) -> None:
    """Compare two versions of a plan: what changed, article by article, and whom it changes.

    OLD and NEW are .policy files (or plan ids). Items are matched by article id and by name,
    not by line, so layout and comments never count: the report lists articles added, removed
    or reworded (marked character by character, [-50%-]{+60%+}), status changes, rules added,
    removed or changed with each number old -> new (800 m -> 500 m), districts moved between
    zones, precedence changes, inputs, readings and the plan header.

    With --population, every applicant is decided under both versions; the report counts the
    lines whose outcome flips (by district and category) and shows a few side by side, naming
    the change that caused each. Bad lines are listed with their line number. When both
    versions declare quotas, the population is also allocated as one round under each: the
    quota figures that change and the applicants whose allocation flips.

    \b
    Example:
      policy diff policies/shenyang-2025-draft.policy shenyang-2025-final.policy \\
          --population applicants-2026.jsonl --context city-2026.json --format md

    With --semantic, both plans' decisions are translated into constraints and the solver says,
    for each category and district, `equivalent`, `stricter`, `looser`, `incomparable` or
    `unknown` (timed out: never taken as equivalent), with a minimal facts file for every
    difference that `policy explain` decides as reported (docs/diff.md, Semantic diff).

    Exit codes, like diff(1): 0 the versions are equivalent, 1 they differ, 2 bad input
    (a file that cannot be read or parsed, a plan that fails its check, bad population lines).
    """
    from engine import diff_plans, resolve_plan
    from engine.compile.pipeline import parse_resolved  # the one reader inside: BOM, CRLF, GBK named
    from engine.diff.population import replay
    from render import to_json_text
    from render.diff_view import diff_to_json, diff_to_markdown, diff_to_text

    if semantic:
        _semantic(old_ref, new_ref, witness_dir, baseline, timeout, fmt)
    try:
        old_path, new_path = str(resolve_plan(old_ref)), str(resolve_plan(new_ref))
        changes = diff_plans(*(parse_resolved(p) for p in (old_path, new_path)))  # with what each extends
        report = (replay(old_path, new_path, population, changes, context_path, registry_path=registry_path)
                  if population else None)
        allocation = None
        if population and population != "-":  # both versions with quotas: the round allocated under each
            from engine.allocation.compare import compare_rounds

            allocation = compare_rounds(old_path, new_path, population, context_path, registry_path)
    except PolicyError as error:
        fail(error)
    if allocation is not None:
        from render.allocation_view import report_to_json, report_to_text
    if fmt == "json":
        data = diff_to_json(changes, report, examples)
        if allocation is not None:
            data["allocation"] = report_to_json(allocation)
        click.echo(to_json_text(data))
    elif fmt == "md":
        click.echo(diff_to_markdown(changes, report, examples), nl=False)
        if allocation is not None:
            click.echo("\n" + report_to_text(allocation, markdown=True), nl=False)
    else:
        tty = sys.stdout.isatty()
        click.echo(diff_to_text(changes, report, width or (shutil.get_terminal_size().columns if tty else 100), wants_colour(), examples),
                   nl=False)
        if allocation is not None:
            click.echo(report_to_text(allocation), nl=False)
    if report is not None and report.errors:
        click.echo(_("policy diff: {count} bad line(s) in {file} (listed in the report)").format(
            count=len(report.errors), file=population), err=True)
        sys.exit(2)
    sys.exit(1 if changes else 0)


def _semantic(old_ref: str, new_ref: str, witness_dir: str | None, baseline_path: str | None, timeout: float,
              fmt: str) -> None:
    from engine import compile_plan, resolve_plan
    from engine.solver.semantic_diff import semantic_diff, write_witnesses
    from render import to_json_text
    from render.semantic_view import semantic_to_json, semantic_to_markdown, semantic_to_text

    try:
        old_path, new_path = str(resolve_plan(old_ref)), str(resolve_plan(new_ref))
        baseline = None
        if baseline_path:
            from engine.facts.case import read_source
            from engine.facts.validate import parse_json

            source = read_source(baseline_path, "baseline")
            baseline = parse_json(source.text, source, "baseline")
            baseline = {k: v for k, v in baseline.items() if k in ("applicant", "city")}
        report = semantic_diff(compile_plan(old_path), compile_plan(new_path), int(timeout * 1000), baseline)
    except PolicyError as error:
        fail(error)
    if witness_dir:
        try:
            report = write_witnesses(report, witness_dir)
        except OSError as error:
            click.echo(_("policy diff: cannot write witnesses to `{folder}`: {reason}").format(
                folder=witness_dir, reason=error.strerror or error), err=True)
            sys.exit(2)
    data = semantic_to_json(report, old_path, new_path)
    if fmt == "json":
        click.echo(to_json_text(data))
    elif fmt == "md":
        click.echo(semantic_to_markdown(data), nl=False)
    else:
        click.echo(semantic_to_text(data), nl=False)
    sys.exit(0 if report.equivalent else 1)
