"""A cache of checked plans, so a warm `policy explain` neither parses nor checks.

An entry is the pickled `CheckedPlan` without its networkx graph (nothing that decides or
explains reads the graph; `policy graph` and the differ compile afresh), and beside it what
later runs derived from the plan alone and asked to keep (`artefact`): the compiled code of
the fast path, which took a cold `policy explain` longer to compile than to run. Its key is
the sha256 of everything the checked plan is made from:
  - the engine: the text of every source file of `dsl/` and `engine/` (and the grammar),
    so changed code never meets a plan checked by the old one, bumped version or not;
  - the Python version (pickles of our classes are only read by the code that wrote them);
  - the policy file: its path (resolved, and as given) and the sha256 of its text;
  - its source document (the checker verifies quotes against it): the sha256 of the file
    as it is now, not the one the header declares, so an edited document is checked again;
  - the plan it `extends`, if any, and that plan's source document, likewise.

The cache lives in $POLICY_CACHE_DIR, else $XDG_CACHE_HOME/policy, else ~/.cache/policy.
An entry that cannot be read or unpickled is ignored and written anew; entries are written
to a temporary file and renamed, so a reader never sees half of one. A cache that cannot be
written is no error: the plan is simply compiled. Like any cache of pickles (pip's, mypy's),
it trusts the user's own cache folder.

Frozen slotted dataclasses (the syntax tree, the IR, the plan's records) are pickled as
their class and field values, rebuilt by setting the slots: the default route, through the
dataclass's `__setstate__`, asked for the fields anew for each of the thousands of objects
of a plan and was most of the time of loading one.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import re
import sys
import weakref
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, Callable

from dsl.diagnostics import PolicyError
from engine.compile.plan import CheckedPlan

FORMAT = "policy-plan-cache-3"  # 3: a reading carries its Chinese text (engine/compile/readings.py)
_SOURCE = re.compile(r'^\s*source\s+"([^"]*)"', re.MULTILINE)
_EXTENDS = re.compile(r'^\s*extends\s+"([^"]*)"', re.MULTILINE)
_HERE = Path(__file__).resolve().parent
_fingerprint: str | None = None


def cache_dir() -> Path:
    explicit = os.environ.get("POLICY_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "policy"


def _engine_files() -> list[tuple[str, str]]:
    """(name relative to the project, path) of every source file of dsl/ and engine/, sorted.
    The whole engine, not only compile/: a pickled plan holds objects of several stages, and
    the cache keeps the fast path's compiled code too; a stale entry must never be mistaken
    for the current engine's."""
    root = str(_HERE.parents[1])
    found = []
    for top in ("dsl", "engine"):
        for folder, subfolders, names in os.walk(os.path.join(root, top)):
            subfolders[:] = [d for d in subfolders if d != "__pycache__"]
            for name in names:
                if name.endswith((".py", ".lark")):
                    path = os.path.join(folder, name)
                    found.append((os.path.relpath(path, root).replace(os.sep, "/"), path))
    return sorted(found)


