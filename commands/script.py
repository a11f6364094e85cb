"""The `policy` script (pyproject's entry point): click's group of commands (cli.py), except for
a plain `policy explain`, which runs without importing click, about a sixth of a cold explain
(docs/performance.md).

Plain means what click would read the same way without doubt: `explain`, then facts files
and only these options, each at most once, with a value that does not look like an option:
--plan, --context, --registry, --decision, --format (one of its choices), --width (digits),
--strict. Anything else (help, --what-if, --record, `--`, an unknown or repeated option, a
missing value, a stream that is not UTF-8) goes to click, which reads it or says what is wrong.
"""
from __future__ import annotations

import os
import sys

_VALUED = {"--plan": "plan_ref", "--context": "context_path", "--registry": "registry_path",
           "--decision": "decision", "--format": "fmt", "--width": "width"}
_FORMATS = ("text", "json", "md", "html", "doc", "pdf")  # commands/explain.py's choices for --format


def plain_explain(argv: list[str]) -> dict | None:
    """The arguments of `explain_files` for a plain `explain` command line, else None."""
    if not argv or argv[0] != "explain" or not _utf8(sys.stdout) or not _utf8(sys.stderr):
        return None
    given: dict = {}
    facts: list[str] = []
    rest = iter(argv[1:])
    for arg in rest:
        if arg == "-" or not arg.startswith("-"):
            facts.append(arg)
            continue
        name, equals, value = arg.partition("=")
        if name == "--strict" and not equals and "strict" not in given:
            given["strict"] = True
            continue
        key = _VALUED.get(name)
        if key is None or key in given:
            return None
        if not equals:
            value = next(rest, None)
            if value is None or value.startswith("-"):
                return None
        if key == "fmt" and value not in _FORMATS:
            return None
        if key == "width":
            if not (value.isascii() and value.isdigit()):
                return None
            value = int(value)
        given[key] = value
    return {"facts": tuple(facts), **given} if facts else None


def _utf8(stream) -> bool:
    return (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "") == "utf8"


def run() -> None:
    plain = plain_explain(sys.argv[1:])
    if plain is None:
        from cli import main

        main()
        return
    import i18n

    i18n.activate(i18n.from_argv(sys.argv[1:]))  # as cli.py does before any command
    from .explain_files import explain_files

    try:
        code = explain_files(**plain)
    except BrokenPipeError:  # a reader that went away: no traceback, as under click
        sys.stdout = open(os.devnull, "w")
        code = 1
    except (EOFError, KeyboardInterrupt):  # as click does
        print("\nAborted!", file=sys.stderr)
        code = 1
    except Exception as error:  # a bug: one coded line, as under click (cli.LazyGroup.invoke)
        from ._common import internal_error

        internal_error(error, "policy explain")
    sys.exit(code)
