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

from engine.trace import Explanation, Step

from .values import MISSING_HINTS, STATUS_WORDS, show, show_read, show_share

_MARKS = {"decided": "[bold]►[/]", "would_decide": "►", "overridden": "≠", "applied": "✓", "not_applicable": "·",
          "unknown": "[bold]?[/]", "unknown_not_needed": "?"}
_OUTCOME_STYLE = {"eligible": "green", "exempt": "green", "paused": "yellow", "excluded": "red",
                  "spacing_conflict": "red", "needs_approval": "magenta", "needs_review": "magenta",
                  "undetermined": "yellow"}


def _quote(text: str) -> Text:
    return Text("“" + text + "”", style="italic")


def _reads(tree: Tree, step: Step, labels: dict) -> None:
    for path, value in step.reads:
        tree.add(Text(f"read {path} = {show_read(path, value, labels)}"))
    for name, value in step.uses:
        tree.add(Text(f"uses {name} = {show(value, labels)}"))
    read = {path for path, _ in step.reads}
    for path in step.missing:
        if path not in read:  # e.g. a region absent from the statistics: not a read of its own
            hint = MISSING_HINTS.get(path)
            tree.add(Text(f"absent: {path}" + (f" ({hint})" if hint else ""), style="yellow"))


def _articles(tree: Tree, step: Step, quote: bool) -> None:
    for article in step.articles:
        node = tree.add(Text(f"article {article.id}", style="cyan"))
        if quote:  # quote and readings for the rules that mattered; the rest just cite
            node.add(_quote(article.text))
            for reading in article.readings:
                node.add(Text("reading: " + reading, style="blue"))


def _rule_line(step: Step) -> str:
    cites = ", ".join(a.id for a in step.articles)
    concl = f" → {step.concludes}" if step.value else ""
    return (f"{_MARKS.get(step.status, '·')} {escape(step.name)} [dim]({step.rule_kind}, {cites})[/] "
            f"{STATUS_WORDS.get(step.status, step.status)}{concl}")


def build(result: Explanation) -> Group:
    labels = result.labels
    style = _OUTCOME_STYLE.get(result.outcome, "bold")
    head = Text()
    head.append("OUTCOME ", style="bold")
    head.append(result.outcome, style=f"bold {style}")
    root = Tree(head)
    if result.reason:  # its own line: a long CJK reason would otherwise wrap away from the outcome
        root.add(Text(result.reason))
    for name, value in result.terms:
        root.add(Text(f"{name} = {show_share(name, value, labels)}"))
    for step in result.priorities:
        root.add(Text(f"priority: {step.reason} (rule {step.name}, article {step.articles[0].id})"))
    for step in result.steering:
        root.add(Text(f"steering ({step.concludes}): {step.reason} (rule {step.name}, article {step.articles[0].id})"))
    for step in result.priorities_unknown:
        root.add(Text(f"priority unknown: {step.reason} (rule {step.name}, article {step.articles[0].id}; "
                      f"absent: {', '.join(step.missing)})"))

    stamp = result.plan
    meta = Text(f"decision {result.decision}" + (f" ({result.decision_label})" if result.decision_label else "")
                + f" · applicant {result.applicant_id or '—'} · as of {result.as_of or '—'}\n"
                + f"plan {stamp.id} · version {stamp.version} · sha256 {stamp.sha256[:16]}…", style="dim")
    parts = [meta, root]
    for notice in result.notices:  # before anything else: the plan applied was not in force
        parts.insert(0, Text("notice: " + notice, style="bold yellow"))

    if result.decided_by is not None:
        step = result.decided_by
        decisive = Tree(Text.from_markup(f"[bold]decided by[/] rule {escape(step.name)} ({step.rule_kind})"))
        _articles(decisive, step, quote=True)
        decisive.add(Text("why: " + result.why))
        _reads(decisive, step, labels)
        parts.append(decisive)
    else:
        parts.append(Tree(Text("why: " + result.why)))

    if result.missing:
        missing = Tree(Text("missing facts (needed to decide)", style="bold yellow"))
        for path in result.missing:
            missing.add(path + (f": {MISSING_HINTS[path]}" if path in MISSING_HINTS else ""))
        parts.append(missing)

    rules = [s for s in result.steps if s.kind == "rule" and s is not result.decided_by]
    if rules:
        other = Tree(Text("every other rule, in order of precedence", style="bold"))
        for step in rules:
            node = other.add(Text.from_markup(_rule_line(step)))
            _articles(node, step, quote=step.status in ("overridden", "applied", "unknown", "would_decide"))
            _reads(node, step, labels)
        parts.append(other)

    defines = [s for s in result.steps if s.kind == "define"]
    if defines:
        values = Tree(Text("values computed", style="bold"))
        for step in defines:
            shown = show(step.value, labels) if not step.missing else "absent"
            cites = ", ".join(a.id for a in step.articles)
            node = values.add(Text(f"{step.name} = {shown}" + (f"  [{cites}]" if cites else "")))
            _reads(node, step, labels)
        parts.append(values)
    return Group(*parts)


def explanation_to_text(result: Explanation, width: int = 100, color: bool = False) -> str:
    """Plain text at a fixed width (for files and snapshots); colour only when asked."""
    buffer = StringIO()
    console = Console(file=buffer, width=width, color_system="standard" if color else None,
                      force_terminal=color, highlight=False, emoji=False)
    console.print(build(result))
    return buffer.getvalue()
