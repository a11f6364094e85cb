"""The `policy` command: a thin layer over the library. Exit codes: 0 done, 1 findings, 2 bad input."""
from __future__ import annotations

import sys

import click

from dsl.diagnostics import PolicyError, render_all

FORMATS = ("text", "json", "md")


def _fail(error: PolicyError, code: int = 2) -> None:
    click.echo(render_all(error.diagnostics), err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="policy")
def main() -> None:
    """Policy-as-code for medical-insurance designation plans (定点医药机构资源配置规划).

    \b
    Typical use:
      policy check policies/*.policy              are the plans well-formed?
      policy explain applicant.json               why was this applicant decided so?
      policy eval --plan ID applicants.jsonl      decide a whole population

    Exit codes: 0 success, 1 findings (check), 2 bad input (file, fact, plan).
    """


@main.command()
@click.argument("plans", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--strict", is_flag=True, help="Treat warnings as findings too.")
def check(plans: tuple[str, ...], strict: bool) -> None:
    """Check policy files: syntax, names, types and units, citations, quotes, cycles.

    Prints each problem as `file:line:col: message` with the source line, a caret and a
    hint. Exits 0 when clean, 1 when anything is found (warnings only with --strict).
    """
    from engine import check_file

    findings = 0
    for path in plans:
        diagnostics = check_file(path)
        if diagnostics:
            click.echo(render_all(diagnostics), err=True)
        errors = [d for d in diagnostics if d.severity == "error" or strict]
        findings += len(errors)
        warnings = len(diagnostics) - len([d for d in diagnostics if d.severity == "error"])
        status = "ok" if not errors else f"{len(errors)} finding(s)"
        click.echo(f"{path}: {status}" + (f", {warnings} warning(s)" if warnings and not strict else ""))
    sys.exit(1 if findings else 0)


@main.command()
@click.argument("facts", nargs=-1, required=True)
@click.option("--plan", "plan_ref", metavar="PLAN", help="Plan id (found in policies/) or path to a .policy file; "
              "overrides the facts file's \"plan\".")
@click.option("--context", "context_path", metavar="CITY.json", help="City-year statistics (`city`), shared by many "
              "applicants; overrides the facts file's \"context\".")
@click.option("--registry", "registry_path", metavar="REG.csv", help="Registry of designated institutions (CSV "
              "`id,name,category,lat,lon`) the spacing questions ask; overrides the facts file's \"registry\".")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--width", type=int, default=None, help="Text width (default: the terminal's).")
def explain(facts: tuple[str, ...], plan_ref: str | None, context_path: str | None, registry_path: str | None, fmt: str,
            width: int | None) -> None:
    """Decide one applicant and explain why, citing and quoting every article used.

    FACTS is a JSON file as in FACTS.md (`-` reads standard input); several may be given.
    Exit 0 whenever a decision is produced, whatever the outcome; 2 on bad input (a bad
    registry row too, named by file:line:col).
    """
    from engine.compiled import explain as fast_explain  # the same Explanation as engine.evaluate, compiled
    from engine.fastcase import FastWorkspace
    from render import explanation_to_json, to_json_text

    if fmt != "json":  # the text view brings rich in: only the formats that use it load it
        from render import explanation_to_markdown, explanation_to_text
    workspace = FastWorkspace(plan_ref, context_path, registry_path)
    try:
        for number, path in enumerate(facts):
            if fmt == "text" and len(facts) > 1:
                click.echo(("\n" if number else "") + f"── {path} " + "─" * max(0, 60 - len(path)))
            case = workspace.open_case_file(path)
            result = fast_explain(case.plan, case.facts, registry=case.registry)
            if fmt == "json":
                click.echo(to_json_text(explanation_to_json(result)))
            elif fmt == "md":
                click.echo(explanation_to_markdown(result))
            else:
                tty = sys.stdout.isatty()
                click.echo(explanation_to_text(result, width or (click.get_terminal_size()[0] if tty else 100), color=tty),
                           nl=False)
    except PolicyError as error:
        _fail(error)


@main.command(name="eval")
@click.argument("facts", metavar="FACTS.jsonl")
@click.option("--plan", "plan_ref", metavar="PLAN", help="Plan id or .policy path; else each line's \"plan\".")
@click.option("--context", "context_path", metavar="CITY.json", help="City-year statistics for every line.")
@click.option("--registry", "registry_path", metavar="REG.csv", help="Registry of designated institutions (CSV "
              "`id,name,category,lat,lon`) the spacing questions ask; overrides each line's \"registry\".")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically) instead of stdout.")
@click.option("--trace", is_flag=True, help="Include the full trace in every decision.")
def eval_(facts: str, plan_ref: str | None, context_path: str | None, registry_path: str | None, output: str | None,
          trace: bool) -> None:
    """Decide every applicant of a JSON Lines file, one decision per line, in input order.

    A bad line gives an error object naming its line and JSON path; the rest go on, and the
    exit code is 2 at the end. `-` reads standard input. A summary goes to standard error.
    """
    from engine.batch import run_batch

    try:
        bad = run_batch(facts, plan_ref, context_path, output, trace, registry_path=registry_path)
    except PolicyError as error:
        _fail(error)
    sys.exit(2 if bad else 0)


@main.command()
@click.argument("plan_refs", metavar="PLAN...", nargs=-1, required=True)
def coverage(plan_refs: tuple[str, ...]) -> None:
    """List every article of a plan's source with its status in the policy file.

    Articles are read from the source document's own numbering (一、 （一） 1. 附件). Each is
    operative (with the rules and definitions citing it), informative, deferred (with the
    reason), or missing. Exits 1 when any article is missing, 2 on bad input.
    """
    from rich.console import Console
    from rich.table import Table

    from engine import compile_plan, resolve_plan
    from engine.coverage import coverage as plan_coverage

    console = Console(highlight=False)
    missing = 0
    for reference in plan_refs:
        try:
            plan = compile_plan(resolve_plan(reference))
        except PolicyError as error:
            _fail(error, 1 if any(d.code == "C054" for d in error.diagnostics) else 2)
        rows = plan_coverage(plan)
        table = Table(title=f"{plan.stamp.id}: {plan.stamp.title}", title_justify="left")
        for column in ("article", "status", "cited by / reason"):
            table.add_column(column)
        for row in rows:
            detail = ", ".join(row.rules) if row.rules else (row.reason or "")
            table.add_row(row.id, row.status, detail)
        console.print(table)
        accounted = sum(r.status != "missing" for r in rows)
        missing += len(rows) - accounted
        console.print(f"{accounted}/{len(rows)} articles accounted for "
                      f"({100 * accounted // max(len(rows), 1)}%)\n")
    sys.exit(1 if missing else 0)


@main.command()
@click.argument("plan_ref", metavar="PLAN")
def graph(plan_ref: str) -> None:
    """Print a plan's dependency graph (inputs -> definitions -> rules -> decisions) as Graphviz dot."""
    from engine import compile_plan, resolve_plan
    from engine.graph import to_dot

    try:
        click.echo(to_dot(compile_plan(resolve_plan(plan_ref))))
    except PolicyError as error:
        _fail(error)


@main.command(name="diff")
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
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--width", type=int, default=None, help="Text width (default: the terminal's).")
def diff_(old_ref: str, new_ref: str, population: str | None, context_path: str | None, registry_path: str | None,
          examples: int, fmt: str, width: int | None) -> None:
    """Compare two versions of a plan: what changed, article by article, and whom it changes.

    OLD and NEW are .policy files (or plan ids). Items are matched by article id and by name,
    not by line, so layout and comments never count: the report lists articles added, removed
    or reworded (marked character by character, [-50%-]{+60%+}), status changes, rules added,
    removed or changed with each number old -> new (800 m -> 500 m), districts moved between
    zones, precedence changes, inputs, readings and the plan header.

    With --population, every applicant is decided under both versions; the report counts the
    lines whose outcome flips (by district and category) and shows a few side by side, naming
    the change that caused each. Bad lines are listed with their line number.

    \b
    Example:
      policy diff policies/shenyang-2025-draft.policy shenyang-2025-final.policy \\
          --population applicants-2026.jsonl --context city-2026.json --format md

    Exit codes, like diff(1): 0 the versions are equivalent, 1 they differ, 2 bad input
    (a file that cannot be read or parsed, a plan that fails its check, bad population lines).
    """
    from dsl import parse_file
    from engine import diff_plans, resolve_plan
    from engine.population import replay
    from render import to_json_text
    from render.diff_view import diff_to_json, diff_to_markdown, diff_to_text

    try:
        old_path, new_path = str(resolve_plan(old_ref)), str(resolve_plan(new_ref))
        changes = diff_plans(parse_file(old_path), parse_file(new_path))
        report = (replay(old_path, new_path, population, changes, context_path, registry_path=registry_path)
                  if population else None)
    except PolicyError as error:
        _fail(error)
    if fmt == "json":
        click.echo(to_json_text(diff_to_json(changes, report, examples)))
    elif fmt == "md":
        click.echo(diff_to_markdown(changes, report, examples), nl=False)
    else:
        tty = sys.stdout.isatty()
        click.echo(diff_to_text(changes, report, width or (click.get_terminal_size()[0] if tty else 100), tty, examples),
                   nl=False)
    if report is not None and report.errors:
        click.echo(f"policy diff: {len(report.errors)} bad line(s) in {population} (listed in the report)", err=True)
        sys.exit(2)
    sys.exit(1 if changes else 0)


if __name__ == "__main__":
    main()
