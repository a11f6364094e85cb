"""`policy allocate` as a library call: read a round's JSON Lines, decide and allocate it.

Each line is one applicant's facts, read and checked as `policy eval` reads them; a bad line
is kept as a `BadLine` (its record is an error object) and takes no part in the round (the
exit code says so at the end). The quota table comes from `--context` when given, else from the first good line's
city statistics: one round is one city-year. render/allocation_view.py turns the result into
records; commands/allocate.py writes them.
"""
from __future__ import annotations

import sys
from dsl.dataclass_cache import dataclass
from pathlib import Path

from dsl.diagnostics import Diagnostic, PolicyError
from dsl.spans import Source, Span
from engine.allocation.allocate import Allocation, Entry, first_decision
from engine.allocation.quotas import QuotaTable, table_or_raise
from engine.facts.case import Case
from engine.facts.fastcase import FastWorkspace
from engine.facts.validate import FactsError, parse_json
from engine.reading.reader import locate

_BOM = b"\xef\xbb\xbf"


def _read(path: str) -> list[bytes]:
    if path == "-":
        return list(sys.stdin.buffer)
    try:
        with open(path, "rb") as handle:
            return list(handle)
    except OSError as error:
        raise FactsError([Diagnostic("F000", f"cannot read facts file `{path}`: {error.strerror}",
                                     Span(Source(path, "")))]) from None


def _bad(source: Source, message: str) -> FactsError:
    return FactsError([Diagnostic("F001", message, Span(source, 1, 1, 1, 2), "each line is one JSON object {…}")])


def _data(path: str, number: int, raw: bytes) -> tuple[dict, Source]:
    if number == 1 and raw.startswith(_BOM):
        raw = raw[len(_BOM):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _bad(Source(f"{path}:{number}", ""), f"not UTF-8 text: {error.reason} at byte {error.start}") from None
    source = Source(f"{path}:{number}", text)
    if not text.strip():
        raise _bad(source, "empty line: expected one JSON object")
    return parse_json(text, source), source


@dataclass(frozen=True)
class BadLine:
    """A line that takes no part in the round: the error, and the applicant id the line gave."""

    line: int
    error: PolicyError
    applicant: object = None


@dataclass
class RoundResult:
    """One allocated round: a slot per input line (an Entry or a BadLine), the table, the run."""

    slots: list
    table: QuotaTable | None
    allocation: Allocation | None

    @property
    def bad(self) -> int:
        return sum(1 for s in self.slots if not isinstance(s, Entry))


def allocate_round(path: str, plan_ref: str, context_path: str | None, registry_path: str | None) -> RoundResult:
    """Read, decide and allocate one round; PolicyError for what spoils the whole run."""
    workspace = FastWorkspace(plan_ref, context_path, registry_path)
    plan = workspace.plan(plan_ref)
    if not plan.quotas:
        raise PolicyError([Diagnostic("A020", f"plan `{plan.stamp.id}` declares no quota", plan.header.span,
                                      "there is nothing to allocate: `policy eval` decides applicants one by one")])
    context = workspace.context(context_path) if context_path else None
    shared = workspace.registry(registry_path, plan) if registry_path else None  # one error for the run, read once
    base = Path(path).parent if path != "-" else Path.cwd()
    slots: list = []  # an Entry or a BadLine, per line
    seen: dict[str, int] = {}  # applicant id -> its line: one applicant, one place in the round
    for number, raw in enumerate(_read(path), 1):
        data = None
        try:
            data, source = _data(path, number, raw)
            applicant = data.get("applicant")
            given = applicant.get("id") if isinstance(applicant, dict) else None
            if isinstance(given, str) and given in seen:
                raise FactsError([Diagnostic("F040", f"applicant.id: `{given}` is also on line {seen[given]}",
                                             locate(source, "applicant.id"),
                                             "an applicant applies once in a round; give each line its own id")])
            if isinstance(given, str):
                seen[given] = number
            case_plan, facts = workspace.case(data, source, base)
            registry = shared if shared is not None else workspace.registry_for(case_plan, data, source, base)
            slots.append(first_decision(number, Case(case_plan, facts, registry)))
        except PolicyError as error:
            applicant = data.get("applicant") if isinstance(data, dict) else None
            slots.append(BadLine(number, error, applicant.get("id") if isinstance(applicant, dict) else None))
    entries = [s for s in slots if isinstance(s, Entry)]
    if not entries:
        return RoundResult(slots, None, None)
    if context is not None:
        city = workspace.validate(plan, {}, context, Source(context_path, ""))
    else:
        city = {"city": entries[0].facts.get("city")}
    table = table_or_raise(plan, city)
    allocation = Allocation(entries, table)
    allocation.run()
    return RoundResult(slots, table, allocation)
