"""The records a plan diff is made of, and the diff itself as a value.

Small frozen records in sqlglot's manner: a detail says what changed inside one declaration
(a literal, an expression, a field), a change says what happened to a declaration (added,
removed, changed, reworded, moved). Each keeps the spans of both sides (not compared) and
the article it concerns. `mirror` turns a change into the same change seen from the other
side, so `diff(B, A)` is `diff(A, B).reversed()`.
"""
from __future__ import annotations

import re
from dataclasses import field, fields
from dsl.dataclass_cache import dataclass
from difflib import SequenceMatcher
from typing import Iterable, Iterator, Union

from dsl.spans import NO_SPAN, Span

Edit = tuple[str, str]  # ("=", kept) | ("-", deleted) | ("+", inserted)


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)


# ---- detail records: what changed inside one declaration ------------------------------------


@dataclass(frozen=True, slots=True)
class ValueChanged:
    """A literal of an expression, where the two expressions have the same shape."""

    path: str  # `when`, `with 纳入比例`, `formula`
    old_text: str
    new_text: str
    old_span: Span = _span()
    new_span: Span = _span()


@dataclass(frozen=True, slots=True)
class ExpressionChanged:
    """An expression whose shape changed: shown whole, old and new, tokens marked."""

    path: str
    old_text: str
    new_text: str
    edits: tuple[Edit, ...]
    old_span: Span = _span()
    new_span: Span = _span()


@dataclass(frozen=True, slots=True)
class FieldChanged:
    """Any other part: name, kind, cites, outcome, reason, label, type, a `with` term added..."""

    path: str
    old_value: str | None  # None: the part is new
    new_value: str | None  # None: the part was removed
    edits: tuple[Edit, ...] = ()  # for texts (reasons, labels), marked character by character


Detail = Union[ValueChanged, ExpressionChanged, FieldChanged]


# ---- change records --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeaderChanged:
    key: str  # `plan` (the id), `version`, `source`, `sha256` (of the source document) ...
    old_value: str | None
    new_value: str | None
    article: str | None = None
    old_span: Span = _span()
    new_span: Span = _span()


@dataclass(frozen=True, slots=True)
class Added:
    """A declaration only the new version has; `text` is the declaration printed."""

    name: str
    article: str | None
    text: str
    old_span: Span = _span()
    new_span: Span = _span()
    what: str = field(default="item", kw_only=True)


@dataclass(frozen=True, slots=True)
class Removed:
    """A declaration only the old version has."""

    name: str
    article: str | None
    text: str
    old_span: Span = _span()
    new_span: Span = _span()
    what: str = field(default="item", kw_only=True)


@dataclass(frozen=True, slots=True)
class Changed:
    """A declaration in both versions that differs; `details` say where."""

    old_name: str
    new_name: str
    article: str | None
    details: tuple[Detail, ...]
    old_span: Span = _span()
    new_span: Span = _span()
    what: str = field(default="item", kw_only=True)  # the subclasses fix it: "rule", "define" ...

    @property
    def name(self) -> str:
        return self.new_name

    @property
    def renamed(self) -> bool:
        return self.old_name != self.new_name


@dataclass(frozen=True, slots=True)
class Reworded:
    """A quoted text that changed, marked character by character (the right grain for Chinese)."""

    article: str
    old_text: str
    new_text: str
    edits: tuple[Edit, ...]
    old_span: Span = _span()
    new_span: Span = _span()
    what: str = field(default="text", kw_only=True)


@dataclass(frozen=True, slots=True)
class ArticleAdded(Added):
    status: str = field(default="operative", kw_only=True)
    what: str = field(default="article", kw_only=True)


@dataclass(frozen=True, slots=True)
class ArticleRemoved(Removed):
    status: str = field(default="operative", kw_only=True)
    what: str = field(default="article", kw_only=True)


@dataclass(frozen=True, slots=True)
class ArticleReworded(Reworded):
    what: str = field(default="article", kw_only=True)


@dataclass(frozen=True, slots=True)
class InterpretationAdded(Added):
    what: str = field(default="interpretation", kw_only=True)
    zh: str | None = field(default=None, kw_only=True)  # its Chinese text, which a zh report shows


@dataclass(frozen=True, slots=True)
class InterpretationRemoved(Removed):
    what: str = field(default="interpretation", kw_only=True)
    zh: str | None = field(default=None, kw_only=True)  # its Chinese text, which a zh report shows


@dataclass(frozen=True, slots=True)
class InterpretationReworded(Reworded):
    what: str = field(default="interpretation", kw_only=True)


