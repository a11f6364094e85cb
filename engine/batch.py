"""Batch evaluation of a JSON Lines population: streaming, in order, losing nothing.

Each input line gives one output line, in input order: a decision (applicant id, outcome,
decisive rule and article, terms, priorities, computed values, missing facts; `--trace` adds
the whole trace and the why), or an error object naming the line, the JSON path and what is
wrong. A bad line never stops the run, whatever is wrong with it (bytes that are not UTF-8,
a line longer than the limit, a decision that cannot be written as UTF-8, a bug of ours); the
caller exits non-zero at the end when any line was bad. Lines are read as bytes, at most
JSONL_LINE bytes at a time, and decoded one by one, so a stray byte spoils one line.

Memory stays flat: one line at a time, nothing kept but the counts. With `-o`, the output
goes to a temporary file beside the target and is renamed into place only when the run
completes; an interrupted run (Ctrl-C, or a signal the caller turns into an exception)
removes it and leaves the target untouched.

Decisions come from the compiled fast path (engine/compiled.py), without trace unless asked;
facts are checked by the fast checker, with pydantic for anything it will not vouch for. The
records themselves are a view (render/batch_view.py), handed in by the caller, as are the
progress and the summary: this module prints nothing.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, Callable, Iterator, Protocol

from dsl.diagnostics import Diagnostic, PolicyError
from dsl.limits import JSONL_LINE, breach_help
from dsl.spans import Source, Span

from .compiled import Decision, fast_path
from .facts import FactsError, parse_json
from .fastcase import FastWorkspace

_BOM = b"\xef\xbb\xbf"


class RecordView(Protocol):
    """How a line's result becomes its record: render.batch_view is one."""

    def decision_record(self, result: Decision, line: int, stamp: dict) -> dict: ...
    def traced_record(self, result, line: int) -> dict: ...
    def error_record(self, line: int, error: PolicyError, applicant_id=None) -> dict: ...
    def internal_error_record(self, line: int, error: BaseException, applicant_id=None) -> dict: ...


def _problem(diagnostic: Diagnostic) -> dict:
    """One diagnostic as a batch error: `path` is the JSON path it concerns, when it has one."""
    problem = {"code": diagnostic.code, "path": diagnostic.path, "message": diagnostic.message}
    if diagnostic.code == "F001" and diagnostic.span.column:
        problem["column"] = diagnostic.span.column
    if diagnostic.help:
        problem["help"] = diagnostic.help
    return problem


def error_record(line: int, error: PolicyError, applicant_id=None) -> dict:
    problems = [_problem(d) for d in error.diagnostics]
    return {"line": line, "applicant": applicant_id, "error": problems[0], "errors": problems}


def _bad_line(source: Source, message: str) -> FactsError:
    return FactsError([Diagnostic("F001", message, Span(source, 1, 1, 1, 2), "each line is one JSON object {…}")])


class _TooLong(bytes):
    """A line longer than the limit: only its first bytes are kept (`length` says how long it was)."""

    length: int = 0


def _bounded_lines(handle: BinaryIO, limit: int) -> Iterator[bytes]:
    """The lines of a stream, none read whole beyond `limit` bytes: the rest of a longer one is
    skipped in pieces, so a file with no newline at all costs `limit` bytes of memory, not its size."""
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n") and len(line) == limit + 1:
            yield line
            continue
        length = len(line)
        while not line.endswith(b"\n"):
            line = handle.readline(1 << 20)
            if not line:
                break
            length += len(line)
        too_long = _TooLong(b"")
        too_long.length = length - line.endswith(b"\n")  # the newline is not part of the line
        yield too_long


def _lines(path: str) -> Iterator[bytes]:
    limit = JSONL_LINE.value
    if path == "-":
        yield from _bounded_lines(sys.stdin.buffer, limit)
        return
    try:
        handle: BinaryIO = open(path, "rb")
    except OSError as error:
        raise FactsError([Diagnostic("F000", f"cannot read facts file `{path}`: {error.strerror}",
                                     Span(Source(path, "")))]) from None
    with handle:
        yield from _bounded_lines(handle, limit)


@contextmanager
def atomic_output(output: str | None) -> Iterator[IO[str]]:
    """stdout, or a temporary file beside `output` renamed onto it only when the block ends
    normally. INVARIANT: on any exception, KeyboardInterrupt included, nothing is left."""
    if output is None:
        yield sys.stdout
        return
    target = Path(output)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as error:
        raise _cannot_write(output, error) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
        os.chmod(tmp, _mode_for(target))  # mkstemp makes 0600; the result should look like any new file
        os.replace(tmp, target)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):  # a full disk, a target that is a folder: an error, not a traceback
            raise _cannot_write(output, error) from None
        raise


def _cannot_write(output: str, error: OSError) -> PolicyError:
    return PolicyError([Diagnostic("O001", f"cannot write `{output}`: {error.strerror or error}",
                                   Span(Source(output, "")), "check that its folder exists and is writable")])


