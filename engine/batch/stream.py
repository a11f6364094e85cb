"""Batch evaluation of a JSON Lines population: streaming, in order, losing nothing.

Each input line gives one output line, in input order: a decision (applicant id, outcome,
decisive rule and article, terms, priorities, computed values, missing facts; `--trace` adds
the whole trace and the why), or an error object naming the line, the JSON path and what is
wrong. A bad line never stops the run; the caller exits non-zero at the end when any line
was bad. Lines are read as bytes and decoded one by one, so a stray byte spoils one line.

Memory stays flat: one line at a time, nothing kept but the counts. With `-o`, the output
goes to a temporary file beside the target and is renamed into place only when the run
completes; an interrupted run (Ctrl-C included) removes it and leaves the target untouched.

Decisions come from the compiled fast path (engine/run/compiled.py), without trace unless asked;
facts are checked by the fast checker, with pydantic for anything it will not vouch for.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import Counter
from contextlib import contextmanager
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import IO, Callable, Iterator

from dsl.diagnostics import Diagnostic, PolicyError
from dsl.limits import JSONL_LINE, breach_help
from dsl.spans import Source, Span
from engine.facts.case import choose_decision
from engine.facts.fastcase import FastWorkspace
from engine.batch.jsonvalues import JsonValues
from engine.batch import parallel
from engine.batch.parallel import WorkerFailed, Workers, can_fork, default_jobs
from engine.facts.validate import FactsError
from engine.reading.reader import TooLong, decode, many_loads, open_lines
from engine.reading.reader import parse_json as parse_source
from engine.run.compiled import Decision, fast_path
from engine.run.decide import OTHERWISE

_PROGRESS_EVERY = 256  # lines between progress-bar updates: redrawing is not free


def _jsonable():
    from render.values import jsonable  # the renderers' one idea of a JSON value

    return jsonable


def decision_record(result: Decision, line: int, stamp: dict, jsonable: Callable | None = None) -> dict:
    """The batch line of a decision without trace; `jsonable` converts its values (a run passes
    one JsonValues for all its lines)."""
    jsonable = jsonable or _jsonable()
    return {"line": line, "applicant": result.applicant_id, "decision": result.decision, "outcome": result.outcome,
            "decided_by": ({"rule": result.rule, "article": result.articles[0]} if result.rule
                           else {"rule": OTHERWISE, "article": None} if result.by_otherwise else None),
            "reason": result.reason, "terms": {k: jsonable(v) for k, v in result.terms},
            "priorities": list(result.priorities), "priorities_unknown": list(result.priorities_unknown),
            "steering": list(result.steering),
            "values": {k: jsonable(v) for k, v in result.values},
            "missing": list(result.missing), "notices": list(result.notices), "plan": stamp}


def traced_record(result, line: int) -> dict:
    """The batch line of a decision with its trace: the same fields, plus `why` and `trace`
    exactly as `policy explain --format json` gives them."""
    from render.json_view import explanation_to_json

    full = explanation_to_json(result)
    by = full["decided_by"]
    return {"line": line, "applicant": full["applicant"]["id"], "decision": full["decision"], "outcome": full["outcome"],
            "decided_by": {"rule": by["rule"], "article": by["article"] and by["article"]["id"]} if by else None,
            "reason": full["reason"], "terms": full["terms"], "priorities": [p["rule"] for p in full["priorities"]],
            "priorities_unknown": [p["rule"] for p in full["priorities_unknown"]],
            "steering": [p["rule"] for p in full["steering"]],
            "values": full["values"], "missing": full["missing"], "notices": full["notices"], "plan": full["plan"],
            "why": full["why"],
            "trace": full["trace"]}


def problem_record(diagnostic: Diagnostic) -> dict:
    """One diagnostic as a batch error: `path` is the JSON path of the bad value (None when the
    problem has no one place in the facts), `file`, `line` and `column` where it was found: the
    facts line, or the context or registry file the bad value came from."""
    path, message = diagnostic.path, diagnostic.message
    if path is not None and message.startswith(path + ": "):  # a message that names its path itself
        message = message[len(path) + 2:]
    problem = {"code": diagnostic.code, "path": path, "message": message}
    span = diagnostic.span
    if span.source is not None:
        problem["file"] = span.path
    if span.line:
        problem["line"] = span.line
    if span.column:
        problem["column"] = span.column
    if diagnostic.help:
        problem["help"] = diagnostic.help
    return problem


def error_record(line: int, error: PolicyError, applicant_id=None, path: str | None = None) -> dict:
    """The batch line of a bad input line; a place on the line itself is given as `path`'s
    line `line` (each line is read as a source of its own, named `path:line`)."""
    problems = [problem_record(d) for d in error.diagnostics]
    for problem in problems if path is not None else ():
        if problem.get("file") == f"{path}:{line}":
            problem["file"], problem["line"] = path, line
    return {"line": line, "applicant": applicant_id, "error": problems[0], "errors": problems}


def _bad_line(source: Source, message: str) -> FactsError:
    return FactsError([Diagnostic("F001", message, Span(source, 1, 1, 1, 2), "each line is one JSON object {…}")])


def _lines(path: str) -> Iterator[bytes]:
    """The raw lines of the population, at most JSONL_LINE bytes each (a longer one is a `TooLong`)."""
    return open_lines(path, "facts", JSONL_LINE.value)


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


def _count_lines(path: str) -> int | None:
    if path == "-":
        return None
    return sum(1 for _ in open_lines(path, "facts"))


class _Progress:
    """A rich progress bar on standard error, when it is a terminal and the decisions go elsewhere."""

    def __init__(self, path: str, output: str | None = None):
        self.bar = None
        # Only where it helps: decisions going to the screen as well would be torn by its redraws,
        # and a dumb terminal cannot redraw a bar at all.
        to_screen = output is None and sys.stdout.isatty()
        if sys.stderr.isatty() and not to_screen and os.environ.get("TERM") != "dumb":
            from rich.console import Console
            from rich.progress import Progress

            # INVARIANT: the bar draws on stderr and leaves stdout alone: rich would otherwise
            # redirect stdout through its console, so `eval pop.jsonl > out.jsonl` came out empty.
            self.bar = Progress(console=Console(stderr=True), transient=True, redirect_stdout=False,
                                redirect_stderr=False)
            self.task = self.bar.add_task("deciding", total=_count_lines(path))
            self.bar.start()

    def advance(self, lines: int) -> None:
        if self.bar is not None and lines % _PROGRESS_EVERY == 0:
            self.bar.update(self.task, completed=lines)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


class _Batch:
    """One run: the workspace, the counts, and how a line becomes a record."""

    def __init__(self, path: str, workspace: FastWorkspace, trace: bool, decision: str | None = None,
                 explained: Callable | None = None):
        self.explained = explained  # `eval --records`: called with (line, case, explanation, data) per decided line
        self.path = path
        self.workspace = workspace
        self.trace = trace
        self.decision = decision  # --decision; else each line's "decision", else admission
        self.base = Path(path).parent if path != "-" else Path.cwd()
        self.stamps: dict[int, dict] = {}
        self.stamp_texts: dict[int, tuple[dict, str]] = {}  # id of a stamp -> (the stamp, its JSON text)
        self.counts: Counter = Counter()
        self.warned = 0  # lines decided with a warning
        self.loads = many_loads()  # the JSON parse of every line, chosen once per run
        self.values = JsonValues(_jsonable())  # and the conversion of every record's values

    def open(self, number: int, raw: bytes, ids: list):
        """One line as a case ready to decide; its id goes into `ids` as soon as it is known
        (an applicant's, or a designated institution's for the trial year and the annual review)."""
        if isinstance(raw, TooLong):
            raise PolicyError([Diagnostic(JSONL_LINE.code, f"line {number} is {raw.length:,} bytes long, longer than "
                                          f"{JSONL_LINE.value:,}", Span(Source(f"{self.path}:{number}", "")),
                                          breach_help(JSONL_LINE))])
        text = decode(raw, f"{self.path}:{number}", "facts")
        source = Source(f"{self.path}:{number}", text)
        if not text.strip():
            raise _bad_line(source, "empty line: expected one JSON object")
        data = parse_source(source, "facts", self.loads)
        for key in ("applicant", "institution"):
            subject = data.get(key)
            if isinstance(subject, dict) and subject.get("id") is not None:
                ids.append(subject["id"])
                break
        self.data = data
        return self.workspace.open_case(data, source, self.base)

    def record(self, number: int, raw: bytes) -> dict:
        ids: list = []
        try:
            case = self.open(number, raw, ids)
            decision = choose_decision(case.plan, self.decision, case.facts, case.source)
            compiled = fast_path(case.plan)
            if self.explained is not None:
                self.explained(number, case, compiled.explain(case.facts, decision, registry=case.registry), self.data)
            if self.trace:
                record = traced_record(compiled.explain(case.facts, decision, registry=case.registry), number)
            else:
                record = decision_record(compiled.decide(case.facts, decision, registry=case.registry), number,
                                         self.stamp(case.plan), self.values)
        except PolicyError as error:
            self.counts["error"] += 1
            return error_record(number, error, _writable((ids or [None])[0]), self.path)
        except UnicodeEncodeError as error:  # a lone surrogate reached a place that needs text
            self.counts["error"] += 1
            char = error.object[error.start] if isinstance(error.object, str) else "?"
            return error_record(number, _surrogate(self.path, number, char), None, self.path)
        except Exception as error:  # a bug of ours must not cost the rest of the population
            self.counts["error"] += 1
            problem = {"code": "X000", "path": None, "message": f"internal error: {type(error).__name__}: {error}",
                       "help": "please report this line; the other lines are decided"}
            return {"line": number, "applicant": _writable((ids or [None])[0]), "error": problem, "errors": [problem]}
        record["warnings"] = self.warnings(case.warnings, number)
        self.warned += bool(case.warnings)
        self.counts[record["outcome"]] += 1
        return record

    def line(self, number: int, raw: bytes, dumps) -> str:
        """The record of a line as one line of UTF-8 JSON text, whatever the line held."""
        record = self.record(number, raw)
        stamp = record.get("plan")
        held = self.stamp_texts.get(id(stamp)) if stamp is not None and "trace" not in record else None
        if held is not None and held[0] is stamp:  # the plan's stamp, the last key but `warnings`: encoded once a run
            warnings = record.pop("warnings")
            del record["plan"]
            text = f'{dumps(record)[:-1]}, "plan": {held[1]}, "warnings": {dumps(warnings)}}}'
            record["plan"], record["warnings"] = stamp, warnings
        else:
            text = dumps(record)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:  # a lone surrogate (`"\ud800"` in the input) reached the record
            self.counts[record.get("outcome", "error")] -= 1
            self.counts["error"] += 1
            text = dumps(error_record(number, _surrogate(self.path, number, error.object[error.start]), None,
                                      self.path))
        return text

    def warnings(self, warnings, number: int) -> list[dict]:
        """A line's warnings as JSON, a place on the line given as this file's line `number`."""
        out = [problem_record(w) for w in warnings]
        for problem in out:
            if problem.get("file") == f"{self.path}:{number}":
                problem["file"], problem["line"] = self.path, number
        return out

    def stamp(self, plan) -> dict:
        stamp = self.stamps.get(id(plan))  # plans live in the workspace for the whole run
        if stamp is None:
            stamp = self.stamps[id(plan)] = plan.stamp.as_json()
            self.stamp_texts[id(stamp)] = (stamp, json.dumps(stamp, ensure_ascii=False))
        return stamp


def write_records(batch: _Batch, line_text: Callable[[int, bytes], str], output: str | None, jobs: int | None,
                  on_line: Callable[[int], None] | None = None) -> int:
    """Every line of the run's file through `line_text(number, raw)`, its record's JSON text,
    written in input order, atomically with `-o`; return the number of the last line.

    With `jobs` > 1 (None: the cores), the lines are decided by that many forked workers
    (engine/batch/parallel.py) running the same `line_text`, so the bytes are the same; a file
    of one chunk, and a run with `--records` (whose callback writes from this process), are
    decided here."""
    lines = _lines(batch.path)
    head = list(islice(lines, parallel.CHUNK_LINES))  # a file of one chunk is decided here: a fork costs more
    lines = chain(head, lines)
    jobs = default_jobs() if jobs is None else jobs
    workers = None
    if jobs > 1 and len(head) == parallel.CHUNK_LINES and batch.explained is None and can_fork():
        workers = Workers(partial(_decide_chunk, batch, line_text), jobs)  # before the progress bar's thread
    progress = _Progress(batch.path, output)
    number = 0
    try:
        with atomic_output(output) as out:
            write = out.write
            if workers is not None:
                for number, text, counts, warned in workers.run(lines):
                    write(text)
                    batch.counts.update(counts)  # update, not +=, which would drop a count of 0 one process keeps
                    batch.warned += warned
                    progress.advance(number)
                    if on_line is not None:
                        on_line(number)  # the caller's count, for the note when a signal stops the run
            else:
                for number, raw in enumerate(lines, 1):
                    write(line_text(number, raw) + "\n")
                    progress.advance(number)
                    if on_line is not None:
                        on_line(number)
    except WorkerFailed as error:  # no line's fault: the run stops, and -o leaves nothing behind
        raise PolicyError([Diagnostic("X000", f"internal error: {type(error).__name__}: {error}",
                                      Span(Source(batch.path, "")),
                                      "please report this; run with --jobs 1 to decide in one process")]) from None
    finally:
        progress.stop()
        if workers is not None:
            workers.stop()
    return number


def _decide_chunk(batch: _Batch, line_text, first: int, lines: list[bytes]) -> tuple[str, Counter, int]:
    """In a worker: the records of a chunk of lines, as text, with the chunk's counts."""
    batch.counts, batch.warned = Counter(), 0
    text = "".join([line_text(number, raw) + "\n" for number, raw in enumerate(lines, first)])
    return text, batch.counts, batch.warned


