"""The message catalogue as a whole: what must be translated, and the compiled form.

Used by tests/test_i18n.py and by hand (`python -m i18n.catalogue`): it lists every message
the product has (each `_("…")` / `N_("…")` of the code, read from its syntax tree, and each
diagnostic template and help of dsl/codes.py) and says which has no Chinese translation,
which translation is no longer used, and whether `policy.mo` is compiled from `policy.po`.
Babel is needed here only, never when a command runs.
"""
from __future__ import annotations

import ast
import inspect
import io
import sys
from pathlib import Path

from . import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cli.py", "commands", "render", "dsl", "engine", "i18n", "docsite")


def po_path(lang: str = "zh") -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str = "zh") -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def code_messages() -> dict[str, str]:
    """msgid -> where: every diagnostic template and help line of the catalogue of codes."""
    from dsl.codes import CODES

    found: dict[str, str] = {}
    for code in CODES.values():
        for template in code.templates:
            found.setdefault(template, f"dsl/codes.py {code.code} message")
        found.setdefault(code.help, f"dsl/codes.py {code.code} help")
    return found


def source_messages() -> dict[str, str]:
    """msgid -> where: every `_("…")`, `N_("…")` and `i18n.gettext("…")` of the product's Python files.

    Read from the syntax tree rather than with Babel's extractor, which does not look inside
    f-strings: a message in `f"{_('…')}"` is a message too."""
    found: dict[str, str] = {}
    files = []
    for name in PACKAGES:
        path = ROOT / name
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            for message in click_help_texts(node):
                found.setdefault(message, f"{path.relative_to(ROOT)}:{node.lineno} (--help)")
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in ("_", "N_", "gettext") and node.args[0].value:
                found.setdefault(node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


_CLICK_CALLS = ("option", "argument", "command", "group", "version_option")


def _click_call(node, names=_CLICK_CALLS) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in names
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "click")


def click_help_texts(node) -> list[str]:
    """The `--help` texts a syntax-tree node writes, as click shows them (i18n/click_help.py translates
    them): a `help="…"` of `click.option`/`argument`/`command`/`group`, and the docstring of a function
    that `@click.command` or `@click.group` makes a command without a `help=`."""
    if _click_call(node):
        return [inspect.cleandoc(kw.value.value) for kw in node.keywords
                if kw.arg == "help" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)]
    if isinstance(node, ast.FunctionDef):
        made = [d for d in node.decorator_list if _click_call(d, ("command", "group"))]
        if made and not any(kw.arg == "help" for kw in made[0].keywords) and ast.get_docstring(node):
            return [ast.get_docstring(node)]
    return []


def expected() -> dict[str, str]:
    return {**source_messages(), **code_messages()}


def read(lang: str = "zh"):
    from babel.messages.pofile import read_po

    with open(po_path(lang), "rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def compiled(lang: str = "zh") -> bytes:
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, read(lang), use_fuzzy=False)
    return buffer.getvalue()


def _messages(mo: bytes) -> dict:
    """The translations a compiled catalogue holds (its header aside: Babel dates it when it compiles)."""
    import gettext

    return {k: v for k, v in gettext.GNUTranslations(io.BytesIO(mo))._catalog.items() if k}


def problems(lang: str = "zh") -> list[str]:
    """Every way the catalogue falls short, one line each (empty: complete and compiled)."""
    catalogue = read(lang)
    translated = {m.id: m.string for m in catalogue if m.id}
    wanted = expected()
    out = []
    for message, where in sorted(wanted.items(), key=lambda kv: kv[1]):
        if not translated.get(message):
            out.append(f"{where}: no {lang} translation of {message!r}")
    for message in sorted(set(translated) - set(wanted)):
        out.append(f"{po_path(lang).relative_to(ROOT)}: {message!r} is translated but used nowhere")
    if not mo_path(lang).exists() or _messages(mo_path(lang).read_bytes()) != _messages(compiled(lang)):
        out.append(f"{mo_path(lang).relative_to(ROOT)} is not compiled from policy.po: "
                   "run `python -m i18n.catalogue --compile`")
    return out


def main(argv: list[str]) -> int:
    if "--compile" in argv:
        mo_path().write_bytes(compiled())
    found = problems()
    print("\n".join(found) or "the catalogue is complete")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
