"""The terminal view: a rich tree an auditor reads top-down.

Outcome first, then the decisive article quoted with the reading taken and why it won, then
every other rule with what it read, then the computed values, then what was missing.
"""
from __future__ import annotations

from io import StringIO

from rich.console import Console, Group
from rich.markup import escape
from rich.text import Text
from rich.tree import Tree

from engine.run.trace import Explanation, Step

from i18n import gettext as _
from i18n import N_, language

from .wrap import width as display_width
from .wrap import wrap
from .values import missing_hint, show, show_read, show_share, status_word

_MARKS = {"decided": "[bold]►[/]", "would_decide": "►", "overridden": "≠", "applied": "✓", "not_applicable": "·",
          "unknown": "[bold]?[/]", "unknown_not_needed": "?"}
_OUTCOME_STYLE = {"eligible": "green", "exempt": "green", "paused": "yellow", "excluded": "red",
                  "spacing_conflict": "red", "needs_approval": "magenta", "needs_review": "magenta",
                  "undetermined": "yellow"}


_WIDTH = [100]  # the width explanation_to_text draws at, for `_para`


def _para(text: str, depth: int, style: str = "") -> Text:
    """Text to stand `depth` levels deep in a tree; Chinese is wrapped here by the 避头尾 rules
    (render/wrap.py), since rich breaks only at spaces and would start a line with `，` or `”`."""
    if any(display_width(ch) == 2 for ch in text):
        text = "\n".join(wrap(text, max(_WIDTH[0] - 4 * depth - 1, 20)))
    return Text(text, style=style)


def _quote(text: str, depth: int) -> Text:
    return _para("“" + text + "”", depth, "italic")


def _with_unit(name: str, shown: str, units: dict) -> str:
    """A definition's value with its unit (`药店限制半径 = 500 m`); ∞ and absent values take none."""
    unit = units.get(name)
    return f"{shown} {unit}" if unit and shown not in (_("absent"), "absent", "∞", "-∞") else shown


def _reads(tree: Tree, step: Step, labels: dict, depth: int, units: dict | None = None) -> None:
    for path, value in step.reads:
        tree.add(_para(_("read {path} = {value}").format(path=path, value=show_read(path, value, labels)), depth))
    for name, value in step.uses:
        tree.add(_para(_("uses {name} = {value}").format(name=name, value=_with_unit(name, show(value, labels), units or {})), depth))
    read = {path for path, _ in step.reads}
    for path in step.missing:
        if path not in read:  # e.g. a region absent from the statistics: not a read of its own
            hint = missing_hint(path)
            tree.add(_para(_("absent: {path}").format(path=path) + (f" ({hint})" if hint else ""), depth, "yellow"))


def _articles(tree: Tree, step: Step, quote: bool, depth: int) -> None:
    for article in step.articles:
        node = tree.add(Text(_("article {id}").format(id=article.id), style="cyan"))
        if quote:  # quote and readings for the rules that mattered; the rest just cite
            node.add(_quote(article.text, depth + 1))
            for reading in article.readings:
                node.add(_para(_("reading: {text}").format(text=reading.in_language(language())), depth + 1, "blue"))


def _kind(kind: str) -> str:
    """A rule's kind: in English the language's keyword (`gate`), as the plan writes it; in another
    language the case document's word for it (暂停), since the keyword is English."""
    from .case_words import KIND_WORDS

    return _(KIND_WORDS[kind]) if language() != "en" and kind in KIND_WORDS else kind


def _rule_line(step: Step) -> str:
    cites = ", ".join(a.id for a in step.articles)
    concl = f" → {step.concludes}" if step.value else ""
    return (f"{_MARKS.get(step.status, '·')} {escape(step.name)} [dim]({escape(_kind(step.rule_kind))}, {cites})[/] "
            f"{escape(status_word(step.status))}{concl}")


def _why(result: Explanation, case) -> str:
    """The engine's why in English; in another language, the case document's, said from the plan."""
    if language() == "en":
        return result.why
    from .case import why_text

    return why_text(result, getattr(case, "plan", None))


