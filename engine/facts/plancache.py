"""A cache of checked plans, so a warm `policy explain` neither parses nor checks.

An entry is the pickled `CheckedPlan` without its networkx graph (nothing that decides or
explains reads the graph; `policy graph` and the differ compile afresh). Its key is the
sha256 of everything the checked plan is made from:
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
"""
from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from dsl.diagnostics import PolicyError
from engine.compile.plan import CheckedPlan

FORMAT = "policy-plan-cache-1"
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


def engine_fingerprint() -> str:
    """sha256 over the code that parses, checks and represents a plan."""
    global _fingerprint
    if _fingerprint is None:
        digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0".encode())
        # the whole engine, not only compile/: a pickled plan holds objects of several stages,
        # and a stale one must never be mistaken for the current engine's
        root = _HERE.parents[1]
        for folder in (root / "dsl", root / "engine"):
            for file in sorted(folder.rglob("*")):
                if file.suffix in (".py", ".lark") and "__pycache__" not in file.parts:
                    name = file.relative_to(root).as_posix()
                    digest.update(name.encode() + b"\0" + file.read_bytes() + b"\0")
        _fingerprint = digest.hexdigest()
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


def _load(entry: Path) -> CheckedPlan | None:
    try:
        with open(entry, "rb") as handle:
            plan = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # a corrupt or foreign entry: ignore it, it will be written anew
        return None
    return plan if isinstance(plan, CheckedPlan) else None


def _store(entry: Path, plan: CheckedPlan) -> None:
    tmp = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".part", dir=entry.parent)
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(replace(plan, graph=None), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
        tmp = None
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # a cache we cannot write only costs time
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def load_plan(path: str | Path) -> CheckedPlan:
    """The checked plan of a policy file, from the cache when its key matches, else compiled
    (and then cached). Raises PolicyError as `compile_plan` does."""
    key = plan_key(path)
    entry = cache_dir() / f"{key}.pickle" if key else None
    if entry is not None:
        plan = _load(entry)
        if plan is not None:
            return plan
    import gc

    from engine.compile.pipeline import compile_plan

    # A compile makes many long-lived objects and no garbage cycles worth collecting; the
    # cyclic collector's passes over them are a fifth of the time for a 1,000-rule plan.
    collecting = gc.isenabled()
    gc.disable()
    try:
        plan = compile_plan(path)
    finally:
        if collecting:
            gc.enable()
    if entry is not None:
        _store(entry, plan)
    return plan
