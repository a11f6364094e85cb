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

The records live in `changes.py` and are re-exported here: `from engine.diff.structural import
RuleChanged` is the way to name one.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import fields
from difflib import SequenceMatcher
from functools import partial
from typing import Iterable

from dsl import ast
from dsl.spans import NO_SPAN
from engine.diff.changes import (  # noqa: F401 re-exported
    EXPR_TOKEN,
    Added,
    ArticleAdded,
    ArticleRemoved,
    ArticleReworded,
    ArticleStatusChanged,
    Change,
    Changed,
    DecisionAdded,
    DecisionChanged,
    DecisionRemoved,
    DefineAdded,
    DefineChanged,
    DefineRemoved,
    Detail,
    Edit,
    Entry,
    EnumAdded,
    EnumChanged,
    EnumRemoved,
    ExpressionChanged,
    FieldChanged,
    HeaderChanged,
    InputAdded,
    InputChanged,
    InputRemoved,
    InterpretationAdded,
    InterpretationChineseReworded,
    InterpretationRemoved,
    InterpretationReworded,
    PlanDiff,
    PlanSide,
    PrecedenceChanged,
    Removed,
    Reworded,
    RuleAdded,
    RuleChanged,
    RuleRemoved,
    ValueChanged,
    ZoneMoved,
    ZonesAdded,
    ZonesChanged,
    ZonesRemoved,
    inline_edits,
    invert_edits,
    mirror,
    ordered_entries,
)
from engine.diff.details import cite_ids, expression_details, generic, generic_text, quota_details, text_detail, value_detail
from engine.diff.expr_text import item_text, quote, type_text

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
        self.populations()
        self.rules()
        self.decisions()
        self.others()
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
                    self._chinese(article_id, item, twin)
            for item in gone:  # pair each dropped reading with the most similar new one
                best = max(came, key=lambda c: SequenceMatcher(None, item.text, c.text, autojunk=False).ratio(),
                           default=None)
                if best is not None and SequenceMatcher(None, item.text, best.text, autojunk=False).ratio() >= 0.5:
                    came.remove(best)
                    self.changes.append(InterpretationReworded(article_id, item.text, best.text,
                                                               inline_edits(item.text, best.text), item.span, best.span))
                    self._chinese(article_id, item, best)
                else:
                    self.changes.append(InterpretationRemoved(article_id, article_id, item.text, old_span=item.span,
                                                              zh=item.zh))
            for item in came:
                self.changes.append(InterpretationAdded(article_id, article_id, item.text, new_span=item.span, zh=item.zh))

    def _chinese(self, article_id: str, a: ast.Interpretation, b: ast.Interpretation) -> None:
        """A reading's Chinese text is what a zh document shows: a change of it is a change."""
        old, new = a.zh or "", b.zh or ""
        if _squash(old) != _squash(new):
            self.changes.append(InterpretationChineseReworded(article_id, old, new, inline_edits(old, new),
                                                              a.span, b.span))

    # ---- vocabulary
    def enums(self) -> None:
        def details(a: ast.EnumDecl, b: ast.EnumDecl) -> list[Detail]:
            out = text_detail("label", a.label, b.label)
            old = {m.code: m for m in a.members}
            new = {m.code: m for m in b.members}
            for code in _merged(old, new):
                show = lambda m: None if m is None else f"{m.code}{' ' + quote(m.label) if m.label else ''}"
                out += value_detail(f"member {code}", show(old.get(code)), show(new.get(code)))
            return out

        self.declarations(ast.EnumDecl, EnumAdded, EnumRemoved, EnumChanged, details)

    def zones(self) -> None:
        def details(a: ast.ZonesDecl, b: ast.ZonesDecl) -> list[Detail]:
            return (value_detail("of", a.member_enum, b.member_enum)
                    + value_detail("cites", cite_ids(a.cites), cite_ids(b.cites)))

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
        return (value_detail("type", type_text(a.type), type_text(b.type))
                + value_detail("as", a.alias, b.alias) + text_detail("label", a.label, b.label))

    def define_details(self, a: ast.Define, b: ast.Define) -> list[Detail]:
        return (text_detail("label", a.label, b.label)
                + value_detail("cites", cite_ids(a.cites), cite_ids(b.cites))
                + expression_details("formula", a.expr, b.expr))

    def populations(self) -> None:
        """A population's aggregates by name: a changed formula shows as its changed literals."""
        def details(a: ast.PopulationDecl, b: ast.PopulationDecl) -> list[Detail]:
            out = text_detail("label", a.label, b.label) + value_detail("cites", cite_ids(a.cites), cite_ids(b.cites))
            old, new = {x.name: x for x in a.aggregates}, {x.name: x for x in b.aggregates}
            for name in _merged(old, new):
                x, y = old.get(name), new.get(name)
                if x is None or y is None:
                    out += value_detail(f"aggregate {name}", x and f"{x.function}({generic(x.arg)})",
                                         y and f"{y.function}({generic(y.arg)})")
                    continue
                out += text_detail(f"aggregate {name} label", x.label, y.label)
                out += value_detail(f"aggregate {name}", x.function, y.function)
                out += expression_details(f"aggregate {name}", x.arg, y.arg)
            return out

        self.declarations(ast.PopulationDecl, partial(Added, what="population"), partial(Removed, what="population"),
                          partial(Changed, what="population"), details)

    # ---- rules and decisions
    def rules(self) -> None:
        old, new, _ = self.items(ast.Rule)
        self.renames = _renames({n: r for n, r in old.items() if n not in new},
                                {n: r for n, r in new.items() if n not in old})
        self.declarations(ast.Rule, RuleAdded, RuleRemoved, RuleChanged, self.rule_details, pairs=self.renames)

    def rule_details(self, a: ast.Rule, b: ast.Rule) -> list[Detail]:
        out = (value_detail("name", a.name, b.name) + value_detail("kind", a.kind, b.kind)
               + value_detail("cites", cite_ids(a.cites), cite_ids(b.cites))
               + expression_details("when", a.when, b.when)
               + value_detail("then", a.outcome, b.outcome) + text_detail("reason", a.reason, b.reason))
        old = {x.name: x for x in a.assignments}
        new = {x.name: x for x in b.assignments}
        for name in _merged(old, new):
            x, y = old.get(name), new.get(name)
            if x is not None and y is not None:
                out += expression_details(f"with {name}", x.expr, y.expr)
            else:
                out += value_detail(f"with {name}", x and generic(x.expr), y and generic(y.expr))
        return out

    def decisions(self) -> None:
        def details(a: ast.Decision, b: ast.Decision) -> list[Detail]:
            return (text_detail("label", a.label, b.label)
                    + value_detail("over", a.population and a.population.name, b.population and b.population.name)
                    + value_detail("outcomes", ", ".join(n.name for n in a.outcomes) or None,
                                    ", ".join(n.name for n in b.outcomes) or None)
                    + value_detail("otherwise", a.otherwise, b.otherwise)
                    + text_detail("otherwise reason", a.otherwise_reason, b.otherwise_reason))

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
                self.changes.append(PrecedenceChanged(name, clause, was, now, ordered_entries(entries), None,
                                                      a.span, b.span))


    def others(self) -> None:
        """Kinds of declaration this differ has no special reading for, compared field by field,
        so a new construct in the language is reported coarsely rather than silently ignored."""
        known = (ast.PlanHeader, ast.Article, ast.Interpretation, ast.EnumDecl, ast.ZonesDecl, ast.InputDecl,
                 ast.Define, ast.PopulationDecl, ast.Rule, ast.Decision)
        kinds = [cls for cls in dict.fromkeys(type(i) for i in (*self.old.items, *self.new.items))
                 if not issubclass(cls, known)]
        for cls in kinds:
            what = cls.__name__.removesuffix("Decl").lower()
            key = (lambda i: i.name) if "name" in cls.__dataclass_fields__ else (lambda i: what)
            old, new, order = self.items(cls, key)
            for name in order:
                a, b = old.get(name), new.get(name)
                cite = _first_cite(b, a) if "cites" in cls.__dataclass_fields__ else None
                if a is None:
                    self.changes.append(Added(name, cite, generic_text(b), new_span=b.span, what=what))
                elif b is None:
                    self.changes.append(Removed(name, cite, generic_text(a), old_span=a.span, what=what))
                elif a != b:
                    if isinstance(a, ast.Quota):
                        details = tuple(quota_details(a, b))
                    else:
                        details = tuple(FieldChanged(f.name, generic(getattr(a, f.name)), generic(getattr(b, f.name)))
                                        for f in fields(a) if f.compare and getattr(a, f.name) != getattr(b, f.name))
                    self.changes.append(Changed(key(a), key(b), cite, details, a.span, b.span, what=what))


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
    order = _merged((a.id for a in old.of_type(ast.Article)), (a.id for a in new.of_type(ast.Article)))
    return PlanDiff(plan_side(old), plan_side(new), _Differ(old, new).run(), tuple(order))