def build(result: Explanation, case=None) -> Group:
    labels = result.labels
    style = _OUTCOME_STYLE.get(result.outcome, "bold")
    head = Text()
    head.append(_("OUTCOME") + " ", style="bold")
    head.append(result.outcome, style=f"bold {style}")
    from .case import OUTCOME_WORDS, word

    if result.outcome in OUTCOME_WORDS:  # the code, then what it means in words
        head.append(" (" + word(OUTCOME_WORDS, result.outcome) + ")" if language() == "en"
                    else "（" + word(OUTCOME_WORDS, result.outcome) + "）")
    root = Tree(head)
    if result.reason:  # its own line: a long CJK reason would otherwise wrap away from the outcome
        root.add(_para(result.reason, 1))
    for name, value in result.terms:
        root.add(Text(f"{name} = {show_share(name, value, labels)}"))
    for step in result.priorities:
        root.add(_para(_("priority: {reason} (rule {rule}, article {article})").format(
            reason=step.reason, rule=step.name, article=step.articles[0].id), 1))
    for step in result.steering:
        root.add(_para(_("steering ({direction}): {reason} (rule {rule}, article {article})").format(
            direction=step.concludes, reason=step.reason, rule=step.name, article=step.articles[0].id), 1))
    for step in result.priorities_unknown:
        root.add(_para(_("priority unknown: {reason} (rule {rule}, article {article}; absent: {absent})").format(
            reason=step.reason, rule=step.name, article=step.articles[0].id, absent=", ".join(step.missing)), 1))

    stamp = result.plan
    meta = Text(_("decision {name}").format(name=result.decision)
                + (f" ({result.decision_label})" if result.decision_label else "")
                + " · " + _("applicant {id}").format(id=result.applicant_id or "—")
                + " · " + _("as of {date}").format(date=result.as_of or "—") + "\n"
                + _("plan {id} · version {version} · sha256 {digest}…").format(
                    id=stamp.id, version=stamp.version, digest=stamp.sha256[:16]), style="dim")
    parts = [meta, root]
    for notice in result.notices:  # before anything else: the plan applied was not in force
        parts.insert(0, Text(_("notice: {notice}").format(notice=notice_text(notice)), style="bold yellow"))

    if result.decided_by is not None:
        step = result.decided_by
        decisive = Tree(Text.from_markup(f"[bold]{escape(_('decided by'))}[/] "
                                         + escape(_("rule {name} ({kind})").format(name=step.name, kind=_kind(step.rule_kind)))))
        _articles(decisive, step, quote=True, depth=1)
        decisive.add(_para(_("why: {text}").format(text=_why(result, case)), 1))
        _reads(decisive, step, labels, 1, result.units)
        parts.append(decisive)
    else:
        parts.append(Tree(_para(_("why: {text}").format(text=_why(result, case)), 0)))

    if result.missing:
        missing = Tree(Text(_("missing facts (needed to decide)"), style="bold yellow"))
        for path in result.missing:
            hint = missing_hint(path)
            missing.add(_para(path + (f": {hint}" if hint else ""), 1))
        parts.append(missing)

    rules = [s for s in result.steps if s.kind == "rule" and s is not result.decided_by]
    if rules:
        other = Tree(Text(_("every other rule, in order of precedence"), style="bold"))
        for step in rules:
            node = other.add(Text.from_markup(_rule_line(step)))
            _articles(node, step, quote=step.status in ("overridden", "applied", "unknown", "would_decide"), depth=2)
            _reads(node, step, labels, 2, result.units)
        parts.append(other)

    defines = [s for s in result.steps if s.kind == "define"]
    if defines:
        values = Tree(Text(_("values computed"), style="bold"))
        for step in defines:
            shown = _with_unit(step.name, show(step.value, labels) if not step.missing else _("absent"), result.units)
            cites = ", ".join(a.id for a in step.articles)
            node = values.add(Text(f"{step.name} = {shown}" + (f"  [{cites}]" if cites else "")))
            _reads(node, step, labels, 2, result.units)
        parts.append(values)
    return Group(*parts)


def explanation_to_text(result: Explanation, width: int = 100, color: bool = False, case=None) -> str:
    """Plain text at a fixed width (for files and snapshots); colour only when asked."""
    buffer = StringIO()
    console = Console(file=buffer, width=width, color_system="standard" if color else None,
                      force_terminal=color, highlight=False, emoji=False)
    _WIDTH[0] = width
    console.print(build(result, case))
    return buffer.getvalue()


# engine/run/decide.py's notices (kept in English in the JSON record), as the text view says them.
_NOTICES = (N_("draft: this decision applies a draft, plan {id} ({draft})"),
            N_("not_in_force: judged on {judged}, before plan {id} takes effect on {effective}"))


def notice_text(notice: str) -> str:
    from i18n.diagnostics import translated

    return translated(notice, _NOTICES)
