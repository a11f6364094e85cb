"""The help texts of our own commands (`policy CMD --help`), in the current language.

A command's help is its docstring and an option's is its `help="…"`, written in English where
the command is; both are messages of the catalogue (i18n/catalogue.py reads them from the syntax
tree: the docstring of a function under `@click.command`/`@click.group`, each `help=` of
`click.option`, `click.argument`, `click.command`, `click.group`). `localize` sets a command's
texts in the current language from the English it keeps on the object, each time the command
is looked up (cli.LazyGroup), so one process that changes language shows each run in its own.
"""
from __future__ import annotations

import inspect

from . import gettext as _

_ENGLISH = "policy_english_help"  # the attribute each click object keeps its English help in


def translated(english: str) -> str:
    """`english` in the current language: the text as written, else as click shows it (dedented)."""
    shown = _(english)
    if shown == english:
        shown = _(inspect.cleandoc(english))
    return shown


def localize(command):
    """The click command (and its parameters) with every help text in the current language."""
    for item in (command, *getattr(command, "params", ())):
        english = getattr(item, _ENGLISH, None)
        if english is None:
            english = getattr(item, "help", None)
            setattr(item, _ENGLISH, english or "")
        if english:
            item.help = translated(english)
    # click makes a command's `--help` option once, its text (`Show this message and exit.`) in the
    # language of that moment, and keeps it: dropped here, it is made again in this run's language.
    if getattr(command, "_help_option", None) is not None:
        command._help_option = None
    return command
