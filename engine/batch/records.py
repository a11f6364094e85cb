"""What a decision record names, and how to tell whether it still holds.

A decision record (docs/records.md) is plain JSON an archive can keep: the files a decision
was made from, each with its sha256, the engine that made it, the date judged, and the
decision itself with its full trace. This module computes the identities (hashes, paths)
and compares a recorded identity with one computed now; commands/records.py puts the
decision's JSON view beside them and replays.

Hashes:
  plan             sha256 of the plan's text (the PlanStamp's, as every decision carries)
  source_document  sha256 of the source document's bytes (the plan's `source`)
  facts, context   sha256 of the canonical form of their JSON (`canonical_json`), so a file
                   re-serialised with other spacing or key order is the same facts; the
                   sha256 of the bytes is recorded beside it for the archive
  registry         sha256 of the CSV file's bytes
  engine           the package version and a sha256 over the code of dsl/, engine/ and render/
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

FORMAT = "policy decision record"
FORMAT_VERSION = 1
_CODE_ROOT = Path(__file__).resolve().parents[2]  # the checkout: engine/batch/records.py


def canonical_json(value) -> bytes:
    """The canonical form: keys sorted, no insignificant space, UTF-8, numbers as Python writes
    them (shortest round-trip form). Close to RFC 8785; docs/records.md says how to rebuild it."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def json_identity(path: str, line: int | None = None) -> dict:
    """The identity of a JSON file (or of one line of a JSON Lines file). Raises OSError or
    ValueError when it cannot be read as JSON."""
    raw = Path(path).read_bytes()
    if line is not None:
        lines = raw.split(b"\n")
        if not 0 < line <= len(lines):
            raise ValueError(f"the file has no line {line}")
        raw = lines[line - 1]
    text = raw.decode("utf-8-sig")
    value = json.loads(text)
    identity = {"path": str(path), "sha256": sha256(canonical_json(value)), "bytes_sha256": sha256(raw)}
    if line is not None:
        identity["line"] = line
    return identity


def file_identity(path: str) -> dict:
    return {"path": str(path), "sha256": sha256(Path(path).read_bytes())}


def plan_identity(plan) -> dict:
    """The plan (a CheckedPlan) and its source document, as recorded."""
    identity = {**plan.stamp.as_json(), "path": str(plan.path)}
    source = plan.header.get("source") if plan.header else None
    document = None
    if source:
        document_path = Path(plan.path).parent / source
        try:
            document = file_identity(str(document_path))
        except OSError:
            document = {"path": str(document_path), "sha256": None}
    return {"plan": identity, "source_document": document}


def plan_text_sha256(path: str) -> str:
    """The sha256 a plan file's text has now, computed as the checker computes the stamp's."""
    return sha256(Path(path).read_text(encoding="utf-8").encode("utf-8"))


def engine_identity() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    try:
        engine_version = version("policy")
    except PackageNotFoundError:
        engine_version = "unknown"
    digest = hashlib.sha256()
    for folder in ("dsl", "engine", "render"):
        for file in sorted((_CODE_ROOT / folder).rglob("*")):
            if file.suffix in (".py", ".lark") and "__pycache__" not in file.parts:
                digest.update(file.relative_to(_CODE_ROOT).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return {"name": "policy", "version": engine_version, "code_sha256": digest.hexdigest()}


def relative_to(path: str | None, folder: Path) -> str | None:
    """A path as the record keeps it: relative to the record's folder, so record and files
    can move together; absolute when they share no root."""
    if path is None:
        return None
    target, folder = Path(path).resolve(), folder.resolve()
    try:
        shared = Path(os.path.commonpath([target, folder]))
    except ValueError:
        return str(target)
    if shared == Path(shared.anchor) or len(folder.relative_to(shared).parts) > 3:
        return str(target)  # no nearer root in common: the absolute path says more
    return os.path.relpath(target, folder)


def first_json_difference(recorded, now, where: str = "") -> str | None:
    """The path of the first place two JSON values differ (`trace[3].value`), or None.

    Walked with an explicit stack, in document order."""
    stack = [(where, recorded, now)]
    while stack:
        here, a, b = stack.pop()
        if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
            return here or "the whole record"
        if isinstance(a, dict):
            if list(a) != list(b):
                missing = [k for k in a if k not in b] or [k for k in b if k not in a]
                return f"{here}.{missing[0]}".lstrip(".") if missing else here or "the order of fields"
            stack.extend((f"{here}.{k}".lstrip("."), a[k], b[k]) for k in reversed(list(a)))
        elif isinstance(a, list):
            if len(a) != len(b):
                return f"{here} (length {len(a)} recorded, {len(b)} now)"
            stack.extend((f"{here}[{i}]", x, y) for i, x, y in reversed(list(zip(range(len(a)), a, b))))
        elif a != b:
            return here or "the whole record"
    return None
