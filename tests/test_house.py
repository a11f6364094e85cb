"""House rules of the code itself: module boundaries a newcomer can trust."""
from __future__ import annotations

import ast

from tests.conftest import ROOT

PRODUCT = sorted(p for folder in ("dsl", "engine", "render", "commands") for p in (ROOT / folder).rglob("*.py"))
PRODUCT.append(ROOT / "cli.py")

# Imports of a private name still to be removed, each where another helper is rewriting the
# module (issue 11 rewrites the evaluator and the fast path). An entry whose import is gone is harmless:
# delete it when you see it.
KNOWN = {("engine/run/compiled.py", "_iso"), ("engine/run/compiled.py", "_missing")}


def private_imports() -> set[tuple[str, str]]:
    found = set()
    for path in PRODUCT:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.add((str(path.relative_to(ROOT)), alias.name))
    return found


def test_no_private_name_is_imported_across_modules():
    # A leading underscore says "only this module relies on it"; another module importing it
    # makes that a lie, and a rename there breaks code that looked safe to leave alone.
    assert private_imports() - KNOWN == set()


# Arrows that still climb out of engine/, each in a module another helper is rewriting
# (issue 16 moves batch records, progress and summary to render/ and commands/).
CLIMBING = {("engine/batch/stream.py", "render"), ("engine/batch/stream.py", "rich")}


def upward_imports() -> set[tuple[str, str]]:
    """(module, top package) for every import of render, commands, cli, rich or click under dsl/ and engine/."""
    found = set()
    for path in sorted(p for folder in ("dsl", "engine") for p in (ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                top = name.split(".")[0]
                if top in ("render", "commands", "cli", "rich", "click"):
                    found.add((str(path.relative_to(ROOT)), top))
    return found


def test_arrows_only_run_down():
    # The pipeline is the layout: the language and the engine never reach up to the views or the CLI.
    assert upward_imports() - CLIMBING == set()
