"""What every command shares: the output formats, how bad input ends a command, and how an
output file is written whole or not at all."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

import click

from dsl.diagnostics import Diagnostic, PolicyError, render_all
from dsl.spans import Source, Span

from .output import FORMATS, wants_colour  # noqa: F401 (what every command imports from here)


def fail(error: PolicyError, code: int = 2) -> None:
    """Print every diagnostic (file:line:col, snippet, help) to stderr and exit; never a traceback."""
    click.echo(render_all(error.diagnostics), err=True)
    sys.exit(code)


def internal_error(error: Exception, where: str = "policy") -> None:
    """The last resort for an exception no stage expected (a bug in policy, not in the user's
    files): one coded line and exit 2, as for bad input, so a script sees a failure and a
    person sees what to report. POLICY_TRACEBACK=1 shows the traceback instead."""
    if os.environ.get("POLICY_TRACEBACK"):
        raise error
    from i18n import N_

    fail(PolicyError([Diagnostic("X000", f"internal error: {type(error).__name__}: {error}", Span(Source(where, "")),
                                 N_("a bug in policy, not in your files: please report it with the command line "
                                   "(POLICY_TRACEBACK=1 shows where it happened)"))]))


@contextmanager
def atomic_output(output: str | None) -> Iterator[IO[str]]:
    """stdout, or a temporary file beside `output` renamed onto it only when the block ends
    normally. INVARIANT: on any exception, KeyboardInterrupt included, nothing is left."""
    if output is None:
        yield sys.stdout
        return
    import tempfile  # only a command that writes a file pays for it

    target = Path(output)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as error:
        raise _cannot_write(output, error) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
        os.chmod(tmp, _mode_for(target))  # mkstemp makes 0600; the result should look like any new file
        os.replace(tmp, target)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):  # a full disk, a target that is a folder: an error, not a traceback
            raise _cannot_write(output, error) from None
        raise


def _cannot_write(output: str, error: OSError) -> PolicyError:
    return PolicyError([Diagnostic("O001", f"cannot write `{output}`: {error.strerror or error}",
                                   Span(Source(output, "")), "check that its folder exists and is writable")])


def _mode_for(target: Path) -> int:
    """The target's own permissions if it exists, else those of a new file under the umask."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
