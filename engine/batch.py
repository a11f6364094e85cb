"""Batch evaluation of a JSON Lines population: streaming, in order, losing nothing.

Each input line gives one output line: a decision, or an error object naming the line and
the JSON path. Memory stays flat (one line at a time). With `-o`, the output goes to a
temporary file beside the target and is renamed into place only when the run completes, so
an interrupted run never leaves a half-written file.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from dsl.diagnostics import Diagnostic, PolicyError
from dsl.spans import Source

from .case import Workspace, read_source
from .evaluator import evaluate
from .facts import parse_json


def decision_record(result, line: int, trace: bool) -> dict:
    from render.json_view import explanation_to_json  # the same record `explain --format json` gives

    full = explanation_to_json(result)
    record = {"line": line, "applicant": full["applicant"]["id"], "outcome": full["outcome"],
              "decided_by": full["decided_by"] and {"rule": full["decided_by"]["rule"],
                                                     "article": full["decided_by"]["article"]["id"]},
              "reason": full["reason"], "terms": full["terms"], "values": full["values"], "missing": full["missing"],
              "plan": full["plan"]}
    if trace:
        record["trace"] = full["trace"]
        record["why"] = full["why"]
    return record


def error_record(line: int, error: PolicyError, applicant_id=None) -> dict:
    first: Diagnostic = error.diagnostics[0]
    path, _, message = first.message.partition(": ") if ": " in first.message else ("", "", first.message)
    return {"line": line, "applicant": applicant_id, "error": {"code": first.code, "path": path or None,
                                                               "message": message or first.message}}


def _lines(path: str) -> Iterator[str]:
    if path == "-":
        yield from sys.stdin
        return
    try:
        handle = open(path, encoding="utf-8")
    except OSError as error:
        read_source(path)  # raises the same diagnostic as any unreadable input
        raise
    with handle:
        yield from handle


@contextmanager
def atomic_output(output: str | None) -> Iterator[IO[str]]:
    if output is None:
        yield sys.stdout
        return
    target = Path(output)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _count_lines(path: str) -> int | None:
    if path == "-":
        return None
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def run_batch(path: str, plan_ref: str | None, context_path: str | None, output: str | None, trace: bool) -> int:
    """Decide every line; return how many lines were bad."""
    workspace = Workspace(plan_ref, context_path)
    if plan_ref:
        workspace.plan(plan_ref)  # an unknown plan is one error for the run, not one per line
    counts: Counter = Counter()
    bad = 0
    show_progress = sys.stderr.isatty() and path != "-"
    progress = None
    if show_progress:
        from rich.progress import Progress

        progress = Progress(transient=True)
        task = progress.add_task("deciding", total=_count_lines(path))
        progress.start()
    base = Path(path).parent if path != "-" else Path.cwd()
    try:
        with atomic_output(output) as out:
            for number, raw in enumerate(_lines(path), 1):
                if not raw.strip():
                    continue
                source = Source(f"{path}:{number}", raw)
                applicant_id = None
                try:
                    data = parse_json(raw, source)
                    applicant_id = (data.get("applicant") or {}).get("id") if isinstance(data.get("applicant"), dict) else None
                    plan, facts = workspace.case(data, source, base)
                    record = decision_record(evaluate(plan, facts), number, trace)
                    counts[record["outcome"]] += 1
                except PolicyError as error:
                    record = error_record(number, error, applicant_id)
                    counts["error"] += 1
                    bad += 1
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                if progress:
                    progress.advance(task)
    finally:
        if progress:
            progress.stop()
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"{sum(counts.values())} lines: {summary or 'none'}", file=sys.stderr)
    return bad
