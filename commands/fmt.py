"""`policy fmt`."""
from __future__ import annotations

import difflib
import os
import sys
import tempfile
from pathlib import Path

import click

from i18n import gettext as _

from dsl.diagnostics import Diagnostic, PolicyError, render_all
from dsl.spans import Source, Span


@click.command(name="fmt")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True),
                metavar="FILE...")
@click.option("--check", is_flag=True, help="Write nothing; list the files that would change and exit 1 if any.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print what would change as a unified diff.")
def fmt(files: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Lay out .policy files in the house style, keeping every comment.

    Aligns the plan header, enum members, zones and runs of inputs; puts `when`, `then` and
    `with` on their own lines and each rule of a precedence under the first; splits an
    over-long quoted text into strings between characters, never changing it. Line breaks the
    author chose (a formula under its `define`, a long condition broken before `or`, the
    strings of an article) are kept. docs/grammar.md ("Layout") describes the layout.

    The formatter re-reads what it wrote and refuses (exit 2, nothing written) unless it means
    exactly the same plan with the same comments; a comment it cannot keep in place (inside a
    parenthesized sub-expression, say) is reported with its line instead of being moved.

    \b
    Examples:
      policy fmt policies/heze-2026.policy        rewrite the file in place
      policy fmt --check policies/*.policy        CI: exit 1 if any file needs formatting
      policy fmt --diff my-city.policy            show the changes, write nothing
      policy fmt - < draft.policy > tidy.policy   standard input to standard output

    Exit codes: 0 done (or nothing to change), 1 --check found files to reformat,
    2 a file cannot be read, does not parse, or cannot be formatted faithfully.
    """
    from dsl.formatter import format_policy

    changed = failed = 0
    for name in files:
        stdin = name == "-"
        shown = "<stdin>" if stdin else name
        try:
            text = _read(name)
            formatted = format_policy(text, shown)
        except PolicyError as error:
            click.echo(render_all(error.diagnostics), err=True)
            failed += 1
            continue
        if formatted != text:
            changed += 1
        if show_diff:
            click.echo("".join(difflib.unified_diff(text.splitlines(keepends=True), formatted.splitlines(keepends=True),
                                                    f"a/{shown}", f"b/{shown}")), nl=False)
        elif check:
            if formatted != text:
                click.echo(_("would reformat {file}").format(file=shown))
        elif stdin:
            click.echo(formatted, nl=False)
        elif formatted != text:
            try:
                _replace(Path(name).resolve(), formatted)  # through a symlink, to the plan it names
            except OSError as error:
                click.echo(render_all([_unwritable(name, error)]), err=True)
                failed += 1
                continue
            click.echo(_("reformatted {file}").format(file=name))
        else:
            click.echo(_("{file} already formatted").format(file=name))
    if failed:
        sys.exit(2)
    sys.exit(1 if check and changed else 0)


def _read(name: str) -> str:
    from engine.reading.reader import read_source  # one reader for every input: BOM, CRLF, GBK named, FIFOs refused

    return read_source(name, "plan").text


def _unwritable(name: str, error: OSError) -> Diagnostic:
    reason = error.strerror or str(error)
    return Diagnostic("O001", f"cannot write `{name}`: {reason}", Span(Source(name, "")), "the file was left as it was")


def _replace(path: Path, text: str) -> None:
    """Write beside the file, then rename over it: a reader sees the old file or the new, never half."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".fmt", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
