"""What changed between two plan versions, described once as lines of tagged segments.

`describe` turns a change into lines of (tag, text) segments; each view only decides how a tag
looks, and in which language the product's words are said: a segment's text is the plan's own
(a name, a quoted text) or a `Say`, the product's words not yet translated, which `said` puts in
the current language for a view and leaves as written for JSON (the same in both languages). A
deletion is `[-50%-]` in red in the terminal and `<del>50%</del>` in a memo, an
insertion `{+60%+}` in green and `<ins>60%</ins>` (`text_line`, `markdown_line`). So the
formats of render/diff_view.py and render/diff_population.py never disagree about what changed.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from dsl.dataclass_cache import dataclass

from rich.text import Text

from engine.diff.structural import (Added, ArticleStatusChanged, Changed, ExpressionChanged, FieldChanged, HeaderChanged,
                                    PlanDiff, PrecedenceChanged, Removed, Reworded, ValueChanged, ZoneMoved)
from i18n import N_, language
from i18n import gettext as _


@dataclass(frozen=True, slots=True)
class Say:
    """The product's words, not yet in a language: a template marked with N_(), the values that fill
    it (a value may be a Say), and for the words around a name shown apart, which side of `{name}`."""
    template: str
    values: tuple[tuple[str, Any], ...] = ()
    side: int | None = None  # 0: the words before `{name}`, 2: the words after it
    plain: bool = False  # the template is layout (spaces, brackets), no message: never translated


def said(text: "str | Say", translate: bool = True) -> str:
    """A segment's text: a Say in the current language (or as written, `translate=False`)."""
    if not isinstance(text, Say):
        return text
    template = _(text.template) if translate and not text.plain else text.template
    values = {k: said(v, translate) for k, v in text.values}
    if text.side is None:
        return template.format(**values)
    return template.format(name="\0", **values).partition("\0")[text.side]


def _say(template: str, **values) -> Say:
    return Say(template, tuple(values.items()))


Segment = tuple[str, "str | Say"]  # (tag, text); tags: "" plain, "-" deleted, "+" inserted, "old", "new", "dim", "name"
Line = list[Segment]

_CONTEXT = 14  # characters of unchanged text kept either side of a change in a long text
_WHAT = {"article": N_("article"), "interpretation": N_("reading"),
         "interpretation_zh": N_("Chinese reading"), "enum": N_("enum"), "zones": N_("zones"),
         "input": N_("input"), "define": N_("definition"), "rule": N_("rule"), "decision": N_("decision")}
_VERBS = {"added": N_("added"), "removed": N_("removed"), "changed": N_("changed"), "reworded": N_("reworded")}


def _around(template: str, **values) -> tuple[Say, Say]:
    """`template` cut at its `{name}`: the words before and after a name shown bold (each language
    puts the name where its word order wants it, so the cut is made once translated)."""
    items = tuple(values.items())
    return Say(template, items, 0), Say(template, items, 2)


def _what(what: str) -> "str | Say":
    return Say(_WHAT[what]) if what in _WHAT else what


# ---- describing changes ---------------------------------------------------------------------


def _arrow(old: str | None, new: str | None) -> Line:
    return [("old", old if old is not None else Say(N_("(none)"))), ("", " → "),
            ("new", new if new is not None else Say(N_("(none)")))]


def _marked(edits: Iterable[tuple[str, str]], trim: bool = True) -> Line:
    """Inline edits as segments; in a long text, unchanged stretches keep only their edges."""
    edits = list(edits)
    long = trim and sum(len(t) for _, t in edits) > 60
    out: Line = []
    for i, (op, text) in enumerate(edits):
        if op != "=":
            out.append((op, text if text.strip() else text.replace(" ", "␣").replace("\n", "⏎")))
            continue
        if long:
            head = _edge(text, i > 0, forward=True)
            tail = _edge(text, i < len(edits) - 1, forward=False)
            if len(head) + len(tail) + 1 < len(text):
                text = head + "…" + tail
        out.append(("", text))
    return out


def _edge(text: str, keep: bool, forward: bool) -> str:
    """The first (or last) few characters of a kept run, not cutting a Latin word in two."""
    if not keep:
        return ""
    cut = min(_CONTEXT, len(text))
    word = lambda ch: ch.isascii() and ch.isalnum()
    if forward:
        while cut < len(text) and cut < _CONTEXT + 12 and word(text[cut - 1]) and word(text[cut]):
            cut += 1
        return text[:cut]
    while cut < len(text) and cut < _CONTEXT + 12 and word(text[-cut]) and word(text[-cut - 1]):
        cut += 1
    return text[-cut:]


