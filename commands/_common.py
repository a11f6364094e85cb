"""What every command shares: the output formats and how bad input ends a command."""
from __future__ import annotations

import sys

import click

from dsl.diagnostics import PolicyError, render_all

FORMATS = ("text", "json", "md")


def wants_colour(stream=None) -> bool:
    """Colour (and any other terminal styling) only for a terminal that wants it: not when
    NO_COLOR is set (https://no-color.org) nor for TERM=dumb."""
    import os

    stream = stream or sys.stdout
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def fail(error: PolicyError, code: int = 2) -> None:
    """Print every diagnostic (file:line:col, snippet, help) to stderr and exit; never a traceback."""
    click.echo(render_all(error.diagnostics), err=True)
    sys.exit(code)