def _surrogate(path: str, number: int, char: str) -> PolicyError:
    code = f"U+{ord(char):04X}" if len(char) == 1 else "a surrogate"
    return PolicyError([Diagnostic("F001", f"the line holds a lone surrogate {code} (a `\\u` escape of half a "
                                   "character), which is not text", Span(Source(f"{path}:{number}", "")),
                                   "correct the string that holds it; each line is UTF-8 JSON text")])


def _writable(value):
    """An applicant id fit for a UTF-8 JSON record: one holding a lone surrogate is not kept,
    and a bad one (a number, an object) is written as JSON, its exact numbers as numbers: a
    refused line's id is whatever the line gave, read as facts are (1.5 is a Fraction)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return None
        return value
    return _jsonable()(value)


def run_batch(path: str, plan_ref: str | None, context_path: str | None, output: str | None, trace: bool,
              registry_path: str | None = None, strict: bool = False, decision: str | None = None,
              on_line: Callable[[int], None] | None = None, explained: Callable | None = None,
              jobs: int | None = None) -> int:
    """Decide every line; write one record per line; return how many lines were bad. With
    `strict`, a line with a warning (an undeclared key) is a bad line. A population decision
    (`--decision 年度考核`, over a population) goes through engine/batch/population.py: its
    aggregates first, then every line."""
    workspace = FastWorkspace(plan_ref, context_path, registry_path, strict=strict)
    plan = workspace.plan(plan_ref) if plan_ref else None  # an unknown plan is one error for the run, not one per line
    if context_path:
        workspace.context(context_path)  # and so is an unreadable context file
    if registry_path:
        workspace.registry(registry_path, plan)  # and a bad registry file
    batch = _Batch(path, workspace, trace, decision, explained)
    if path != "-" or decision is not None:
        from engine.batch.population import population_of, run_population

        population = population_of(batch, plan, decision)
        if population is not None:
            return run_population(batch, *population, output, jobs, on_line)
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    if plan is not None:  # loaded before any fork, so that every worker has them
        workspace.checker(plan)
        fast_path(plan).module(trace)
    number = write_records(batch, lambda n, raw: batch.line(n, raw, dumps), output, jobs, on_line)
    counts = batch.counts
    summary = ", ".join(f"{outcome} {n}" for outcome, n in sorted(counts.items()))
    warned = f"; {batch.warned} with warnings (see each line's `warnings`)" if batch.warned else ""
    print(f"{number} lines: {summary or 'none'}{warned}", file=sys.stderr)
    return counts["error"]


# The parts of a run that engine/batch/population.py reuses for a population decision's two passes.
Batch, Progress, read_lines = _Batch, _Progress, _lines
