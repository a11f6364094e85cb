"""House rules of the code itself: module boundaries a newcomer can trust.

Every rule reads the source with Python's `ast`, function-local imports included (a lazy
import is an arrow all the same, only paid for later)."""
from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from tests.conftest import ROOT

# The source packages, as pyproject.toml ships them, and the CLI module.
SHIPPED = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
TOPS = sorted({name.split(".")[0] for name in SHIPPED["packages"]})
SOURCE = sorted(p for top in TOPS for p in (ROOT / top).rglob("*.py")) + [ROOT / f"{m}.py" for m in SHIPPED["py-modules"]]


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, str | None, int]]:
    """(module, name or None, line) for every import in the file, at any depth; a relative
    import is made absolute (`from ._common import fail` in commands/eval.py: commands._common)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    return read_imports(path.read_text(encoding="utf-8"), package)


def read_imports(text: str, package: str) -> list[tuple[str, str | None, int]]:
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            module = node.module or ""
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, module] if module else base)
            found += [(module, alias.name, node.lineno) for alias in node.names]
    return found


def is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def test_the_parsed_imports_are_the_ones_written():
    # The rules below are only as good as this reading: a lazy import inside a function and a
    # relative one are arrows too.
    text = "import rich\nfrom . import spacing\nfrom ..compile.plan import CheckedPlan\n" \
           "def f():\n    from render.values import jsonable\n"
    assert [(m, n) for m, n, _ in read_imports(text, "engine.run")] == [
        ("rich", None), ("engine.run", "spacing"), ("engine.compile.plan", "CheckedPlan"), ("render.values", "jsonable")]


# ---- private names

def private_reaches() -> set[tuple[str, str]]:
    """(module, name) for every private name (`_x`, not `_` the gettext marker nor `__x__`)
    one module takes from another: imported by name, or reached as an attribute of an
    imported module (`evaluator._iso`)."""
    def private(name: str) -> bool:
        return name.startswith("_") and name != "_" and not name.startswith("__")

    found = set()
    for path in SOURCE:
        modules = set()  # the names this file binds to a module of ours
        for module, name, _ in imports(path):
            if name is None:
                if is_module(module):
                    modules.add(module.split(".")[0])
            else:
                if private(name):
                    found.add((rel(path), name))
                if is_module(f"{module}.{name}"):
                    modules.add(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                    and private(node.attr)):
                found.add((rel(path), node.attr))
    return found


def test_no_private_name_is_imported_across_modules():
    # A leading underscore says "only this module relies on it"; another module importing it
    # makes that a lie, and a rename there breaks code that looked safe to leave alone.
    assert private_reaches() == set()


# ---- arrows

UPWARD = ("render", "commands", "cli", "rich", "click")


def upward_imports() -> set[tuple[str, str]]:
    """(module, top package) for every import of render, commands, cli, rich or click under dsl/ and engine/."""
    return {(rel(path), module.split(".")[0]) for path in SOURCE if rel(path).split("/")[0] in ("dsl", "engine")
            for module, _, _ in imports(path) if module.split(".")[0] in UPWARD}


def test_the_language_and_the_engine_never_reach_up_to_the_views_or_the_cli():
    # The pipeline is the layout: the engine yields results, render/ shows them, commands/
    # drives a run (progress bars, output files) and cli.py assembles the commands.
    assert upward_imports() == set()


# The folders below the engine, bottom first: a stage imports only the stages below it.
# The top four are peers, none below another, so none imports another.
STAGES = ("values", "reading", "compile", "registry", "facts", "run", ("diff", "batch", "allocation", "solver"))
FLOOR = {name: floor for floor, names in enumerate(STAGES) for name in (names if isinstance(names, tuple) else (names,))}


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "engine" and len(parts) > 1 else None


def climbing_stage_imports() -> set[tuple[str, str, int]]:
    """(file, module imported, line) for every arrow between two stages of engine/ that does not run down."""
    found = set()
    for path in sorted((ROOT / "engine").rglob("*.py")):
        mine = stage_of(module_name(path))
        if mine is None:
            continue  # engine/__init__.py: the package's face, naming what each stage offers
        for module, name, line in imports(path):
            theirs = stage_of(module if name is None or not is_module(f"{module}.{name}") else f"{module}.{name}")
            if theirs is not None and theirs != mine and FLOOR[theirs] >= FLOOR[mine]:
                found.add((rel(path), module, line))
    return found


def test_every_folder_of_the_engine_is_a_stage_in_the_order():
    folders = {p.name for p in (ROOT / "engine").iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(FLOOR)
    assert not [p for p in (ROOT / "engine").glob("*.py") if p.name != "__init__.py"]  # no module outside a stage


def test_arrows_between_the_engine_stages_only_run_down():
    assert climbing_stage_imports() == set()


LAYERS = ("dsl", "engine", "render", "commands", "cli")
# `policy errors` runs each catalogued example through the CLI itself, and the `policy` script
# (commands/script.py, the entry point) hands every command line but a plain explain to cli.py:
# the two arrows up to cli.py.
RUNS_THE_CLI = {("commands/errors.py", "cli"), ("commands/script.py", "cli")}


def test_the_top_packages_import_only_downwards():
    found = {(rel(path), module.split(".")[0]) for path in SOURCE if rel(path).split("/")[0].removesuffix(".py") in LAYERS
             for module, _, _ in imports(path) if module.split(".")[0] in LAYERS
             and LAYERS.index(module.split(".")[0]) > LAYERS.index(rel(path).split("/")[0].removesuffix(".py"))}
    assert found - RUNS_THE_CLI == set()


# The case document's modules import each other while issue 15 reshapes them: a circle made
# of these alone is tolerated until then.
CIRCLING: set[str] = set()  # none left: the case document and its layouts no longer import each other


def test_no_modules_import_each_other_in_a_circle():
    # A circle has no bottom: neither module can be read, tested or moved without the other.
    import networkx

    graph = networkx.DiGraph()
    for path in SOURCE:
        if path.name == "__init__.py":
            continue  # a package's face hands names on; its arrows are its modules'
        for module, name, _ in imports(path):
            target = f"{module}.{name}" if name is not None and is_module(f"{module}.{name}") else module
            if is_module(target) and target != module_name(path):
                graph.add_edge(module_name(path), target)
    circles = [sorted(c) for c in networkx.simple_cycles(graph) if not set(c) <= CIRCLING]
    assert circles == []


def test_every_package_is_shipped():
    # A sub-package missing from pyproject.toml works in an editable install and is absent
    # from a wheel: `pip install .` would give an engine without its stages.
    folders = {module_name(p.parent / "__init__.py") for top in TOPS for p in (ROOT / top).rglob("__init__.py")}
    assert folders - set(SHIPPED["packages"]) == set()


# ---- size

LIMIT = 500
def test_no_module_is_over_500_lines():
    # One job a module: past a screenful of screens it has two, and a newcomer reads both to change one.
    over = {rel(p): n for p in SOURCE if (n := len(p.read_text(encoding="utf-8").splitlines())) > LIMIT}
    assert over == {}


# ---- the map

def test_every_engine_path_the_architecture_names_exists():
    # docs/architecture.md is the newcomer's map of the folders: a moved module must move there too.
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\bengine/[\w/]+\.py\b", text))
    assert named, "the architecture names no engine module"
    assert {path for path in named if not (ROOT / path).is_file()} == set()
