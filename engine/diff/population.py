"""Population replay: every applicant of a JSON Lines file, decided under two versions of a plan.

The structural diff says what changed; this says whom it changes. Each line is decided on
the compiled fast path (engine/run/compiled.py, held to the reference evaluator by the tests)
under the old plan and under the new one, and a line counts as
changed when its outcome flips, or when the same outcome is reached by another rule or with
other terms (an `eligible` at 50% that becomes `eligible` at 60%). A changed line is blamed
on the change records that explain it: the decisive rule of either side when the diff
reports it changed, added or removed; else the zone move of the applicant's district, the
definitions whose values differ, the decision's `otherwise`.

A bad line (invalid JSON, a fact of the wrong type, a district one version does not know)
is kept as a `LineError` with its number and message, never dropped.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import field
from dsl.dataclass_cache import dataclass
from pathlib import Path
from typing import Any, Iterator

from dsl.diagnostics import PolicyError
from dsl.spans import Source
from engine.diff.structural import Added, Changed, DecisionChanged, PlanDiff, PrecedenceChanged, Removed, ZoneMoved
from engine.facts.fastcase import FastWorkspace
from engine.facts.validate import parse_json
from engine.reading.reader import open_lines
from engine.run.compiled import explain as explain_fast  # agrees with the reference evaluator (tests/test_fastpath.py)
from engine.run.trace import Explanation


@dataclass(frozen=True, slots=True)
class Side:
    """One applicant's decision under one version, cut down to what a comparison shows."""

    outcome: str
    rule: str | None  # the decisive rule; None when `otherwise` held or undetermined
    article: str | None
    reason: str | None
    terms: tuple[tuple[str, Any], ...]
    key_values: tuple[tuple[str, Any], ...]  # what the decisive rule read and used
    missing: tuple[str, ...]

    @classmethod
    def of(cls, result: Explanation) -> "Side":
        step = result.decided_by
        if step is None:
            return cls(result.outcome, None, None, result.reason, result.terms, (), result.missing)
        return cls(result.outcome, step.name, step.articles[0].id if step.articles else None, result.reason,
                   result.terms, step.reads + step.uses, result.missing)


@dataclass(frozen=True, slots=True)
class Replayed:
    """A line decided differently by the two versions, and why."""

    line: int
    applicant: str | None
    district: str | None
    category: str | None
    old: Side
    new: Side
    values_differ: tuple[tuple[str, Any, Any], ...]  # definitions computed on both sides, old and new value
    causes: tuple  # the change records of the PlanDiff that explain the difference

    @property
    def flipped(self) -> bool:
        return self.old.outcome != self.new.outcome


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    applicant: str | None
    side: str  # "both" | "old" | "new": under which version the line is bad
    code: str
    message: str
    path: str | None = None  # the JSON path of the bad value, its own field (not in `message`)

    @property
    def text(self) -> str:
        """The message as a line of text shows it: its JSON path first."""
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass(frozen=True)
class PopulationReport:
    path: str
    decided: int  # lines decided under both versions
    changed: tuple[Replayed, ...]  # in line order
    errors: tuple[LineError, ...]
    districts: dict[str, int]  # lines decided, by applicant.district
    categories: dict[str, int]  # lines decided, by applicant.category
    labels: dict[str, str] = field(default_factory=dict, compare=False)  # enum code -> Chinese label
    # Lines decided `undetermined` under the old version, the new and both: "0 decided differently"
    # says nothing when nothing was decided (a population without its registry or context).
    undetermined: dict[str, int] = field(default_factory=lambda: {"old": 0, "new": 0, "both": 0})
    missing: dict[str, int] = field(default_factory=dict)  # what the lines undetermined under both lack -> lines

    @property
    def flipped(self) -> tuple[Replayed, ...]:
        return tuple(r for r in self.changed if r.flipped)

    def transitions(self) -> Counter:
        """(old outcome, new outcome) -> lines changed so; equal outcomes: decided otherwise."""
        return Counter((r.old.outcome, r.new.outcome) for r in self.changed)

    def by(self, key: str) -> dict[str, Counter]:
        """`district` or `category` -> its transitions, for the lines that changed."""
        out: dict[str, Counter] = {}
        for r in self.changed:
            out.setdefault(getattr(r, key) or "—", Counter())[(r.old.outcome, r.new.outcome)] += 1
        return out

    def examples(self, count: int) -> tuple[Replayed, ...]:
        """The first `count` flips; lines decided otherwise fill in when there are fewer flips."""
        flips = self.flipped
        rest = tuple(r for r in self.changed if not r.flipped)
        return (flips + rest)[:max(count, 0)]


def _lines(path: str) -> Iterator[tuple[int, str | PolicyError]]:
    """(number, text) of each line, decoded by the one reader; a line that is not UTF-8 is
    given as its error, reported as that line's."""
    from engine.reading.reader import decode

    for number, raw in enumerate(open_lines(path, "population"), 1):
        try:
            yield number, decode(raw, f"{path}:{number}", "population")
        except PolicyError as error:
            yield number, error


def _first(error: PolicyError) -> tuple[str, str, str | None]:
    """(code, message, JSON path) of an error's first diagnostic, the path out of the message."""
    first = error.diagnostics[0]
    path, message = first.path, first.message
    if path is not None and message.startswith(path + ": "):
        message = message[len(path) + 2:]
    return first.code, message, path