@dataclass(frozen=True, slots=True)
class InterpretationChineseReworded(Reworded):
    """A reading's Chinese text (`zh "…"`) that changed, was given or was dropped ("" for none)."""

    what: str = field(default="interpretation_zh", kw_only=True)


@dataclass(frozen=True, slots=True)
class EnumAdded(Added):
    what: str = field(default="enum", kw_only=True)


@dataclass(frozen=True, slots=True)
class EnumRemoved(Removed):
    what: str = field(default="enum", kw_only=True)


@dataclass(frozen=True, slots=True)
class EnumChanged(Changed):
    what: str = field(default="enum", kw_only=True)


@dataclass(frozen=True, slots=True)
class ZonesAdded(Added):
    what: str = field(default="zones", kw_only=True)


@dataclass(frozen=True, slots=True)
class ZonesRemoved(Removed):
    what: str = field(default="zones", kw_only=True)


@dataclass(frozen=True, slots=True)
class ZonesChanged(Changed):
    what: str = field(default="zones", kw_only=True)


@dataclass(frozen=True, slots=True)
class InputAdded(Added):
    what: str = field(default="input", kw_only=True)


@dataclass(frozen=True, slots=True)
class InputRemoved(Removed):
    what: str = field(default="input", kw_only=True)


@dataclass(frozen=True, slots=True)
class InputChanged(Changed):
    what: str = field(default="input", kw_only=True)


@dataclass(frozen=True, slots=True)
class DefineAdded(Added):
    what: str = field(default="define", kw_only=True)


@dataclass(frozen=True, slots=True)
class DefineRemoved(Removed):
    what: str = field(default="define", kw_only=True)


@dataclass(frozen=True, slots=True)
class DefineChanged(Changed):
    what: str = field(default="define", kw_only=True)


@dataclass(frozen=True, slots=True)
class RuleAdded(Added):
    what: str = field(default="rule", kw_only=True)


@dataclass(frozen=True, slots=True)
class RuleRemoved(Removed):
    what: str = field(default="rule", kw_only=True)


@dataclass(frozen=True, slots=True)
class RuleChanged(Changed):
    what: str = field(default="rule", kw_only=True)


@dataclass(frozen=True, slots=True)
class DecisionAdded(Added):
    what: str = field(default="decision", kw_only=True)


@dataclass(frozen=True, slots=True)
class DecisionRemoved(Removed):
    what: str = field(default="decision", kw_only=True)


@dataclass(frozen=True, slots=True)
class DecisionChanged(Changed):
    what: str = field(default="decision", kw_only=True)


@dataclass(frozen=True, slots=True)
class ArticleStatusChanged:
    article: str
    old_status: str
    new_status: str
    old_reason: str | None = None  # a deferred article's reason
    new_reason: str | None = None
    old_span: Span = _span()
    new_span: Span = _span()


@dataclass(frozen=True, slots=True)
class ZoneMoved:
    """A member (a district) in another zone; None on a side where it is in no zone."""

    zones: str
    member: str
    old_zone: str | None
    new_zone: str | None
    article: str | None = None
    old_span: Span = _span()
    new_span: Span = _span()


Entry = tuple[str, "str | None", "str | None"]  # (op, old name, new name) of one rule in a list


@dataclass(frozen=True, slots=True)
class PrecedenceChanged:
    """A decision's `precedence` or `notes` list in another order or with other rules.

    Names are as each version writes them; a rule renamed but kept in place is one `=` entry
    with both names, so a rename alone changes no order.
    """

    decision: str
    clause: str  # "precedence" | "notes"
    old_names: tuple[str, ...]
    new_names: tuple[str, ...]
    entries: tuple[Entry, ...]  # ("=", old, new) kept; ("-", old, None) dropped; ("+", None, new) inserted
    article: str | None = None
    old_span: Span = _span()
    new_span: Span = _span()


Change = Union[HeaderChanged, Added, Removed, Changed, Reworded, ArticleStatusChanged, ZoneMoved, PrecedenceChanged]


@dataclass(frozen=True, slots=True)
class PlanSide:
    """Which file a side of the diff is: its path, plan id, version and the sha256 of its text."""

    path: str
    id: str
    version: str
    sha256: str


