"""Batch evaluation of a JSON Lines population: streaming, in order, losing nothing.

Each input line gives one `Line`, in input order: decided (its case and its result: a
`Decision`, or with `trace` the whole `Explanation`) or refused (the error naming the line,
the JSON path and what is wrong). A bad line never stops the run. Lines are read as bytes and
decoded one by one, so a stray byte spoils one line; memory stays flat, one line at a time.

engine/batch/run.py opens a run (this stream, or a population decision's two passes, which
engine/batch/population.py makes of the same `Batch`); render/batch_view.py turns each Line
into its JSON record and the run into a summary; commands/eval.py writes the records
(atomically, with `-o`) and draws the progress bar.

Decisions come from the compiled fast path (engine/run/compiled.py), without trace unless asked;
facts are checked by the fast checker, with pydantic for anything it will not vouch for.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

from dsl.diagnostics import Diagnostic, PolicyError
from dsl.limits import JSONL_LINE, breach_help
from dsl.spans import Source, Span

from engine.facts.case import choose_decision
from engine.run.compiled import fast_path
from engine.facts.validate import FactsError
from engine.facts.fastcase import FastWorkspace
from engine.reading.reader import TooLong, decode, many_loads, open_lines
from engine.reading.reader import parse_json as parse_source


class Line(NamedTuple):
    """One input line as decided: `case` and `result` (a Decision, or an Explanation with
    trace), or, for a refused line, `case` None and `result` the PolicyError (or the exception
    of a bug of ours), `subject` the id the line gave. A population decision adds the line's
    `rank` and the population's `size`."""

    number: int
    case: Any
    result: Any
    subject: Any = None
    rank: Any = None
    size: int | None = None


def _bad_line(source: Source, message: str) -> FactsError:
    return FactsError([Diagnostic("F001", message, Span(source, 1, 1, 1, 2), "each line is one JSON object {…}")])


def read_lines(path: str) -> Iterator[bytes]:
    """The raw lines of the population, at most JSONL_LINE bytes each (a longer one is a `TooLong`)."""
    return open_lines(path, "facts", JSONL_LINE.value)


def count_lines(path: str) -> int | None:
    """How many lines the file has (None for standard input): the progress bar's total."""
    if path == "-":
        return None
    return sum(1 for _ in open_lines(path, "facts"))


class Batch:
    """One run: the workspace, and how a line becomes a decided or refused `Line`."""

    def __init__(self, path: str, workspace: FastWorkspace, trace: bool, decision: str | None = None,
                 explained: Callable | None = None):
        self.explained = explained  # `eval --records`: called with (line, case, explanation, data) per decided line
        self.path = path
        self.workspace = workspace
        self.trace = trace
        self.decision = decision  # --decision; else each line's "decision", else admission
        self.base = Path(path).parent if path != "-" else Path.cwd()
        self.loads = many_loads()  # the JSON parse of every line, chosen once per run

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

    def decide(self, number: int, raw: bytes) -> Line:
        """One line decided, or refused: never an exception but an interrupt."""
        ids: list = []
        try:
            case = self.open(number, raw, ids)
            decision = choose_decision(case.plan, self.decision, case.facts, case.source)
            compiled = fast_path(case.plan)
            if self.explained is not None:
                self.explained(number, case, compiled.explain(case.facts, decision, registry=case.registry), self.data)
            run = compiled.explain if self.trace else compiled.decide
            return Line(number, case, run(case.facts, decision, registry=case.registry))
        except PolicyError as error:
            return Line(number, None, error, (ids or [None])[0])
        except UnicodeEncodeError as error:  # a lone surrogate reached a place that needs text
            char = error.object[error.start] if isinstance(error.object, str) else "?"
            return Line(number, None, surrogate_error(self.path, number, char))
        except Exception as error:  # a bug of ours must not cost the rest of the population
            return Line(number, None, error, (ids or [None])[0])

    def lines(self) -> Iterator[Line]:
        """Every line of the file decided, in input order."""
        decide = self.decide
        for number, raw in enumerate(read_lines(self.path), 1):
            yield decide(number, raw)


def surrogate_error(path: str, number: int, char: str) -> PolicyError:
    """The error of a line whose text holds a lone surrogate (it cannot be written as UTF-8)."""
    code = f"U+{ord(char):04X}" if len(char) == 1 else "a surrogate"
    return PolicyError([Diagnostic("F001", f"the line holds a lone surrogate {code} (a `\\u` escape of half a "
                                   "character), which is not text", Span(Source(f"{path}:{number}", "")),
                                   "correct the string that holds it; each line is UTF-8 JSON text")])
