"""`policy test`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from i18n import N_
from i18n import gettext as _

from dsl.diagnostics import PolicyError, render_all


_MARKS = {"FAIL": N_("FAIL"), "ok": N_("ok"), "ERROR": N_("ERROR")}


def mark(word: str) -> str:
    """A line's verdict, padded to one column (a Chinese character is two columns wide)."""
    shown = _(_MARKS[word])
    return shown + " " * max(1, 6 - sum(2 if ord(ch) > 0x2e80 else 1 for ch in shown))


def difference(line: str) -> str:
    """A difference line of engine/run/expectations.py in the current language: the engine writes it
    from one of its English TEMPLATES; the same values go into the template's translation."""
    from engine.run.expectations import TEMPLATES
    from i18n.diagnostics import translated

    return translated(line, TEMPLATES)


def _files(paths: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        found += sorted([*path.rglob("*.json"), *path.rglob("*.jsonl")]) if path.is_dir() else [path]
    return found


def _population(path: Path, plan_ref: str | None, registry_path: str | None, verbose: bool) -> tuple[int, int] | None:
    """A population file (JSON Lines of a population decision) whose lines carry "expect": its
    two passes run as `policy eval` runs them, each line compared; None when it is not one."""
    from engine.batch.stream import Batch
    from engine.run.expectations import differences, population_differences, read_expectation
    from engine.facts.validate import parse_json
    from engine.facts.fastcase import FastWorkspace
    from engine.batch.population import decided_lines, population_of

    batch = Batch(str(path), FastWorkspace(plan_ref, None, registry_path), True)
    population = population_of(batch, batch.workspace.plan(plan_ref) if plan_ref else None, None)
    if population is None:
        return None
    passed = failed = 0
    for number, case, result, _subject, rank, size in decided_lines(batch, *population, explain=True):
        if case is None:
            raise result
        expect = read_expectation(parse_json(case.source.text, case.source), case.source)
        if expect is None:
            continue
        found = differences(result, expect) + population_differences(rank, size, expect)
        if found:
            failed += 1
            click.echo(f"{mark('FAIL')}{path}:{number}")
            for line in found:
                click.echo(f"      {difference(line)}")
        else:
            passed += 1
            if verbose:
                click.echo(mark("ok") + _("{label}: {value}").format(label=f"{path}:{number}", value=_(
                    "{outcome}, rank {rank} of {size}").format(outcome=result.outcome, rank=rank, size=size)))
    return passed, failed


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--plan", "plan_ref", metavar="PLAN", help="Judge every file under this plan (id or .policy path) "
              "instead of the one it names: how a revised plan treats the examples.")
@click.option("--registry", "registry_path", metavar="REG.csv", help="Registry of designated institutions for every file.")
@click.option("-v", "--verbose", is_flag=True, help="List passing files too.")
def test(paths: tuple[str, ...], plan_ref: str | None, registry_path: str | None, verbose: bool) -> None:
    """Decide every facts file that carries an "expect" block and report each difference.

    PATHS are facts files or folders (searched for *.json; default: policies/examples).
    A facts file's "expect" says what the plan should decide for it:

    \b
      "expect": {"outcome": "eligible", "rule": "住院_千人床位数高于可承担",
                 "article": "三（一）", "terms": {"纳入比例": 0.5},
                 "values": {"测算值": 9.4974}, "missing": [], "priorities": []}

    Only `outcome` is required; numbers match to the decimals written. A file with a
    "round" is the expected allocation of that JSON Lines round (`policy allocate`): its
    "quotas" and "allocation" rows are checked. Other files without an applicant
    (contexts) are skipped. Exit 0 all pass, 1 a difference, 2 bad input.

    \b
    Example, after editing a copy of a plan:
      policy test --plan my-revision.policy policies/examples/shenyang
    """
    from engine.facts.case import choose_decision, read_source
    from engine.run.compiled import explain as fast_explain
    from engine.run.expectations import differences, read_expectation
    from engine.facts.validate import parse_json
    from engine.facts.fastcase import FastWorkspace

    if not paths:
        default = Path("policies/examples")
        paths = (str(default if default.is_dir() else Path(__file__).resolve().parent.parent / default),)
    workspace = FastWorkspace(plan_ref, None, registry_path)
    passed = failed = errors = unexpected = 0
    for path in _files(paths):
        if path.suffix == ".jsonl":
            try:
                counted = _population(path, plan_ref, registry_path, verbose)
            except PolicyError as error:
                errors += 1
                click.echo(f"{mark('ERROR')}{path}", err=True)
                click.echo(render_all(error.diagnostics), err=True)
                continue
            if counted is not None:
                passed, failed = passed + counted[0], failed + counted[1]
            continue
        try:
            source = read_source(str(path))
            data = parse_json(source.text, source)
            if isinstance(data.get("round"), str):  # an expected allocation (commands/expected_round.py)
                from .expected_round import round_differences

                found = round_differences(path, data, plan_ref, registry_path)
                passed, failed = (passed + 1, failed) if not found else (passed, failed + 1)
                click.echo(f"{mark('FAIL')}{path}" if found else mark("ok") + _("{label}: {value}").format(
                    label=path, value=_("round {round}").format(round=data["round"])) if verbose else "",
                    nl=bool(found or verbose))
                for line in found:
                    click.echo(f"      {difference(line)}")
                continue
            if not isinstance(data.get("applicant"), dict) and not isinstance(data.get("institution"), dict):
                continue  # a context or other JSON beside the examples
            expect = read_expectation(data, source)
            if expect is None:
                unexpected += 1
                continue
            case = workspace.open_case(data, source, path.parent)
            if case.warnings:  # a misspelt key would test a fact as absent: say so
                click.echo(render_all(case.warnings), err=True)
            result = fast_explain(case.plan, case.facts, choose_decision(case.plan, None, case.facts, source),
                                  registry=case.registry)
        except PolicyError as error:
            errors += 1
            click.echo(f"{mark('ERROR')}{path}", err=True)
            click.echo(render_all(error.diagnostics), err=True)
            continue
        found = differences(result, expect)
        if found:
            failed += 1
            click.echo(f"{mark('FAIL')}{path}")
            for line in found:
                click.echo(f"      {difference(line)}")
        else:
            passed += 1
            if verbose:
                decided = (_("{outcome} by {rule}").format(outcome=result.outcome, rule=result.decided_by.name)
                           if result.decided_by else result.outcome)
                click.echo(mark("ok") + _("{label}: {value}").format(label=path, value=decided))
    summary = _("{passed} passed, {failed} failed").format(passed=passed, failed=failed)
    extras = [_("{count} error(s)").format(count=errors)] if errors else []
    extras += [_("{count} file(s) without \"expect\"").format(count=unexpected)] if unexpected else []
    click.echo(_("{text} ({note})").format(text=summary, note=_(", ").join(extras)) if extras else summary)
    sys.exit(2 if errors else 1 if failed else 0)
