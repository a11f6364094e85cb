"""The trace: immutable records of one evaluation, recorded once.

Renderers (text, JSON, Markdown) and filters (`--explain decisive`) are views of these
records; nothing re-evaluates to explain. A step's `uses` name the definitions it read, so
the flat list of steps is also a tree: a rule's children are the definitions it used.
"""
from __future__ import annotations

from dataclasses import field
from dsl.dataclass_cache import dataclass
from typing import Any

from engine.compile.plan import PlanStamp
from engine.compile.readings import Reading

# Status of a rule step, as the trace tells it.
DECIDED = "decided"  # the rule whose conclusion is the outcome
OVERRIDDEN = "overridden"  # applied, but a rule of higher precedence decided
APPLIED = "applied"  # a note (priority) that holds
NOT_APPLICABLE = "not_applicable"  # its condition is false
WOULD_DECIDE = "would_decide"  # applies, but a rule above it cannot be told, so it decides nothing yet
UNKNOWN = "unknown"  # its condition needs facts that are absent, and that decides the outcome
UNKNOWN_NOT_NEEDED = "unknown_not_needed"  # facts absent, but a rule above it decided anyway


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    text: str
    readings: tuple[Reading, ...] = ()  # interpretations the policy records for this article


@dataclass(frozen=True, slots=True)
class Step:
    kind: str  # "define" | "rule"
    name: str
    label: str | None
    articles: tuple[Article, ...]
    reads: tuple[tuple[str, Any], ...]  # fact path -> value read (None when absent)
    uses: tuple[tuple[str, Any], ...]  # definition -> value
    value: Any  # a definition's value; a rule's condition (True/False/None when unknown)
    rule_kind: str | None = None
    status: str | None = None
    concludes: str | None = None  # the outcome (or priority) this rule gives when it applies
    reason: str | None = None
    terms: tuple[tuple[str, Any], ...] = ()  # a rule's `with` values, when it applies
    missing: tuple[str, ...] = ()
    line: int = 0  # where the rule or definition stands in the policy file
    file: str = ""  # that file when it is not the plan's own: the plan it `extends`


@dataclass(frozen=True, slots=True)
class Explanation:
    plan: PlanStamp
    decision: str
    decision_label: str | None
    applicant_id: str | None
    as_of: str | None
    outcome: str
    decided_by: Step | None
    why: str
    reason: str | None
    terms: tuple[tuple[str, Any], ...]
    priorities: tuple[Step, ...]
    values: tuple[tuple[str, Any], ...]
    steps: tuple[Step, ...]
    missing: tuple[str, ...]
    labels: dict = field(default_factory=dict, compare=False)  # enum code -> Chinese label, for display
    units: dict = field(default_factory=dict, compare=False)  # definition -> `m` for a distance, for display
    # Priority notes whose facts are absent: unknown, never read as "no priority" (eligible only).
    priorities_unknown: tuple[Step, ...] = ()
    otherwise_line: int = 0  # the line of the `otherwise` clause, when it decided; else 0
    steering: tuple[Step, ...] = ()  # steering notes that hold: what the plan means to shrink or grow
    notices: tuple[str, ...] = ()  # what the record says of the plan applied (a draft, not yet in force)

    @property
    def by_otherwise(self) -> bool:
        """Whether the decision's `otherwise` clause gave the outcome (no rule decided)."""
        return self.decided_by is None and self.outcome != "undetermined"

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def readings(self) -> list[tuple[str, Reading]]:
        """Every (article id, reading) the steps of this decision cite, once, in trace order: a
        reading of a whole article that two of its sentences bring (`二（二）第1句`, `二（二）第5句`)
        is listed once, under the first citation that brought it."""
        seen: dict[Reading, str] = {}
        for step in self.steps:
            for article in step.articles:
                for reading in article.readings:
                    seen.setdefault(reading, article.id)
        return [(article_id, reading) for reading, article_id in seen.items()]
