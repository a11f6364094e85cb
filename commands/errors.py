"""`policy errors`: the catalogue of diagnostic codes (dsl/codes.py), one code or all of it.

`policy errors` prints the whole catalogue as Markdown; docs/errors.md is exactly that
output. Each example is run here, so the output shown under it is what the product says.
"""
from __future__ import annotations

import contextlib
import shlex
import tempfile
from pathlib import Path
from typing import Iterator

import click

from i18n import gettext as _

from dsl.codes import BASE, CODES, FACTS, PREFIXES, SOURCE, Code
from dsl.diagnostics import Diagnostic, PolicyError, render
from dsl.spans import Source

EXAMPLE_PLAN = "example.policy"
EXAMPLE_FACTS = "facts.json"


def example_text(code: Code) -> str:
    """The whole policy file a `check` or `fmt` example stands for."""
    if code.how == "file":
        return code.example + "\n"
    return BASE + "\n" + code.example + "\n"


def _base_plan():
    from dsl import parse_policy
    from engine.compile.checker import check_or_raise
    from engine.compile.graph import attach_graph

    return attach_graph(check_or_raise(parse_policy(BASE, EXAMPLE_PLAN), BASE, EXAMPLE_PLAN))


@contextlib.contextmanager
def sandbox() -> Iterator[Path]:
    """A fresh folder with the examples' files, as the working directory; paths in the output
    are relative to it, so what the examples print does not depend on where they ran."""
    with tempfile.TemporaryDirectory(prefix="policy-errors-") as folder:
        root = Path(folder)
        (root / "sources").mkdir()
        (root / "sources" / "doc.txt").write_text(SOURCE, encoding="utf-8")
        (root / EXAMPLE_PLAN).write_text(BASE, encoding="utf-8")
        (root / EXAMPLE_FACTS).write_text(FACTS + "\n", encoding="utf-8")
        (root / "facts.jsonl").write_text(FACTS + "\n", encoding="utf-8")
        with contextlib.chdir(root):
            yield root


def run_cli(code: Code) -> tuple[int, str]:
    """A `cli` example's exit code and what it prints (stderr and stdout), run in a sandbox."""
    from click.testing import CliRunner

    from cli import main

    with sandbox():
        result = CliRunner().invoke(main, shlex.split(code.example)[1:])
    return result.exit_code, result.output


def example_diagnostics(code: Code) -> tuple[Diagnostic, ...]:
    """Every diagnostic the example gives when run as `code.how` says, in a sandbox (empty for
    an example that is shown, not run, and for a `cli` one: see `run_cli`)."""
    with sandbox():
        return _diagnostics(code)


def _diagnostics(code: Code) -> tuple[Diagnostic, ...]:
    from dsl import format_policy, parse_policy
    from engine.compile.checker import check_policy

    try:
        if code.how in ("check", "file"):
            text = example_text(code)
            return check_policy(parse_policy(text, EXAMPLE_PLAN), text, EXAMPLE_PLAN)[1]
        if code.how == "fmt":
            format_policy(example_text(code), EXAMPLE_PLAN)
        elif code.how == "facts":
            from engine.run.evaluator import evaluate
            from engine.run.expectations import read_expectation
            from engine.facts.validate import parse_json, validate_facts

            source = Source(EXAMPLE_FACTS, code.example)
            data = parse_json(code.example, source)
            read_expectation(data, source)
            plan = _base_plan()
            evaluate(plan, validate_facts(plan, data, source))
        elif code.how == "registry":
            from engine.registry.load import load_registry

            Path("registry.csv").write_text(code.example, encoding="utf-8")
            load_registry("registry.csv", {"零售药店", "诊所"})
    except PolicyError as error:
        return error.diagnostics
    return ()


def _entry(code: Code) -> list[str]:
    lines = [f"### {code.code}", "", f"> {code.message}", ""]
    lines += [f"> {other}" for other in code.also] + ([""] if code.also else [])
    lines += [f"**Fix:** {code.help}", ""]
    if not code.example:
        return lines
    fence = {"check": "policy", "file": "policy", "fmt": "policy", "facts": "json", "registry": "csv",
             "cli": "sh"}.get(code.how, "text")
    where = {"check": " (at the end of the base plan)", "fmt": " (at the end of the base plan, `policy fmt`)",
             "facts": " (facts.json, against the base plan)", "registry": " (registry.csv)"}
    lines += [f"Example{where.get(code.how, '')}:", "",
              f"```{fence}", code.example.rstrip("\n") or "(an empty file)", "```", ""]
    if code.how == "cli":
        exit_code, output = run_cli(code)
        shown = [output.rstrip("\n"), f"(exit {exit_code})"]
    else:
        shown = [render(d) for d in example_diagnostics(code) if d.code == code.code]
    if shown:
        lines += ["gives", "", "```text", *shown, "```", ""]
    return lines


def catalogue_markdown() -> str:
    """docs/errors.md: the prefixes, then every code grouped by prefix, with its example run."""
    out = ["# Diagnostic codes", "",
           "Generated from `dsl/codes.py` by `policy errors > docs/errors.md`; do not edit by hand",
           "(tests/test_codes.py fails when this file and the catalogue differ).", "",
           "Every problem the product reports has a stable code, a one-line message (`file:line:col:",
           "error[CODE]: message`), the source line with a caret, and a `help:` line. A code has one",
           "meaning; `policy errors CODE` prints one entry. `W` codes are warnings (`policy check` exits",
           "0, or 1 with `--strict`); the others are errors (exit 1 for `check` findings, 2 for bad input).",
           "A diagnostic about a value of a JSON file also names its JSON path, printed before the message",
           "(`applicant.beds: expected a number, got …`) and given as `path` in a batch error object.", "",
           "| prefix | where |", "|---|---|"]
    out += [f"| `{p}` | {what} |" for p, what in PREFIXES.items()]
    out += ["", "The examples run in a folder holding `example.policy`, the base plan below (clean but for",
            "`W004`), its source document `sources/doc.txt`, and `facts.json` (one line of it in",
            "`facts.jsonl`). Examples marked *at the end of the base plan* are appended to it; a facts",
            "example is decided against it; a registry example is read with the categories 零售药店 and 诊所.", "",
            "```policy", BASE.rstrip("\n"), "```", "", "`sources/doc.txt`:", "", "```text", SOURCE.rstrip("\n"),
            "```", "", "`facts.json`:", "", "```json", FACTS, "```", ""]
    for prefix, what in PREFIXES.items():
        out += [f"## {prefix}: {what}", ""]
        for code in sorted((c for c in CODES.values() if c.prefix == prefix), key=lambda c: c.code):
            out += _entry(code)
    from dsl.limits import limits_markdown  # the L codes' defaults, flags and variables (issue 16)

    out += [limits_markdown()]
    return "\n".join(out).rstrip("\n") + "\n"


@click.command()
@click.argument("code", required=False)
def errors(code: str | None) -> None:
    """Explain a diagnostic code (`policy errors C023`), or print the whole catalogue as Markdown."""
    if code is None:
        click.echo(catalogue_markdown(), nl=False)
        return
    from dsl.codes import lookup
    from dsl.diagnostics import did_you_mean

    found = lookup(code)
    if found is None:
        from i18n.diagnostics import translate_help

        hint = translate_help("", did_you_mean(code.upper(), CODES))
        click.echo(_("error: unknown code `{code}`").format(code=code) + "\n  " + _("help: {hint}").format(
            hint=hint or _("`policy errors` lists every code")), err=True)
        raise SystemExit(2)
    click.echo("\n".join(_entry(found)).rstrip("\n"))
