"""A command's output without click: the formats, colour or not, and `echo`.

`policy explain` runs without importing click when its arguments are plain (commands/script.py):
`echo` then writes as `click.echo` does on a UTF-8 stream (the text, a newline, flushed; terminal
styling removed when the stream is not a terminal). Under click, click's own `echo` writes.
"""
from __future__ import annotations

import os
import re
import sys

FORMATS = ("text", "json", "md")
_STYLING = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")  # click's own pattern for ANSI styling


def wants_colour(stream=None) -> bool:
    """Colour (and any other terminal styling) only for a terminal that wants it: not when
    NO_COLOR is set (https://no-color.org) nor for TERM=dumb."""
    stream = stream or sys.stdout
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def echo(text: str, err: bool = False, nl: bool = True) -> None:
    click = sys.modules.get("click")
    if click is not None:
        click.echo(text, err=err, nl=nl)
        return
    stream = sys.stderr if err else sys.stdout
    out = text + "\n" if nl else text
    if "\033" in out and not stream.isatty():
        out = _STYLING.sub("", out)
    if out:
        stream.write(out)
    stream.flush()
