"""Plan diff: two versions of a plan's AST -> small frozen change records.

Items are matched by what names them, never by line: articles by id, interpretations by the
article they read, rules, definitions, enums, zones and decisions by name, inputs by fact
path. A rule that disappears under one name and appears under another with the same kind,
citations and outcome is taken as renamed, so a revision that renames `服务半径800米` to
`服务半径500米` reads as one changed rule, not one removed and one added.

Layout never counts: the AST ignores spans and comments, article texts are compared with
whitespace set aside (as the quote checker compares them), and numbers by value and unit,
so `1_000` and `1000` are the same number. Where two expressions have the same shape the
differ reports each literal that changed (`50%` -> `60%`, `800 m` -> `500 m`); where the
shape differs it shows the whole expression, old and new, with the changed tokens marked.

Every record keeps the spans of both sides, so a renderer can point at both texts, and the
article it concerns, so a report can go article by article. `PlanDiff.reversed()` is the
diff the other way round: added <-> removed, old <-> new.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields
from difflib import SequenceMatcher
from typing import Iterable, Iterator, Union

from dsl import ast
from dsl.spans import NO_SPAN, Span

from .expr_text import expr_text, item_text, number_text, quote, type_text

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
    what = "item"


@dataclass(frozen=True, slots=True)
class Removed:
    """A declaration only the old version has."""

    name: str
    article: str | None
    text: str
    old_span: Span = _span()
    new_span: Span = _span()
    what = "item"


@dataclass(frozen=True, slots=True)
class Changed:
    """A declaration in both versions that differs; `details` say where."""

    old_name: str
    new_name: str
    article: str | None
    details: tuple[Detail, ...]
    old_span: Span = _span()
    new_span: Span = _span()
    what = "item"

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
    what = "text"


@dataclass(frozen=True, slots=True)
class ArticleAdded(Added):
    status: str = field(default="operative", kw_only=True)
    what = "article"


@dataclass(frozen=True, slots=True)
class ArticleRemoved(Removed):
    status: str = field(default="operative", kw_only=True)
    what = "article"


@dataclass(frozen=True, slots=True)
class ArticleReworded(Reworded):
    what = "article"


@dataclass(frozen=True, slots=True)
class InterpretationAdded(Added):
    what = "interpretation"


@dataclass(frozen=True, slots=True)
class InterpretationRemoved(Removed):
    what = "interpretation"


@dataclass(frozen=True, slots=True)
class InterpretationReworded(Reworded):
    what = "interpretation"


@dataclass(frozen=True, slots=True)
class EnumAdded(Added):
    what = "enum"


@dataclass(frozen=True, slots=True)
class EnumRemoved(Removed):
    what = "enum"


@dataclass(frozen=True, slots=True)
class EnumChanged(Changed):
    what = "enum"


@dataclass(frozen=True, slots=True)
class ZonesAdded(Added):
    what = "zones"


@dataclass(frozen=True, slots=True)
class ZonesRemoved(Removed):
    what = "zones"


@dataclass(frozen=True, slots=True)
class ZonesChanged(Changed):
    what = "zones"


@dataclass(frozen=True, slots=True)
class InputAdded(Added):
    what = "input"


@dataclass(frozen=True, slots=True)
class InputRemoved(Removed):
    what = "input"


@dataclass(frozen=True, slots=True)
class InputChanged(Changed):
    what = "input"


@dataclass(frozen=True, slots=True)
class DefineAdded(Added):
    what = "define"


@dataclass(frozen=True, slots=True)
class DefineRemoved(Removed):
    what = "define"


@dataclass(frozen=True, slots=True)
class DefineChanged(Changed):
    what = "define"


@dataclass(frozen=True, slots=True)
class RuleAdded(Added):
    what = "rule"


@dataclass(frozen=True, slots=True)
class RuleRemoved(Removed):
    what = "rule"


@dataclass(frozen=True, slots=True)
class RuleChanged(Changed):
    what = "rule"


@dataclass(frozen=True, slots=True)
class DecisionAdded(Added):
    what = "decision"


@dataclass(frozen=True, slots=True)
class DecisionRemoved(Removed):
    what = "decision"


@dataclass(frozen=True, slots=True)
class DecisionChanged(Changed):
    what = "decision"


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
        return PlanDiff(self.new, self.old, tuple(mirror(c) for c in self.changes))


# ---- inline edits ------------------------------------------------------------------------------

# Chinese is compared a character at a time, but a number, a Latin word or a run of spaces is
# one token, so `800` -> `500` reads as one change and not as `8` -> `5`.
_TEXT_TOKEN = re.compile(r"\d+(?:[._,]\d+)*%?|[A-Za-z_]+|\s+|.", re.S)
# In expressions a name is one token, however many characters.
_EXPR_TOKEN = re.compile(r"[A-Za-z_\u3007\u4e00-\u9fff][A-Za-z0-9_\u3007\u4e00-\u9fff]*|\d+(?:[._]\d+)*%?|\s+|.", re.S)


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


def _ordered_entries(entries: Iterable[Entry]) -> tuple[Entry, ...]:
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
            value = _ordered_entries((_SWAP[op], new, old) for op, old, new in value)
        elif f.name == "details":
            value = tuple(mirror(d) for d in value)
        values[f.name] = value
    return _OPPOSITE.get(type(record), type(record))(**values)


# ---- expressions --------------------------------------------------------------------------------

_LEAVES = (ast.Number, ast.Percent, ast.DateLit, ast.Text, ast.Bool)


class _ShapeDiffers(Exception):
    pass


def _leaf_key(node) -> tuple:
    if isinstance(node, ast.Number):
        return ("number", node.value, node.unit)  # not `.text`: 1_000 and 1000 are one number
    return (type(node).__name__, node.value)


def leaf_text(node) -> str:
    if isinstance(node, ast.Text):
        return quote(node.value)
    if isinstance(node, ast.Bool):
        return "true" if node.value else "false"
    return number_text(node)


def _walk(a, b, pairs: list) -> None:
    """Collect the differing literal pairs of two same-shaped trees; raise if shapes differ."""
    if type(a) is not type(b):
        raise _ShapeDiffers
    if isinstance(a, _LEAVES):
        if _leaf_key(a) != _leaf_key(b):
            pairs.append((a, b))
        return
    for f in fields(a):
        if f.compare:
            _walk_value(getattr(a, f.name), getattr(b, f.name), pairs)


def _walk_value(x, y, pairs: list) -> None:
    if isinstance(x, tuple):
        if not isinstance(y, tuple) or len(x) != len(y):
            raise _ShapeDiffers
        for p, q in zip(x, y):
            _walk_value(p, q, pairs)
    elif hasattr(x, "__dataclass_fields__"):
        _walk(x, y, pairs)
    elif x != y:
        raise _ShapeDiffers


def expression_details(path: str, old: ast.Expr, new: ast.Expr) -> list[Detail]:
    """The changed literals, or the whole expression when the shapes differ."""
    pairs: list = []
    try:
        _walk(old, new, pairs)
    except _ShapeDiffers:
        old_text, new_text = expr_text(old), expr_text(new)
        return [ExpressionChanged(path, old_text, new_text, inline_edits(old_text, new_text, _EXPR_TOKEN),
                                  old.span, new.span)]
    return [ValueChanged(path, leaf_text(o), leaf_text(n), o.span, n.span) for o, n in pairs]


def _text_detail(path: str, old: str | None, new: str | None) -> list[Detail]:
    if old == new:
        return []
    return [FieldChanged(path, old, new, inline_edits(old, new) if old and new else ())]


def _value_detail(path: str, old: str | None, new: str | None) -> list[Detail]:
    return [] if old == new else [FieldChanged(path, old, new)]


def _cite_ids(cites: tuple[ast.ArticleRef, ...]) -> str:
    return ", ".join(c.id for c in cites)


# ---- matching -----------------------------------------------------------------------------------


def _merged(old_keys: Iterable, new_keys: Iterable) -> list:
    """Keys of both versions in the new order; a key only the old has follows its old predecessor."""
    old_keys, result = list(dict.fromkeys(old_keys)), list(dict.fromkeys(new_keys))
    present = set(result)
    for i, key in enumerate(old_keys):
        if key in present:
            continue
        before = next((old_keys[j] for j in range(i - 1, -1, -1) if old_keys[j] in present), None)
        result.insert(result.index(before) + 1 if before is not None else 0, key)
        present.add(key)
    return result


def _by_key(items: Iterable, key) -> dict:
    found: dict = {}
    for item in items:
        found.setdefault(key(item), item)  # a duplicate is the checker's error; the first one counts
    return found


def _first_cite(*items) -> str | None:
    for item in items:
        if item is not None and item.cites:
            return item.cites[0].id
    return None


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


class _Differ:
    def __init__(self, old: ast.PolicyFile, new: ast.PolicyFile):
        self.old, self.new = old, new
        self.changes: list = []
        self.renames: dict[str, str] = {}  # old rule name -> new rule name

    def items(self, cls, key=lambda i: i.name) -> tuple[dict, dict, list]:
        old, new = _by_key(self.old.of_type(cls), key), _by_key(self.new.of_type(cls), key)
        return old, new, _merged(old, new)

    def run(self) -> tuple:
        self.header()
        self.articles()
        self.interpretations()
        self.enums()
        self.zones()
        self.declarations(ast.InputDecl, InputAdded, InputRemoved, InputChanged, self.input_details,
                          key=lambda i: i.dotted)
        self.declarations(ast.Define, DefineAdded, DefineRemoved, DefineChanged, self.define_details)
        self.rules()
        self.decisions()
        return tuple(self.changes)

    # ---- header and articles
    def header(self) -> None:
        old = next(iter(self.old.of_type(ast.PlanHeader)), None)
        new = next(iter(self.new.of_type(ast.PlanHeader)), None)
        old_fields = dict([("plan", old.id)] + list(old.fields)) if old else {}
        new_fields = dict([("plan", new.id)] + list(new.fields)) if new else {}
        for key in _merged(old_fields, new_fields):
            if old_fields.get(key) != new_fields.get(key):
                self.changes.append(HeaderChanged(key, old_fields.get(key), new_fields.get(key), None,
                                                  old.span if old else NO_SPAN, new.span if new else NO_SPAN))

    def articles(self) -> None:
        old, new, order = self.items(ast.Article, key=lambda a: a.id)
        for article_id in order:
            a, b = old.get(article_id), new.get(article_id)
            if a is None:
                self.changes.append(ArticleAdded(article_id, article_id, b.text, new_span=b.span, status=b.status))
            elif b is None:
                self.changes.append(ArticleRemoved(article_id, article_id, a.text, old_span=a.span, status=a.status))
            else:
                if (a.status, a.reason) != (b.status, b.reason):
                    self.changes.append(ArticleStatusChanged(article_id, a.status, b.status, a.reason, b.reason,
                                                             a.span, b.span))
                if _squash(a.text) != _squash(b.text):
                    self.changes.append(ArticleReworded(article_id, a.text, b.text, inline_edits(a.text, b.text),
                                                        a.text_span, b.text_span))

    def interpretations(self) -> None:
        def grouped(policy):
            groups: dict[str, list] = {}
            for item in policy.of_type(ast.Interpretation):
                groups.setdefault(item.article.id, []).append(item)
            return groups

        old, new = grouped(self.old), grouped(self.new)
        for article_id in _merged(old, new):
            gone = list(old.get(article_id, ()))
            came = list(new.get(article_id, ()))
            for item in list(gone):  # readings kept word for word are no change
                twin = next((c for c in came if _squash(c.text) == _squash(item.text)), None)
                if twin is not None:
                    gone.remove(item)
                    came.remove(twin)
            for item in gone:  # pair each dropped reading with the most similar new one
                best = max(came, key=lambda c: SequenceMatcher(None, item.text, c.text, autojunk=False).ratio(),
                           default=None)
                if best is not None and SequenceMatcher(None, item.text, best.text, autojunk=False).ratio() >= 0.5:
                    came.remove(best)
                    self.changes.append(InterpretationReworded(article_id, item.text, best.text,
                                                               inline_edits(item.text, best.text), item.span, best.span))
                else:
                    self.changes.append(InterpretationRemoved(article_id, article_id, item.text, old_span=item.span))
            for item in came:
                self.changes.append(InterpretationAdded(article_id, article_id, item.text, new_span=item.span))

    # ---- vocabulary
    def enums(self) -> None:
        def details(a: ast.EnumDecl, b: ast.EnumDecl) -> list[Detail]:
            out = _text_detail("label", a.label, b.label)
            old = {m.code: m for m in a.members}
            new = {m.code: m for m in b.members}
            for code in _merged(old, new):
                show = lambda m: None if m is None else f"{m.code}{' ' + quote(m.label) if m.label else ''}"
                out += _value_detail(f"member {code}", show(old.get(code)), show(new.get(code)))
            return out

        self.declarations(ast.EnumDecl, EnumAdded, EnumRemoved, EnumChanged, details)

    def zones(self) -> None:
        def details(a: ast.ZonesDecl, b: ast.ZonesDecl) -> list[Detail]:
            return (_value_detail("of", a.member_enum, b.member_enum)
                    + _value_detail("cites", _cite_ids(a.cites), _cite_ids(b.cites)))

        self.declarations(ast.ZonesDecl, ZonesAdded, ZonesRemoved, ZonesChanged, details)
        old, new, order = self.items(ast.ZonesDecl)
        for name in order:
            a, b = old.get(name), new.get(name)
            if a is None or b is None:
                continue

            def placed(decl):
                return {m.name: (zone.name, m.span) for zone in decl.zones for m in zone.members}

            was, now = placed(a), placed(b)
            for member in _merged(was, now):
                old_zone, old_span = was.get(member, (None, NO_SPAN))
                new_zone, new_span = now.get(member, (None, NO_SPAN))
                if old_zone != new_zone:
                    self.changes.append(ZoneMoved(name, member, old_zone, new_zone, _first_cite(b, a),
                                                  old_span, new_span))

    def declarations(self, cls, added, removed, changed, details, key=lambda i: i.name,
                     pairs: dict | None = None) -> None:
        """Added, removed and changed records for one kind of named declaration."""
        old, new, order = self.items(cls, key)
        pairs = pairs or {}
        paired_new = set(pairs.values())
        for name in order:
            a, b = old.get(name), new.get(name)
            if a is not None and b is None and name in pairs:
                b = new[pairs[name]]
            elif a is None and name in paired_new:
                continue  # reported with its old name
            cite = _first_cite(b, a) if hasattr(a or b, "cites") else None
            if a is None:
                self.changes.append(added(name, cite, item_text(b), new_span=b.span))
            elif b is None:
                self.changes.append(removed(name, cite, item_text(a), old_span=a.span))
            elif a != b:
                found = tuple(details(a, b))
                if found:  # equal but for how a number was written: no change
                    self.changes.append(changed(key(a), key(b), cite, found, a.span, b.span))

    def input_details(self, a: ast.InputDecl, b: ast.InputDecl) -> list[Detail]:
        return (_value_detail("type", type_text(a.type), type_text(b.type))
                + _value_detail("as", a.alias, b.alias) + _text_detail("label", a.label, b.label))

    def define_details(self, a: ast.Define, b: ast.Define) -> list[Detail]:
        return (_text_detail("label", a.label, b.label)
                + _value_detail("cites", _cite_ids(a.cites), _cite_ids(b.cites))
                + expression_details("formula", a.expr, b.expr))

    # ---- rules and decisions
    def rules(self) -> None:
        old, new, _ = self.items(ast.Rule)
        self.renames = _renames({n: r for n, r in old.items() if n not in new},
                                {n: r for n, r in new.items() if n not in old})
        self.declarations(ast.Rule, RuleAdded, RuleRemoved, RuleChanged, self.rule_details, pairs=self.renames)

    def rule_details(self, a: ast.Rule, b: ast.Rule) -> list[Detail]:
        out = (_value_detail("name", a.name, b.name) + _value_detail("kind", a.kind, b.kind)
               + _value_detail("cites", _cite_ids(a.cites), _cite_ids(b.cites))
               + expression_details("when", a.when, b.when)
               + _value_detail("then", a.outcome, b.outcome) + _text_detail("reason", a.reason, b.reason))
        old = {x.name: x for x in a.assignments}
        new = {x.name: x for x in b.assignments}
        for name in _merged(old, new):
            x, y = old.get(name), new.get(name)
            if x is not None and y is not None:
                out += expression_details(f"with {name}", x.expr, y.expr)
            else:
                out += _value_detail(f"with {name}", x and expr_text(x.expr), y and expr_text(y.expr))
        return out

    def decisions(self) -> None:
        def details(a: ast.Decision, b: ast.Decision) -> list[Detail]:
            return (_text_detail("label", a.label, b.label) + _value_detail("otherwise", a.otherwise, b.otherwise)
                    + _text_detail("otherwise reason", a.otherwise_reason, b.otherwise_reason))

        self.declarations(ast.Decision, DecisionAdded, DecisionRemoved, DecisionChanged, details)
        old, new, order = self.items(ast.Decision)
        for name in order:
            a, b = old.get(name), new.get(name)
            if a is None or b is None:
                continue
            for clause in ("precedence", "notes"):
                was = tuple(n.name for n in getattr(a, clause))
                now = tuple(n.name for n in getattr(b, clause))
                known = tuple(self.renames.get(n, n) for n in was)  # old names as the new version calls them
                if known == now:
                    continue
                entries: list[Entry] = []
                for tag, i1, i2, j1, j2 in SequenceMatcher(None, known, now, autojunk=False).get_opcodes():
                    if tag == "equal":
                        entries += [("=", was[i], now[j]) for i, j in zip(range(i1, i2), range(j1, j2))]
                    else:
                        entries += [("-", n, None) for n in was[i1:i2]] + [("+", None, n) for n in now[j1:j2]]
                self.changes.append(PrecedenceChanged(name, clause, was, now, _ordered_entries(entries), None,
                                                      a.span, b.span))


def _renames(gone: dict[str, ast.Rule], came: dict[str, ast.Rule]) -> dict[str, str]:
    """Pair a vanished rule with a new one when exactly one of each has its kind, cites and outcome."""
    def signature(rule: ast.Rule) -> tuple:
        return (rule.kind, tuple(c.id for c in rule.cites), rule.outcome)

    by_old: dict[tuple, list] = {}
    by_new: dict[tuple, list] = {}
    for name, rule in gone.items():
        by_old.setdefault(signature(rule), []).append(name)
    for name, rule in came.items():
        by_new.setdefault(signature(rule), []).append(name)
    return {olds[0]: by_new[sig][0] for sig, olds in by_old.items()
            if len(olds) == 1 and len(by_new.get(sig, ())) == 1}


def plan_side(policy: ast.PolicyFile) -> PlanSide:
    header = next(iter(policy.of_type(ast.PlanHeader)), None)
    source = policy.span.source
    text = source.text if source is not None else ""
    return PlanSide(policy.source_path, header.id if header else "", (header.get("version") or "") if header else "",
                    hashlib.sha256(text.encode("utf-8")).hexdigest())


def diff_plans(old: ast.PolicyFile, new: ast.PolicyFile) -> PlanDiff:
    """Every change from `old` to `new`, matched by article id and name; empty when equivalent."""
    return PlanDiff(plan_side(old), plan_side(new), _Differ(old, new).run())