def _differing_values(old: Explanation, new: Explanation) -> tuple[tuple[str, Any, Any], ...]:
    before = dict(old.values)
    return tuple((name, before[name], value) for name, value in new.values
                 if name in before and before[name] != value)


def _same_rule(diff: PlanDiff, old: Side, new: Side) -> bool:
    if old.rule is None or new.rule is None:
        return old.rule == new.rule
    change = diff.rule_change(old.rule, "old")
    return (change.new_name if isinstance(change, Changed) else old.rule) == new.rule


def _order_flipped(change: PrecedenceChanged, old_rule: str, new_rule: str) -> bool:
    """Whether the two decisive rules swapped ranks (both in both lists) between the versions."""
    kept = {old: new for op, old, new in change.entries if op == "="}
    now = {new: old for old, new in kept.items()}
    if old_rule not in kept or new_rule not in now:
        return False
    was, became = change.old_names, change.new_names
    return (was.index(old_rule) < was.index(now[new_rule])) != (became.index(kept[old_rule]) < became.index(new_rule))


def blame(diff: PlanDiff, old: Side, new: Side, values_differ, district: str | None) -> tuple:
    """The change records that explain why a line is decided differently."""
    causes: list = []

    def add(record) -> None:
        if record is not None and record not in causes:
            causes.append(record)

    if old.rule:
        add(diff.rule_change(old.rule, "old"))
    if new.rule:
        add(diff.rule_change(new.rule, "new"))
    if old.rule and new.rule and not _same_rule(diff, old, new):
        for change in diff.of_type(PrecedenceChanged):
            if change.clause == "precedence" and _order_flipped(change, old.rule, new.rule):
                add(change)
    if old.rule is None or new.rule is None:
        for change in diff.of_type(DecisionChanged):
            add(change)
    for change in diff.of_type(ZoneMoved):
        if change.member == district:
            add(change)
    differing = {name for name, _, _ in values_differ}
    for change in diff:
        if getattr(change, "what", None) == "define" and (
                (isinstance(change, Changed) and {change.old_name, change.new_name} & differing)
                or (isinstance(change, (Added, Removed)) and change.name in differing)):
            add(change)
    return tuple(causes)


def replay(old_ref: str, new_ref: str, population: str, diff: PlanDiff,
           context_path: str | None = None, registry_path: str | None = None) -> PopulationReport:
    """Decide every line of `population` under both plans; raise PolicyError if a plan fails.
    `registry_path` (else each line's "registry") answers both plans' spacing questions."""
    old_ws = FastWorkspace(old_ref, context_path, registry_path)
    new_ws = FastWorkspace(new_ref, context_path, registry_path)
    old_ws.plan(old_ref)  # a plan that does not compile is one error for the run, not one per line
    new_ws.plan(new_ref)
    base = Path(population).parent if population != "-" else Path.cwd()
    changed: list[Replayed] = []
    errors: list[LineError] = []
    districts: Counter = Counter()
    categories: Counter = Counter()
    decided = 0
    labels: dict[str, str] = {}
    undetermined: Counter = Counter({"old": 0, "new": 0, "both": 0})
    missing: Counter = Counter()
    for number, raw in _lines(population):
        if isinstance(raw, PolicyError):
            errors.append(LineError(number, None, "both", *_first(raw)))
            continue
        if not raw.strip():
            continue
        source = Source(f"{population}:{number}", raw)
        applicant = None
        try:
            data = parse_json(raw, source)
        except PolicyError as error:
            errors.append(LineError(number, None, "both", *_first(error)))
            continue
        if isinstance(data.get("applicant"), dict) and isinstance(data["applicant"].get("id"), str):
            applicant = data["applicant"]["id"]
        results: dict[str, Any] = {}
        facts: dict[str, dict] = {}
        for side, workspace in (("old", old_ws), ("new", new_ws)):
            try:
                case = workspace.open_case(data, source, base)
                facts[side] = case.facts
                results[side] = explain_fast(case.plan, case.facts, registry=case.registry)
            except PolicyError as error:
                results[side] = error
        bad = {side: r for side, r in results.items() if isinstance(r, PolicyError)}
        if bad:
            messages = {side: _first(error) for side, error in bad.items()}
            if len(bad) == 2 and messages["old"] == messages["new"]:
                errors.append(LineError(number, applicant, "both", *messages["old"]))
            else:
                errors += [LineError(number, applicant, side, *message) for side, message in messages.items()]
            continue
        decided += 1
        labels = labels or results["new"].labels
        person = facts["new"].get("applicant") or {}
        district, category = person.get("district"), person.get("category")
        districts[district or "—"] += 1
        categories[category or "—"] += 1
        old, new = Side.of(results["old"]), Side.of(results["new"])
        unknown = [side for side, one in (("old", old), ("new", new)) if one.outcome == "undetermined"]
        undetermined.update(unknown)
        if len(unknown) == 2:
            undetermined["both"] += 1
            missing.update(set(old.missing) | set(new.missing))
        if old.outcome == new.outcome and _same_rule(diff, old, new) and old.terms == new.terms:
            continue
        values_differ = _differing_values(results["old"], results["new"])
        changed.append(Replayed(number, applicant, district, category, old, new, values_differ,
                                blame(diff, old, new, values_differ, district)))
    return PopulationReport(population, decided, tuple(changed), tuple(errors), dict(districts), dict(categories),
                            labels, dict(undetermined), dict(missing))