def _detail(detail) -> Line:
    path = [("dim", f"{detail.path}: ")]
    if isinstance(detail, ValueChanged):
        return path + _arrow(detail.old_text, detail.new_text)
    if isinstance(detail, ExpressionChanged):
        return path + _marked(detail.edits, trim=False)
    if isinstance(detail, FieldChanged):
        if detail.old_value is None:
            return path + [("+", detail.new_value)] + [("dim", Say("  {mark}", (("mark", Say(N_("(added)"))),), plain=True))]
        if detail.new_value is None:
            return path + [("-", detail.old_value)] + [("dim", Say("  {mark}", (("mark", Say(N_("(removed)"))),), plain=True))]
        if detail.edits:
            return path + _marked(detail.edits)
        return path + _arrow(detail.old_value, detail.new_value)
    return path + [("", repr(detail))]


def describe(change) -> list[Line]:
    """A change as lines of segments: a headline, then its details."""
    if isinstance(change, HeaderChanged):
        old, new = change.old_value, change.new_value
        if change.key == "sha256":  # of the source document; the JSON view gives it whole
            old, new = (v and v[:16] + "…" for v in (old, new))
        return [[("name", f"{change.key:<8}")] + _arrow(old, new)]
    if isinstance(change, Reworded):
        head = Say({"article": N_("reworded"), "interpretation_zh": N_("Chinese text of the reading reworded")}.get(
            change.what) or N_("reading reworded"))
        return [[("", head)], _marked(change.edits)]
    if isinstance(change, ArticleStatusChanged):
        lines = [[("", Say(N_("status  ")))] + _arrow(change.old_status, change.new_status)]
        if change.old_reason != change.new_reason:
            lines.append([("dim", Say(N_("reason: ")))] + _arrow(change.old_reason, change.new_reason))
        return lines
    if isinstance(change, (Added, Removed)):
        added = isinstance(change, Added)
        tag, what = ("+" if added else "-"), _what(change.what)
        if change.what in ("article", "interpretation"):
            status = f" ({change.status})" if change.what == "article" else ""
            head = N_("{what} added{status}") if added else N_("{what} removed{status}")
            text = getattr(change, "zh", None) if language() == "zh" else None  # a reading's, in a zh report
            return [[("", _say(head, what=what, status=status))], [(tag, text or change.text)]]
        before, after = _around(N_("{what} {name} added") if added else N_("{what} {name} removed"), what=what)
        return [[("", before), ("name", change.name), ("", after)], [(tag, change.text)]]
    if isinstance(change, Changed):
        name: Line = [("name", change.new_name)]
        if change.renamed:
            name = [("name", change.old_name), ("", " → "), ("name", change.new_name)]
        before, after = _around(N_("{what} {name} changed"), what=_what(change.what))
        return [[("", before)] + name + [("", after)]] + [_detail(d) for d in change.details]
    if isinstance(change, ZoneMoved):
        if change.old_zone is None:
            return [[("name", change.member), ("", Say(N_(" added to "))), ("new", change.new_zone)]]
        if change.new_zone is None:
            return [[("name", change.member), ("", Say(N_(" removed from "))), ("old", change.old_zone)]]
        return [[("name", change.member), ("", Say(N_(" moved ")))] + _arrow(change.old_zone, change.new_zone)]
    if isinstance(change, PrecedenceChanged):
        line: Line = [("", f"{change.clause}: ")]
        for i, (op, old, new) in enumerate(change.entries):
            if i:
                line.append(("dim", " > " if change.clause == "precedence" else ", "))
            if op == "=":
                line.append(("", new))
                if old != new:
                    line.append(("dim", Say(" ({was})", (("was", _say(N_("was {old}"), old=old)),), plain=True)))
            else:
                line.append((op, old if op == "-" else new))
        return [line]
    return [[("", repr(change))]]


def summary_line(change) -> Line:
    """A change on one line, as a blamed cause is shown."""
    lines = describe(change)
    head = list(lines[0])
    if isinstance(change, ZoneMoved):
        head = [("", _say(N_("zones {zones}: "), zones=change.zones))] + head
    if isinstance(change, (Added, Removed)):
        return head
    for i, line in enumerate(lines[1:]):
        head += [("", Say(N_(": ")) if i == 0 else Say(N_("; ")))] + line
    return head


def summary_text(change, translate: bool = True) -> str:
    """A change on one line of plain text; `translate=False`: as written, for JSON."""
    return _plain(summary_line(change), translate)


def _plain(line: Line, translate: bool = True) -> str:
    marks = {"-": ("[-", "-]"), "+": ("{+", "+}")}
    return "".join(marks.get(tag, ("", ""))[0] + said(text, translate) + marks.get(tag, ("", ""))[1]
                   for tag, text in line)


