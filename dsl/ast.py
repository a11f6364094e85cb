"""The syntax tree of a policy file.

Frozen dataclasses, children as tuples, no parent pointers: relationships between nodes
(which rule reads which definition) live in the engine's graph, not here. Every node carries
a span that does not count for equality, so two files that differ only in layout or comments
have equal trees; the formatter and the plan differ rely on that.
"""
from __future__ import annotations

from dataclasses import field
from dsl.dataclass_cache import dataclass
from datetime import date
from fractions import Fraction

from .spans import NO_SPAN, Span


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)


# ---- expressions ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Number:
    value: Fraction  # exact: `7.5` is 15/2, never the float nearest it
    unit: str | None = None  # a single unit name written after the number: `800 m`
    text: str = ""  # as written, so the formatter and diff show `1_000`, not `1000.0`
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Percent:
    value: Fraction  # as a fraction, exactly: 50% -> 1/2
    text: str = ""
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class DateLit:
    value: date
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Text:
    value: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Bool:
    value: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Name:
    """A bare name: a definition, an input alias, a root of a fact path or an enum member."""

    name: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Attr:
    base: "Expr"
    name: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Index:
    base: "Expr"
    key: "Expr"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple["Expr", ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class SumOver:
    """`sum(body for var in items)`: a sum over a list of records (附件 formulas)."""

    body: "Expr"
    var: str
    items: "Expr"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Over:
    """`any(c for v in items if w)`, `count(…)`, `all(…)`, `min(…)`, `max(…)` over a list of records."""

    function: str
    body: "Expr"
    var: str
    items: "Expr"
    where: "Expr | None" = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Arith:
    """A left-to-right chain of + - or * / at one precedence level."""

    first: "Expr"
    rest: tuple[tuple[str, "Expr"], ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Neg:
    operand: "Expr"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Compare:
    left: "Expr"
    op: str
    right: "Expr"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Member:
    """`x in 医保县市区` (a zone) or `x in {pharmacy, dental}`; `negated` for `not in`."""

    element: "Expr"
    set_name: str | None
    members: tuple[Name, ...]
    negated: bool = False
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Logic:
    op: str  # "and" | "or"
    operands: tuple["Expr", ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Not:
    operand: "Expr"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class If:
    condition: "Expr"
    then: "Expr"
    otherwise: "Expr"
    span: Span = _span()


Expr = (
    Number | Percent | DateLit | Text | Bool | Name | Attr | Index | Call | SumOver | Over | Arith
    | Neg | Compare | Member | Logic | Not | If
)


# ---- types --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScalarType:
    """`bool`, `number person`, `number yuan/bed`, `money`, `机构类别` (an enum) ..."""

    name: str
    unit: tuple[str, ...] = ()  # numerator first, then each divisor: yuan/bed -> (yuan, bed)
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: "TypeExpr"
    label: str | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class RecordType:
    fields: tuple[Field, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ListType:
    item: RecordType
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class MapType:
    """A record per key; keys are names the policy computes (a region, a county)."""

    value: RecordType
    span: Span = _span()


TypeExpr = ScalarType | RecordType | ListType | MapType


# ---- declarations -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleRef:
    id: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class PlanHeader:
    id: str
    fields: tuple[tuple[str, str], ...]
    span: Span = _span()

    def get(self, key: str) -> str | None:
        return next((v for k, v in self.fields if k == key), None)


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    status: str  # "operative" | "informative" | "deferred"
    text: str
    reason: str | None = None  # for deferred articles
    span: Span = _span()
    text_span: Span = _span()


@dataclass(frozen=True, slots=True)
class Interpretation:
    article: ArticleRef
    text: str  # the English reading
    span: Span = _span()
    zh: str | None = None  # its Chinese text (`zh "…"`), when the plan gives one


@dataclass(frozen=True, slots=True)
class EnumMember:
    code: str
    label: str | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class EnumDecl:
    name: str
    label: str | None
    members: tuple[EnumMember, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Zone:
    name: str
    members: tuple[Name, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ZonesDecl:
    """`zones 医保区域 of 区县 { 医保主城区: 和平区, ... }`: declares both enums and the map."""

    name: str
    member_enum: str
    cites: tuple[ArticleRef, ...]
    zones: tuple[Zone, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class SetDecl:
    """`set 门诊类 of 机构类别 = {门诊部, 个体诊所}`: a named set of members of one enum, or of the
    registry's categories (`set 慢病药店 of 定点医药机构 = {门慢药店}`)."""

    name: str
    enum: Name  # the enum whose members the set holds, or the registry whose categories it holds
    cites: tuple[ArticleRef, ...]
    members: tuple[Name, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class SameType:
    """`same_type pharmacy: 零售药店, 双通道药店`: registry categories counted as the applicant's type."""

    category: Name  # a member of the applicant category enum
    registry_categories: tuple[Name, ...]  # free text, as the registry file writes them
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class RegistryDecl:
    """`registry 定点医药机构 "label" cites 三 { same_type …  categories … }`."""

    name: str
    label: str | None
    cites: tuple[ArticleRef, ...]
    same_type: tuple[SameType, ...]
    categories: tuple[Name, ...] | None = None  # the closed list, when the plan gives one
    span: Span = _span()
    categories_span: Span = _span()


@dataclass(frozen=True, slots=True)
class InputDecl:
    path: tuple[str, ...]
    type: TypeExpr
    alias: str | None = None
    label: str | None = None
    span: Span = _span()

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True, slots=True)
class Define:
    name: str
    label: str | None
    cites: tuple[ArticleRef, ...]
    expr: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Aggregate:
    """`考核排名 "label" = rank(考核评分)`: one value over the whole population, or each line's place in it."""

    name: str
    label: str | None
    function: str  # count | sum | share | rank | percentile
    arg: Expr
    span: Span = _span()
    function_span: Span = _span()


@dataclass(frozen=True, slots=True)
class PopulationDecl:
    """`population 参评机构 "label" cites 三（七） { aggregate … }`."""

    name: str
    label: str | None
    cites: tuple[ArticleRef, ...]
    aggregates: tuple[Aggregate, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Assignment:
    name: str
    expr: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    kind: str
    cites: tuple[ArticleRef, ...]
    when: Expr
    outcome: str
    reason: str | None = None
    assignments: tuple[Assignment, ...] = ()
    span: Span = _span()
    kind_span: Span = _span()
    outcome_span: Span = _span()


@dataclass(frozen=True, slots=True)
class Decision:
    name: str
    label: str | None
    precedence: tuple[Name, ...]
    notes: tuple[Name, ...]
    otherwise: str | None
    otherwise_reason: str | None
    span: Span = _span()
    otherwise_span: Span = _span()
    # A clause written a second time (its keyword, and the span of that clause): the fields
    # above keep the last one, and the checker refuses the file (C088).
    repeated: tuple[Name, ...] = ()
    # The outcomes this decision gives, when they are its own (试运行: guidance, trial, …); a
    # decision that declares none gives the admission outcomes.
    outcomes: tuple[Name, ...] = ()
    population: Name | None = None  # `over 参评机构`: decided over a whole population, line by line


@dataclass(frozen=True, slots=True)
class QuotaValue:
    """What a quota branch gives: a number (`expr`), `none` (the plan sets no number), `review`
    (the plan does not decide), or `split TOTAL by WEIGHT` (a total shared among the regions
    taking this branch, in proportion to each one's weight)."""

    kind: str  # "number" | "none" | "review" | "split"
    expr: Expr | None = None  # the number, or the total of a split
    by: Expr | None = None  # the weight of a split
    reason: str | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class QuotaBranch:
    when: Expr | None  # None for the `otherwise` branch
    value: QuotaValue
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Quota:
    """`quota NAME cites A for 住院 per 医保定点区域 of 所在区县 unit bed counts … when … then … otherwise …`."""

    name: str
    label: str | None
    cites: tuple[ArticleRef, ...]
    categories: tuple[Name, ...]  # members of the applicant category enum
    per: Name  # the region: a definition or an input
    of: Name | None  # the input (an enum) whose members make up the regions
    unit: Name
    counts: Expr | None  # what one applicant uses of the quota; 1 when None
    branches: tuple[QuotaBranch, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Ranking:
    """`ranking NAME cites A by EXPR ties P, …`: how applicants compete for a quota (择优)."""

    name: str
    label: str | None
    cites: tuple[ArticleRef, ...]
    by: Expr
    ties: tuple[Name, ...]
    span: Span = _span()


Item = (
    PlanHeader | Article | Interpretation | EnumDecl | ZonesDecl | SetDecl | RegistryDecl | InputDecl | Define
    | PopulationDecl | Rule | Decision | Quota | Ranking
)


@dataclass(frozen=True, slots=True)
class PolicyFile:
    items: tuple[Item, ...]
    source_path: str = field(default="", compare=False)
    span: Span = _span()

    def of_type(self, cls: type) -> list:
        return [item for item in self.items if isinstance(item, cls)]
