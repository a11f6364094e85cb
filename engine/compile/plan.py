"""The checked plan: what compile_plan hands to the graph, the evaluators and the differ."""
from __future__ import annotations

import os

from dataclasses import field
from dsl.dataclass_cache import dataclass
from typing import Any

from dsl import ast
from dsl.clauses import split_clause
from dsl.spans import NO_SPAN, Span
from engine.compile import ir
from engine.compile.clauses import sentence_of
from engine.compile.readings import Reading
from engine.compile.types import Type

# The outcomes a decision can give (BRIEF.md). `undetermined` is the engine's, never a rule's.
OUTCOMES = ("eligible", "exempt", "paused", "excluded", "spacing_conflict", "needs_approval", "needs_review",
            "qualified", "not_qualified")  # the last two: a designated pharmacy's qualification (菏泽 双通道)
UNDETERMINED = "undetermined"

# What each kind of rule may conclude. A `priority` rule never decides: it annotates.
KIND_OUTCOMES: dict[str, tuple[str, ...]] = {
    "gate": ("paused",),
    "exemption": ("exempt",),
    "exclusion": ("excluded",),
    "spacing": ("spacing_conflict",),
    "ratio": ("eligible",),
    "admission": ("eligible",),
    "referral": ("needs_approval", "needs_review"),
    "priority": ("priority",),
    "qualification": ("qualified", "not_qualified"),  # a decision other than admission (BRIEF.md)
    "steering": ("shrink", "grow"),  # a note: what the plan means to reduce or add (never decides)
    # A status rule concludes one of the outcomes its decision declares (`outcomes guidance, trial, …`).
    "status": (),
}
REFERRALS = KIND_OUTCOMES["referral"]
NOTE_KINDS = ("priority", "steering")  # kinds listed under a decision's `notes`, never in its precedence


@dataclass(frozen=True, slots=True)
class EnumInfo:
    name: str
    label: str | None
    members: tuple[tuple[str, str | None], ...]  # (code, label)
    span: Span = field(default=NO_SPAN, compare=False)

    def lookup(self, written: str) -> str | None:
        """A member's code from its code or its Chinese label."""
        for code, label in self.members:
            if written in (code, label):
                return code
        return None

    def label_of(self, code: str) -> str | None:
        return next((label for c, label in self.members if c == code), None)


@dataclass(frozen=True, slots=True)
class InputInfo:
    path: tuple[str, ...]
    type: Type
    alias: str | None
    label: str | None
    span: Span = field(default=NO_SPAN, compare=False)

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True, slots=True)
class DefineInfo:
    name: str
    label: str | None
    cites: tuple[str, ...]
    node: ir.Node
    type: Type
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class RuleInfo:
    name: str
    kind: str
    cites: tuple[str, ...]
    when: ir.Node
    outcome: str
    reason: str | None
    assignments: tuple[tuple[str, ir.Node], ...]
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class DecisionInfo:
    name: str
    label: str | None
    precedence: tuple[str, ...]
    notes: tuple[str, ...]
    otherwise: str
    otherwise_reason: str | None
    span: Span = field(default=NO_SPAN, compare=False)
    otherwise_span: Span = field(default=NO_SPAN, compare=False)  # where `otherwise` is written
    outcomes: tuple[str, ...] = ()  # its own outcomes, when it declares them; else the admission ones
    population: str | None = None  # the population it is decided over, line by line (`over …`)

    def gives(self) -> tuple[str, ...]:
        """Every outcome this decision can conclude (the engine's `undetermined` apart)."""
        return (*self.outcomes, *REFERRALS) if self.outcomes else OUTCOMES


@dataclass(frozen=True, slots=True)
class AggregateInfo:
    name: str
    label: str | None
    function: str  # count | sum | share | rank | percentile
    node: ir.Node  # the value each line contributes
    type: Type
    span: Span = field(default=NO_SPAN, compare=False)

    @property
    def per_line(self) -> bool:
        return self.function in PER_LINE


@dataclass(frozen=True, slots=True)
class PopulationInfo:
    """A population the plan decides over line by line, and its aggregates (computed in pass 1)."""

    name: str
    label: str | None
    cites: tuple[str, ...]
    aggregates: tuple[AggregateInfo, ...]
    span: Span = field(default=NO_SPAN, compare=False)

    def aggregate(self, function: str) -> AggregateInfo | None:
        return next((a for a in self.aggregates if a.function == function), None)


PER_LINE = ("rank", "percentile")  # a line's own place in the population; the rest are one value for all
AGGREGATES = ("count", "sum", "share", "min", "max", *PER_LINE)


@dataclass(frozen=True, slots=True)
class QuotaBranchInfo:
    """One branch of a quota: when `when` holds (None: otherwise), the quota is `kind`:
    "number" (`value`), "none" (the plan sets no number), "review" (the plan does not decide)
    or "split" (`value`, the total, shared in proportion to `by` among the regions taking it)."""

    when: ir.Node | None
    kind: str
    value: ir.Node | None
    by: ir.Node | None
    reason: str | None
    line: int = 0
    when_text: str = ""  # as written (printed), for the table
    value_text: str = ""
    by_text: str = ""