def groups(diff: PlanDiff) -> list[tuple[str, list]]:
    """The changes grouped for the report: header, article by article, then the rest."""
    def key(change) -> str:
        if isinstance(change, HeaderChanged):
            return "plan header"
        if isinstance(change, ZoneMoved):
            return f"zones {change.zones}"
        what = getattr(change, "what", None)
        if what == "zones":
            return f"zones {change.name}"
        if isinstance(change, PrecedenceChanged):
            return f"decision {change.decision}"
        if what == "decision":
            return f"decision {change.name}"
        if change.article:
            return f"article {change.article}"
        return {"input": "inputs", "enum": "vocabulary"}.get(what, "other")

    found: dict[str, list] = {}
    for change in diff:
        found.setdefault(key(change), []).append(change)
    order = ["plan header"] + [f"article {a}" for a in diff.articles]
    rank = {name: i for i, name in enumerate(order)}
    tail = {"zones": 1, "vocabulary": 2, "inputs": 3, "decision": 4, "other": 5}
    return sorted(found.items(), key=lambda kv: (kv[0] not in rank, rank.get(kv[0], 0),
                                                 tail.get(kv[0].split(" ")[0], 9)))


_TITLES = {"plan header": N_("plan header"), "inputs": N_("inputs"), "vocabulary": N_("vocabulary"),
           "other": N_("other"), "article": N_("article {name}"), "zones": N_("zones {name}"),
           "decision": N_("decision {name}")}


def group_title(key: str) -> str:
    """A group's heading (`groups` gives its key, in English: the order depends on it)."""
    if key in _TITLES:
        return _(_TITLES[key])
    kind, _sep, name = key.partition(" ")
    return _(_TITLES[kind]).format(name=name) if kind in _TITLES else key


def counts(diff: PlanDiff) -> Counter:
    return Counter(type(c).__name__ for c in diff)


def tally(diff: PlanDiff) -> str:
    """`5 articles reworded, 2 rules changed, 1 zone move` for the report's headline."""
    words: Counter = Counter()
    for change in diff:
        if isinstance(change, HeaderChanged):
            words[(_("header field"), "header field", "changed")] += 1
        elif isinstance(change, ZoneMoved):
            words[(_("zone move"), "zone move", "")] += 1
        elif isinstance(change, PrecedenceChanged):
            words[(_("{clause} list").format(clause=change.clause), f"{change.clause} list", "changed")] += 1
        elif isinstance(change, ArticleStatusChanged):
            words[(_("article status"), "article status", "changed")] += 1
        else:
            verb = {Added: "added", Removed: "removed", Changed: "changed", Reworded: "reworded"}
            kind = next(v for cls, v in verb.items() if isinstance(change, cls))
            words[(said(_what(change.what)), _WHAT.get(change.what, change.what), kind)] += 1
    parts = []
    for (noun, english, verb), n in words.items():
        many = n > 1 and not english.endswith("s")  # the English plural; Chinese has none
        if verb:
            template = _("{count} {noun}s {verb}") if many else _("{count} {noun} {verb}")
        else:
            template = _("{count} {noun}s") if many else _("{count} {noun}")
        parts.append(template.format(count=n, noun=noun, verb=_(_VERBS[verb]) if verb else ""))
    return _(", ").join(parts)


# ---- one line in each format ------------------------------------------------------------

_STYLES = {"-": "red strike", "+": "green bold", "old": "red", "new": "green", "dim": "dim", "name": "bold"}
_MARKS = {"-": ("[-", "-]"), "+": ("{+", "+}")}


def text_line(line: Line, indent: int = 0) -> Text:
    out = Text(" " * indent)
    for tag, text in line:
        before, after = _MARKS.get(tag, ("", ""))
        out.append(before + said(text) + after, style=_STYLES.get(tag, ""))
    return out


_MD = {"-": ("<del>", "</del>"), "+": ("<ins>", "</ins>"), "old": ("`", "`"), "new": ("`", "`"),
       "name": ("**", "**"), "dim": ("*", "*")}


def markdown_line(line: Line) -> str:
    out = []
    for tag, text in line:
        text = said(text).replace("|", "\\|").replace("\n", " ")
        if tag not in ("old", "new"):  # an entity inside a code span would show as typed
            text = text.replace("<", "&lt;")
        core = text.strip()
        if tag == "dim" and not any(ch.isalnum() for ch in core):
            tag = ""  # separators such as ` > ` stay plain
        if tag in ("old", "new") and "`" in core:
            tag = ""
        before, after = _MD.get(tag, ("", ""))
        if not core or not before:
            out.append(text)
            continue
        lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        out.append(lead + before + core + after + trail)
    return "".join(out)


def markdown_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")