def _mode_for(target: Path) -> int:
    """The target's own permissions if it exists, else those of a new file under the umask."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


class _Batch:
    """One run: the workspace, the counts, and how a line becomes a record."""

    def __init__(self, path: str, workspace: FastWorkspace, trace: bool, view: RecordView, explained=None):
        self.explained = explained  # called with (line, case, explanation, data) for each decided line
        self.path = path
        self.workspace = workspace
        self.trace = trace
        self.view = view
        self.base = Path(path).parent if path != "-" else Path.cwd()
        self.stamps: dict[int, dict] = {}
        self.counts: Counter = Counter()

    def record(self, number: int, raw: bytes) -> dict:
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM):]
        applicant_id = None
        try:
            if isinstance(raw, _TooLong):
                raise PolicyError([Diagnostic(JSONL_LINE.code, f"line {number} is {raw.length:,} bytes long, longer "
                                              f"than {JSONL_LINE.value:,}", Span(Source(f"{self.path}:{number}", "")),
                                              breach_help(JSONL_LINE))])
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise _bad_line(Source(f"{self.path}:{number}", ""), f"not UTF-8 text: {error.reason} at byte "
                                f"{error.start}") from None
            source = Source(f"{self.path}:{number}", text)
            if not text.strip():
                raise _bad_line(source, "empty line: expected one JSON object")
            data = parse_json(text, source)
            applicant = data.get("applicant")
            applicant_id = applicant.get("id") if isinstance(applicant, dict) else None
            case = self.workspace.open_case(data, source, self.base)
            compiled = fast_path(case.plan)
            if self.explained is not None:  # `eval --records`: each decision's audit record needs its trace
                self.explained(number, case, compiled.explain(case.facts, registry=case.registry), data)
            if self.trace:
                record = self.view.traced_record(compiled.explain(case.facts, registry=case.registry), number)
            else:
                record = self.view.decision_record(compiled.decide(case.facts, registry=case.registry), number,
                                                   self.stamp(case.plan))
        except PolicyError as error:
            self.counts["error"] += 1
            return self.view.error_record(number, error, _writable(applicant_id))
        except UnicodeEncodeError as error:  # a `"\ud800"` escape decodes to a lone surrogate, which is not text
            self.counts["error"] += 1
            char = error.object[error.start] if isinstance(error.object, str) else "?"
            return self.view.error_record(number, _surrogate(self.path, number, char), _writable(applicant_id))
        except Exception as error:  # a bug of ours must not cost the rest of the population
            self.counts["error"] += 1
            return self.view.internal_error_record(number, error, _writable(applicant_id))
        self.counts[record["outcome"]] += 1
        return record

    def stamp(self, plan) -> dict:
        stamp = self.stamps.get(id(plan))  # plans live in the workspace for the whole run
        if stamp is None:
            stamp = self.stamps[id(plan)] = plan.stamp.as_json()
        return stamp

    def line(self, number: int, raw: bytes, dumps) -> str:
        """The record of a line as one line of UTF-8 JSON text, whatever the line held."""
        record = self.record(number, raw)
        text = dumps(record)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:  # a lone surrogate (`"\ud800"` in the input) reached the record
            self.counts[record.get("outcome", "error")] -= 1
            self.counts["error"] += 1
            text = dumps(self.view.error_record(number, _surrogate(self.path, number, error.object[error.start]),
                                                None))
        return text


def _surrogate(path: str, number: int, char: str) -> PolicyError:
    code = f"U+{ord(char):04X}" if len(char) == 1 else "a surrogate"
    return PolicyError([Diagnostic("F001", f"the line holds a lone surrogate {code} (a `\\u` escape of half a "
                                   "character), which is not text", Span(Source(f"{path}:{number}", "")),
                                   "correct the string that holds it; each line is UTF-8 JSON text")])


def _writable(value):
    """An applicant id fit for a UTF-8 record: one holding a lone surrogate is not kept."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return None
    return value


@dataclass
class BatchRun:
    """What a run did: `lines` decided so far (kept up to date while it runs), the counts by outcome."""

    lines: int = 0
    counts: Counter = field(default_factory=Counter)

    @property
    def bad(self) -> int:
        return self.counts["error"]


def run_batch(path: str, plan_ref: str | None, context_path: str | None, output: str | None, trace: bool,
              registry_path: str | None = None, *, view: RecordView, progress: Callable[[int], None] | None = None,
              run: BatchRun | None = None, explained: Callable | None = None) -> BatchRun:
    """Decide every line; write one record per line; return the run (lines done, counts).

    `progress(n)` is called after each line; `run`, when given, is updated as lines are done,
    so a caller interrupted mid-run can say how far it got; `explained(line, case,
    explanation, data)`, when given, receives each decided line's full explanation.
    """
    workspace = FastWorkspace(plan_ref, context_path, registry_path)
    plan = workspace.plan(plan_ref) if plan_ref else None  # an unknown plan is one error for the run, not one per line
    if context_path:
        workspace.context(context_path)  # and so is an unreadable context file
    if registry_path:
        workspace.registry(registry_path, plan)  # and a bad registry file
    batch = _Batch(path, workspace, trace, view, explained)
    run = run if run is not None else BatchRun()
    run.counts = batch.counts
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    with atomic_output(output) as out:
        write = out.write
        for number, raw in enumerate(_lines(path), 1):
            write(batch.line(number, raw, dumps) + "\n")
            run.lines = number
            if progress is not None:
                progress(number)
    return run
