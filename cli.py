"""The `policy` command: a thin layer over the library. Exit codes: 0 done, 1 findings, 2 bad input."""
from __future__ import annotations

import importlib
import sys

import click

import i18n
from i18n.click_help import localize

# The language is known before any command is imported, so their `--help` texts are translated.
i18n.activate(i18n.from_argv(sys.argv[1:]))

# Each command's module and the name of its click command in it. A command module is imported
# only when that command runs (or when help lists every command), so `policy explain` does not
# pay for the imports of `diff`, `lsp` or `allocate`: a cold explain waits for nothing else.
COMMANDS = {
    "allocate": ("commands.allocate", "allocate"),
    "check": ("commands.check", "check"),
    "coverage": ("commands.coverage", "coverage"),
    "diff": ("commands.diff", "diff_"),
    "doc": ("commands.doc", "doc"),
    "errors": ("commands.errors", "errors"),
    "eval": ("commands.eval", "eval_"),
    "explain": ("commands.explain", "explain"),
    "fmt": ("commands.fmt", "fmt"),
    "graph": ("commands.graph", "graph"),
    "lsp": ("commands.lsp", "lsp"),
    "quota": ("commands.quota", "quota"),
    "verify": ("commands.records", "verify"),
    "schema": ("commands.schema", "schema"),
    "test": ("commands.test", "test"),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use, by name, from `COMMANDS`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            module, attribute = COMMANDS[name]
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        command = self.commands.get(name)
        # Its help in the language of this run (chosen by `--lang` after the module was imported).
        return localize(command) if command is not None else None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, BrokenPipeError):
            raise  # click's own ways to end, and a reader that went away, which click handles
        except Exception as error:  # a bug: one coded line, never a traceback (BRIEF.md)
            from commands._common import internal_error

            internal_error(error, f"policy {ctx.invoked_subcommand or ''}".strip())

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        localize(self)
        super().format_help(ctx, formatter)


_HELP = i18n.N_("""Policy-as-code for medical-insurance designation plans (定点医药机构资源配置规划).

\b
Typical use:
  policy check policies/*.policy              are the plans well-formed?
  policy explain applicant.json               why was this applicant decided so?
  policy eval --plan ID applicants.jsonl      decide a whole population

Exit codes: 0 success, 1 findings (check), 2 bad input (file, fact, plan).""")


def _set_limits(ctx, param, values) -> None:
    from dsl.limits import set_limit

    for value in values:
        try:
            set_limit(value)
        except ValueError as error:
            raise click.BadParameter(str(error), ctx, param) from None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             help=_HELP)
@click.version_option(package_name="policy")
@click.option("--lang", type=click.Choice(i18n.LANGUAGES), default=None, expose_value=False, is_eager=True,
              callback=lambda _ctx, _param, value: i18n.activate(value) if value else None,
              help=("Language of every message: zh or en (default: POLICY_LANG, else the locale)."))
@click.option("--limit", "limits", multiple=True, metavar="NAME=N", callback=_set_limits, expose_value=False,
              is_eager=True, help="Raise or lower one limit for this run (docs/errors.md, Limits), as `nesting=200`.")
def main() -> None:
    """The `policy` group; its help is `_HELP`, in the chosen language."""


if __name__ == "__main__":
    main()