def engine_fingerprint() -> str:
    """sha256 over the text of the code that parses, checks, represents and runs a plan.

    Reading and hashing that code (700 kB) took a cold explain about 8 ms; so the digest is
    kept in the cache under a second one, of every file's name, size and modification time
    in nanoseconds, and read back while those stay the same: the very test by which Python
    trusts its own bytecode cache."""
    global _fingerprint
    if _fingerprint is None:
        files = _engine_files()
        stamp = hashlib.sha256(f"{FORMAT}\0{sys.version}\0".encode())
        for name, path in files:
            info = os.stat(path)
            stamp.update(f"{name}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
        memo = cache_dir() / f"engine-{stamp.hexdigest()}.sha256"
        try:
            _fingerprint = memo.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            _fingerprint = ""
        if not re.fullmatch(r"[0-9a-f]{64}", _fingerprint):
            digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0".encode())
            for name, path in files:
                with open(path, "rb") as handle:
                    digest.update(name.encode() + b"\0" + handle.read() + b"\0")
            _fingerprint = digest.hexdigest()
            _write(memo, _fingerprint.encode("ascii"))
    return _fingerprint


def plan_key(path: str | Path) -> str | None:
    """The cache key of a policy file, or None when it cannot be cached (unreadable file or
    source document: compiling it gives the proper error)."""
    try:
        where = Path(path).resolve()
        raw = where.read_bytes()
        # the path as given too: it is what the plan's spans (and so its messages) show
        digest = hashlib.sha256(f"{engine_fingerprint()}\0{where}\0{path}\0".encode() + hashlib.sha256(raw).digest())
        if not _add_document(digest, where, raw):
            return None
        match = _EXTENDS.search(raw.decode("utf-8"))
        if match:  # the plan it builds on, and that plan's source: a changed guidance is compiled anew
            from engine.compile.extends import parent_file

            parent = parent_file(match.group(1), path)
            parent_raw = parent.read_bytes()
            digest.update(f"\0extends\0{parent.resolve()}\0{parent}\0".encode() + hashlib.sha256(parent_raw).digest())
            if not _add_document(digest, parent.resolve(), parent_raw):
                return None
        return digest.hexdigest()
    except (OSError, UnicodeDecodeError, ValueError, PolicyError):
        return None


def _add_document(digest, where: Path, raw: bytes) -> bool:
    """Fold the source document a plan's header names into `digest`; False when it lies outside."""
    match = _SOURCE.search(raw.decode("utf-8"))
    if match:
        folder = where.parent
        document = (folder / match.group(1)).resolve()
        if not document.is_relative_to(folder):
            return False
        digest.update(b"\0document\0" + hashlib.sha256(document.read_bytes()).digest())
    return True


# A plan that came from (or went into) the cache -> its entry and the artefacts it holds.
_ENTRIES: "weakref.WeakKeyDictionary[CheckedPlan, tuple[Path, dict[str, Any]]]" = weakref.WeakKeyDictionary()
_SETTERS: dict[type, tuple] = {}


def _rebuild(cls: type, values: tuple):
    """A frozen slotted dataclass from its field values, set slot by slot (see the module's doc)."""
    setters = _SETTERS.get(cls)
    if setters is None:
        setters = _SETTERS[cls] = tuple(getattr(cls, f.name).__set__ for f in fields(cls))
    obj = object.__new__(cls)
    for put, value in zip(setters, values):
        put(obj, value)
    return obj


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj):
        cls = type(obj)
        if ("__slots__" in cls.__dict__ and hasattr(cls, "__dataclass_fields__") and not isinstance(obj, type)
                and cls.__reduce__ is object.__reduce__ and cls.__reduce_ex__ is object.__reduce_ex__):
            return _rebuild, (cls, tuple(getattr(obj, f.name) for f in fields(cls)))
        return NotImplemented


def _load(entry: Path) -> tuple[CheckedPlan, dict[str, Any]] | None:
    try:
        with open(entry, "rb") as handle:
            plan, artefacts = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # a corrupt or foreign entry: ignore it, it will be written anew
        return None
    return (plan, artefacts) if isinstance(plan, CheckedPlan) and type(artefacts) is dict else None


def _store(entry: Path, plan: CheckedPlan, artefacts: dict[str, Any]) -> None:
    buffer = io.BytesIO()  # one pickle: artefacts share the plan's objects
    try:
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((replace(plan, graph=None), artefacts))
    except (pickle.PicklingError, TypeError, AttributeError):
        return  # a cache we cannot write only costs time
    _write(entry, buffer.getvalue())


def _write(entry: Path, data: bytes) -> None:
    """Write a cache file whole or not at all: to a temporary file, then renamed."""
    import tempfile  # only a run that writes the cache needs it

    tmp = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".part", dir=entry.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, entry)
        tmp = None
    except OSError:
        pass  # a cache we cannot write only costs time
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def artefact(plan: CheckedPlan, name: str, make: Callable[[], Any]) -> Any:
    """What `make()` derives from the plan alone (it must be picklable, and depend on nothing
    but the plan and the engine's code, which the key covers), kept in the plan's cache entry:
    made once per entry, read back by later runs. A plan not loaded through the cache just
    gets `make()`."""
    held = _ENTRIES.get(plan)
    if held is None:
        return make()
    entry, artefacts = held
    if name not in artefacts:
        artefacts[name] = make()
        _store(entry, plan, artefacts)
    return artefacts[name]


def load_plan(path: str | Path) -> CheckedPlan:
    """The checked plan of a policy file, from the cache when its key matches, else compiled
    (and then cached). Raises PolicyError as `compile_plan` does."""
    key = plan_key(path)
    entry = cache_dir() / f"{key}.pickle" if key else None
    if entry is not None:
        loaded = _load(entry)
        if loaded is not None:
            _ENTRIES[loaded[0]] = (entry, loaded[1])
            return loaded[0]
    from engine.compile.pipeline import compile_plan

    plan = compile_plan(path)  # which pauses the cyclic collector while it compiles
    if entry is not None:
        _ENTRIES[plan] = (entry, {})
        _store(entry, plan, {})
    return plan
