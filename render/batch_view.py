"""A batch run as its user sees it: one JSON record per input line, the progress bar while it
runs and the summary line at the end.

engine/batch/stream.py decides the lines and hands each over as a `Line` (decided or refused);
this module shapes it: a decision (applicant id, outcome, decisive rule and article, terms,
priorities, computed values, missing facts; with `--trace` the whole trace and the why, as
`policy explain --format json` gives them), or an error object naming the line, the JSON path
and what is wrong. commands/eval.py writes the records and drives the bar.
"""
from __future__ import annotations

import json
import os
import sys
from collections import Counter
from typing import Callable

from dsl.diagnostics import Diagnostic, PolicyError
from engine.batch.jsonvalues import JsonValues
from engine.batch.stream import Line, surrogate_error
from engine.run.decide import OTHERWISE

from i18n import gettext as _

from .json_view import explanation_to_json
from .values import jsonable

_PROGRESS_EVERY = 256  # lines between progress-bar updates: redrawing is not free


def decision_record(result, line: int, stamp: dict, convert: Callable = jsonable) -> dict:
    """The batch line of a decision without trace (an engine.run.compiled.Decision); `convert`
    is `jsonable`, or a run's JsonValues (the same JSON, shared objects converted once)."""
    jsonable = convert
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


def writable(value):
    """An applicant id fit for a UTF-8 JSON record: one holding a lone surrogate is not kept,
    and a bad one (a number, an object) is written as JSON, its exact numbers as numbers: a
    refused line's id is whatever the line gave, read as facts are (1.5 is a Fraction)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return None
        return value
    return jsonable(value)


class Records:
    """How the lines of one run become records, and what they came to (for the summary).

    `population` (a population decision's name) adds each line's `rank`, the population's size
    and, without trace, a `why` that says both."""

    def __init__(self, path: str, trace: bool, population: str | None = None):
        self.path = path
        self.trace = trace
        self.population = population
        self.stamps: dict[int, dict] = {}
        self.counts: Counter = Counter()
        self.warned = 0  # lines decided with a warning
        self.size = 0  # a population's size, once aggregated
        self.values = JsonValues(jsonable)  # every record's values, a shared object converted once a run
        self.stamp_texts: dict[int, tuple[dict, str]] = {}  # id of a stamp -> (the stamp, its JSON text)

    def record(self, line: Line) -> dict:
        """The record of one line, counted for the summary."""
        if line.case is not None:
            try:
                record = self.decided(line)
            except UnicodeEncodeError as error:  # a lone surrogate reached a place that needs text
                char = error.object[error.start] if isinstance(error.object, str) else "?"
                line = Line(line.number, None, surrogate_error(self.path, line.number, char))
            except Exception as error:  # a bug of ours must not cost the rest of the population
                line = Line(line.number, None, error, getattr(line.result, "applicant_id", None))
            else:
                self.warned += bool(line.case.warnings)
                self.counts[record["outcome"]] += 1
                return record
        self.counts["error"] += 1
        return self.refused(line)

    def decided(self, line: Line) -> dict:
        number, case = line.number, line.case
        if self.trace:
            record = traced_record(line.result, number)
        else:
            record = decision_record(line.result, number, self.stamp(case.plan), self.values)
        if self.population is not None:
            self.size = line.size
            record["rank"] = line.rank
            record["population"] = line.size
        record["warnings"] = self.warnings(case.warnings, number)
        if self.population is not None and not self.trace:
            record["why"] = why(record, line.rank, line.size)
        return record

    def refused(self, line: Line) -> dict:
        """The error object of a refused line: its diagnostics, or what a bug of ours raised."""
        if line.size is not None:
            self.size = line.size
        error = line.result
        if isinstance(error, PolicyError):
            return error_record(line.number, error, writable(line.subject), self.path)
        problem = {"code": "X000", "path": None, "message": f"internal error: {type(error).__name__}: {error}",
                   "help": "please report this line; the other lines are decided"}
        return {"line": line.number, "applicant": writable(line.subject), "error": problem, "errors": [problem]}

    def text(self, line: Line, dumps: Callable[[dict], str]) -> str:
        """The record of a line as one line of UTF-8 JSON text, whatever the line held."""
        record = self.record(line)
        stamp = record.get("plan")
        held = self.stamp_texts.get(id(stamp)) if stamp is not None and list(record)[-2:] == ["plan", "warnings"] \
            else None
        if held is not None and held[0] is stamp:  # a plan's stamp, the same every line: encoded once a run
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
            text = dumps(error_record(line.number, surrogate_error(self.path, line.number, error.object[error.start]),
                                      None, self.path))
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

    def summary(self, lines: int) -> str:
        """The line standard error gets at the end: how many lines, by outcome."""
        counts = _(", ").join(f"{outcome} {n}" for outcome, n in sorted(self.counts.items())) or _("none")
        if self.population is not None:
            return _("{lines} lines of population {name} ({size} aggregated): {counts}").format(
                lines=lines, name=f"`{self.population}`", size=self.size, counts=counts)
        warned = _("; {count} with warnings (see each line's `warnings`)").format(count=self.warned) if self.warned else ""
        return _("{lines} lines: {counts}").format(lines=lines, counts=counts) + warned


def why(record: dict, place, size: int) -> str:
    """A population line's why: its rank, then the rule that decided."""
    ranked = f"rank {place} of {size}" if place is not None else f"{size} in the population"
    by = record.get("decided_by")
    if by:
        return f"{ranked}; `{by['rule']}` ({by['article']}) decided: {record.get('reason') or record['outcome']}"
    return f"{ranked}; no rule decided, so the decision's `otherwise` holds: {record['outcome']}"


class Progress:
    """A rich progress bar on standard error, when it is a terminal and the decisions go elsewhere.
    `total` counts the lines to come; it is called only when the bar is drawn."""

    def __init__(self, total: Callable[[], int | None], output: str | None = None):
        self.bar = None
        # Only where it helps: decisions going to the screen as well would be torn by its redraws,
        # and a dumb terminal cannot redraw a bar at all.
        to_screen = output is None and sys.stdout.isatty()
        if sys.stderr.isatty() and not to_screen and os.environ.get("TERM") != "dumb":
            from rich.console import Console
            from rich.progress import Progress as Bar

            # INVARIANT: the bar draws on stderr and leaves stdout alone: rich would otherwise
            # redirect stdout through its console, so `eval pop.jsonl > out.jsonl` came out empty.
            self.bar = Bar(console=Console(stderr=True), transient=True, redirect_stdout=False, redirect_stderr=False)
            self.task = self.bar.add_task(_("deciding"), total=total())
            self.bar.start()

    def advance(self, lines: int) -> None:
        if self.bar is not None and lines % _PROGRESS_EVERY == 0:
            self.bar.update(self.task, completed=lines)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
