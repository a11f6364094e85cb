"""The checked representation: expressions with every name resolved and every type known.

The checker translates AST expressions into these nodes; both evaluators (the reference
tree-walker and the compiled fast path) read only this, never the AST. Each node keeps the
span of the syntax it came from, so runtime messages can point at the policy text.
"""
from __future__ import annotations

from dataclasses import field
from dsl.dataclass_cache import dataclass
from typing import Any

from dsl.spans import NO_SPAN, Span
from engine.compile.types import Type


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Const:
    value: Any
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class InputRef:
    """A declared fact, by its dotted path in the facts file."""

    path: tuple[str, ...]
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class DefRef:
    name: str
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class VarRef:
    """The loop variable of a `sum(... for g in items)`."""

    name: str
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class FieldGet:
    base: "Node"
    name: str
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class IndexGet:
    base: "Node"
    key: "Node"
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ZoneOf:
    """The zone a member belongs to (`医保区域(和平区)` -> 医保主城区)."""

    zones: str
    mapping: tuple[tuple[str, str], ...]  # member -> zone
    arg: "Node"
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Func:
    name: str  # floor | ceil | round | abs | min | max
    args: tuple["Node", ...]
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class FirstKnown:
    """`first_known(a, b, …)`: the first argument that is not missing; later ones are not evaluated."""

    args: tuple["Node", ...]
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class RegistryQuery:
    """`nearest(R)` (metres to the nearest same-type institution) or `count_within(R, radius)`;
    with a last argument naming registry categories, of those categories instead.

    The applicant's place, category and id are ordinary child nodes, so the graph, the trace
    and both evaluators see them as reads. `same_type` maps each applicant category code to
    the registry categories counted as its type; a category not in it has none.
    """

    question: str  # "nearest" | "count_within" | "count_all" | "share"
    registry: str  # the registry's name in the plan
    same_type: tuple[tuple[str, tuple[str, ...]], ...]
    labels: tuple[tuple[str, str], ...]  # applicant category code -> its label, for the trace
    category: "Node"
    lat: "Node"
    lon: "Node"
    exclude_id: "Node"
    radius: "Node | None"
    type: Type
    span: Span = _span()
    # Asked about named registry categories (`count_within(R, 800 m, 慢病药店)`) rather than the
    # applicant's same type: those categories, and the name the question wrote, for the trace.
    categories: tuple[str, ...] | None = None
    counted_as: str = ""
    # `count_all(R, C)` and `share(R, C, D)` ask of the whole registry: `categories` None is every
    # row; `among` is a share's denominator (None: every row).
    among: tuple[str, ...] | None = None
    among_as: str = ""


@dataclass(frozen=True, slots=True)
class SumOver:
    body: "Node"
    var: str
    items: "Node"
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Over:
    """`any`, `all`, `count`, `min`, `max` of `body` over the records of `items` that `where` selects."""

    function: str
    body: "Node"
    var: str
    items: "Node"
    where: "Node | None"
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class AggRef:
    """An aggregate of a population (`参评机构数`, `考核排名`), read while deciding one line of it.

    A population-wide aggregate (count, sum, share) is one value for every line; a line's own
    (rank, percentile) places this line's `arg` among the values pass 1 collected, so `arg`
    is evaluated for the line (and read in its trace) only for those."""

    population: str
    name: str
    function: str
    arg: "Node"
    per_line: bool
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Known:
    """`known(x)`: whether x can be computed from the facts given (never missing itself)."""

    arg: "Node"
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Arith:
    first: "Node"
    rest: tuple[tuple[str, "Node"], ...]
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Neg:
    operand: "Node"
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Compare:
    left: "Node"
    op: str
    right: "Node"
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Member:
    element: "Node"
    values: frozenset[str]
    negated: bool
    described: str  # the zone name or the written set, for the trace
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Logic:
    op: str
    operands: tuple["Node", ...]
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Not:
    operand: "Node"
    type: Type
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class If:
    condition: "Node"
    then: "Node"
    otherwise: "Node"
    type: Type
    span: Span = _span()


Node = (
    Const | InputRef | DefRef | VarRef | FieldGet | IndexGet | ZoneOf | Func | FirstKnown | RegistryQuery | SumOver
    | Over | Known | AggRef | Arith | Neg | Compare | Member | Logic | Not | If
)


_CHILDREN = {
    FieldGet: lambda n: (n.base,),
    IndexGet: lambda n: (n.base, n.key),
    ZoneOf: lambda n: (n.arg,),
    Neg: lambda n: (n.operand,),
    Not: lambda n: (n.operand,),
    Func: lambda n: n.args,
    Logic: lambda n: n.operands,
    FirstKnown: lambda n: n.args,
    RegistryQuery: lambda n: (n.category, n.lat, n.lon, n.exclude_id) + ((n.radius,) if n.radius is not None else ()),
    SumOver: lambda n: (n.items, n.body),
    Over: lambda n: (n.items, n.body) if n.where is None else (n.items, n.where, n.body),
    Known: lambda n: (n.arg,),
    AggRef: lambda n: (n.arg,) if n.per_line is True else (),
    Arith: lambda n: (n.first, *(x for _, x in n.rest)),
    Compare: lambda n: (n.left, n.right),
    Member: lambda n: (n.element,),
    If: lambda n: (n.condition, n.then, n.otherwise),
}


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of a node, for walks that only need the shape."""
    get = _CHILDREN.get(type(node))
    return () if get is None else get(node)


def walk(node: Node):
    """Every node under `node`, itself first, in pre-order (a node before its children, the
    children left to right); iterative, so a walk costs no Python frame per level."""
    stack = [node]
    pop, extend = stack.pop, stack.extend
    while stack:
        node = pop()
        yield node
        get = _CHILDREN.get(type(node))
        if get is not None:
            extend(reversed(get(node)))
