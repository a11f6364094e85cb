"""What every command shares: the output formats and how bad input ends a command."""
from __future__ import annotations

import sys

import click

from dsl.diagnostics import PolicyError, render_all

from .output import FORMATS, wants_colour  # noqa: F401 (what every command imports from here)


def fail(error: PolicyError, code: int = 2) -> None:
    """Print every diagnostic (file:line:col, snippet, help) to stderr and exit; never a traceback."""
    click.echo(render_all(error.diagnostics), err=True)
    sys.exit(code)