@dataclass(frozen=True)
class PlanDiff:
    """Every change from `old` to `new`, in plan order. Empty (falsy) when they are equivalent."""

    old: PlanSide
    new: PlanSide
    changes: tuple[Change, ...]
    articles: tuple[str, ...] = field(default=(), compare=False)  # article ids of both, in plan order

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def of_type(self, cls) -> list:
        return [c for c in self.changes if isinstance(c, cls)]

    def rule_change(self, name: str, side: str = "new") -> Added | Removed | Changed | None:
        """The record about rule `name` as the `side` version calls it, if it changed."""
        for change in self.changes:
            if isinstance(change, Changed) and change.what == "rule":
                if name == (change.new_name if side == "new" else change.old_name):
                    return change
            elif isinstance(change, (Added, Removed)) and change.what == "rule" and change.name == name:
                if isinstance(change, Added) == (side == "new"):
                    return change
        return None

    def reversed(self) -> "PlanDiff":
        return PlanDiff(self.new, self.old, tuple(mirror(c) for c in self.changes), self.articles)


# ---- inline edits ------------------------------------------------------------------------------

# Chinese is compared a character at a time, but a number, a Latin word or a run of spaces is
# one token, so `800` -> `500` reads as one change and not as `8` -> `5`.
_TEXT_TOKEN = re.compile(r"\d+(?:[._,]\d+)*%?|[A-Za-z_]+|\s+|.", re.S)
# In expressions a name is one token, however many characters.
EXPR_TOKEN = re.compile(r"[A-Za-z_\u3007\u4e00-\u9fff][A-Za-z0-9_\u3007\u4e00-\u9fff]*|\d+(?:[._]\d+)*%?|\s+|.", re.S)


def inline_edits(old: str, new: str, pattern: re.Pattern = _TEXT_TOKEN) -> tuple[Edit, ...]:
    """Runs of kept, deleted and inserted text; in each changed run deletions come first."""
    a, b = pattern.findall(old), pattern.findall(new)
    runs: list[list] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            runs.append(["=", "".join(a[i1:i2])])
            continue
        if i2 > i1:
            runs.append(["-", "".join(a[i1:i2])])
        if j2 > j1:
            runs.append(["+", "".join(b[j1:j2])])
    return _canonical(runs)


def _canonical(runs: Iterable) -> tuple[Edit, ...]:
    """Within each changed stretch put the deletions before the insertions; merge neighbours."""
    out: list[list[str]] = []
    pending: dict[str, list[str]] = {"-": [], "+": []}

    def add(op: str, text: str) -> None:
        if out and out[-1][0] == op:
            out[-1][1] += text
        elif text:
            out.append([op, text])

    def flush() -> None:
        for op in "-+":
            for text in pending[op]:
                add(op, text)
            pending[op] = []

    for op, text in runs:
        if op == "=":
            flush()
            add("=", text)
        else:
            pending[op].append(text)
    flush()
    return tuple((op, text) for op, text in out)


_SWAP = {"=": "=", "-": "+", "+": "-"}


def invert_edits(edits: tuple[Edit, ...]) -> tuple[Edit, ...]:
    return _canonical((_SWAP[op], text) for op, text in edits)


def ordered_entries(entries: Iterable[Entry]) -> tuple[Entry, ...]:
    """Within each changed stretch of a list, the dropped rules before the inserted ones."""
    out: list[Entry] = []
    stretch: list[Entry] = []
    for entry in [*entries, ("=", None, None)]:
        if entry[0] == "=":
            out += [e for e in stretch if e[0] == "-"] + [e for e in stretch if e[0] == "+"]
            stretch = []
            out.append(entry)
        else:
            stretch.append(entry)
    return tuple(out[:-1])


# ---- mirroring ---------------------------------------------------------------------------------

_OPPOSITE: dict[type, type] = {}
for _added, _removed in [(Added, Removed), (ArticleAdded, ArticleRemoved),
                         (InterpretationAdded, InterpretationRemoved), (EnumAdded, EnumRemoved),
                         (ZonesAdded, ZonesRemoved), (InputAdded, InputRemoved), (DefineAdded, DefineRemoved),
                         (RuleAdded, RuleRemoved), (DecisionAdded, DecisionRemoved)]:
    _OPPOSITE[_added], _OPPOSITE[_removed] = _removed, _added


def mirror(record):
    """The same change seen from the other side: added <-> removed, old_* <-> new_*."""
    values = {}
    for f in fields(record):
        source = f.name
        if source.startswith("old_"):
            source = "new_" + source[4:]
        elif source.startswith("new_"):
            source = "old_" + source[4:]
        value = getattr(record, source)
        if f.name == "edits":
            value = invert_edits(value)
        elif f.name == "entries":
            value = ordered_entries((_SWAP[op], new, old) for op, old, new in value)
        elif f.name == "details":
            value = tuple(mirror(d) for d in value)
        values[f.name] = value
    return _OPPOSITE.get(type(record), type(record))(**values)