@dataclass(frozen=True, slots=True)
class QuotaInfo:
    """A checked `quota`: the year's number for each region of `categories`."""

    name: str
    label: str | None
    cites: tuple[str, ...]
    categories: tuple[str, ...]  # applicant category codes
    per: ir.Node  # the applicant's region
    of_path: tuple[str, ...]  # the input whose enum members make up the regions
    members: tuple[str, ...]  # that enum's members, in declaration order
    unit: str
    counts: ir.Node | None  # what one applicant uses of the quota; 1 when None
    branches: tuple[QuotaBranchInfo, ...]
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class RankingInfo:
    """A checked `ranking`: applicants compete by `by` (higher first), ties told apart by the
    priority rules `ties`, the first listed first."""

    name: str
    label: str | None
    cites: tuple[str, ...]
    by: ir.Node
    by_text: str  # as written, for the records
    ties: tuple[str, ...]
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class RegistryInfo:
    """The plan's registry declaration: which registry categories count as each applicant's type."""

    name: str
    label: str | None
    cites: tuple[str, ...]
    same_type: tuple[tuple[str, tuple[str, ...]], ...]  # applicant category code -> registry categories
    categories: frozenset[str] | None  # the closed list a registry file must keep to; None: any
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, slots=True)
class ParentStamp:
    """The plan a plan extends (`extends`), as its decisions are stamped: a changed guidance
    shows in every record decided under the city plan that builds on it."""

    id: str
    version: str
    path: str  # as the header's `extends` writes it (relative to the plan): the same wherever it is run from
    sha256: str  # of the parent's .policy file
    source_sha256: str = ""  # of the parent's own source document

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "path": self.path, "sha256": self.sha256,
                "source_sha256": self.source_sha256 or None}


@dataclass(frozen=True, slots=True)
class PlanStamp:
    """What every decision is stamped with, so an audit record names exactly what decided it."""

    id: str
    version: str
    sha256: str  # of the .policy file itself
    title: str = ""
    source_sha256: str = ""  # of the source document it quotes (its `source`), as read when checked
    effective: str = ""  # the date the plan takes effect (`effective`), ISO; "" when it does not say
    draft: str = ""  # why the plan is a draft (`draft`), "" when it is not one
    extends: ParentStamp | None = None  # the plan it builds on, if any

    def as_json(self) -> dict[str, Any]:
        found = {"id": self.id, "version": self.version, "sha256": self.sha256, "title": self.title,
                 "source_sha256": self.source_sha256 or None, "effective": self.effective or None,
                 "draft": self.draft or None}
        if self.extends is not None:  # only then: records of plans that extend nothing keep their shape
            found["extends"] = self.extends.as_json()
        return found


@dataclass(eq=False)
class CheckedPlan:
    stamp: PlanStamp
    path: str
    header: ast.PlanHeader
    policy: ast.PolicyFile
    articles: dict[str, ast.Article]
    interpretations: dict[str, tuple[Reading, ...]]
    enums: dict[str, EnumInfo]
    zones: dict[str, dict[str, str]]  # zones name -> member -> zone
    inputs: dict[str, InputInfo]  # dotted path -> input
    defines: dict[str, DefineInfo]
    rules: dict[str, RuleInfo]
    decisions: dict[str, DecisionInfo]
    source_document: str | None = None
    registry: RegistryInfo | None = None  # the plan's `registry` declaration, if any
    populations: dict = field(default_factory=dict)  # name -> PopulationInfo
    warnings: tuple = ()
    quotas: dict[str, QuotaInfo] = field(default_factory=dict)  # the year's quotas (`quota`), by name
    ranking: RankingInfo | None = None  # how applicants compete for a quota (`ranking`)
    graph: Any = None  # networkx.DiGraph, built by engine.compile.graph
    order: tuple[str, ...] = ()  # graph nodes in evaluation order
    parent_document: str | None = None  # the source document of the plan it extends, if any
    parent_articles: frozenset[str] = frozenset()  # the articles that plan declares (quoted from that document)
    parent_prefix: str = ""  # its `cite_as`: what those articles' ids begin with here

    def file_of(self, span) -> str:
        """The file a declaration stands in when it is not this plan's (the plan it extends),
        relative to this plan's folder so a record says the same wherever it is replayed; else ""."""
        path = span.source.path if span.source is not None else ""
        if not path or path == self.path:
            return ""
        return os.path.relpath(path, os.path.dirname(self.path) or ".").replace(os.sep, "/")

    @property
    def main_decision(self) -> DecisionInfo:
        return next(iter(self.decisions.values()))

    def article_text(self, article_id: str) -> str:
        """An article's quoted text, or one sentence of it when cited so (`二（二）第1句`)."""
        base, sentence = split_clause(article_id)
        article = self.articles.get(base)
        if article is None:
            return ""
        return article.text if sentence is None else sentence_of(article.text, sentence)[0] or ""

    def readings(self, article_id: str) -> tuple[Reading, ...]:
        """The interpretations a citation brings: of one sentence, its own and the article's
        (a reading of the whole article concerns each sentence); of an article, all of them."""
        cache = self.__dict__.setdefault("_readings", {})  # asked for every step of every decision
        found = cache.get(article_id)
        if found is None:
            base, sentence = split_clause(article_id)
            found = cache[article_id] = tuple(
                text for key, texts in self.interpretations.items()
                if key in (article_id, base) or (sentence is None and split_clause(key)[0] == base) for text in texts)
        return found
