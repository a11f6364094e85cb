"""Views of a plan diff (and its population replay): rich text, JSON, Markdown.

Every change is first described once as lines of tagged segments (`describe`); the text and
Markdown views only decide how a tag looks: a deletion is `[-50%-]` in red in the terminal
and `<del>50%</del>` in a memo, an insertion `{+60%+}` in green and `<ins>60%</ins>`. So the
three formats never disagree about what changed. The report goes article by article: the
plan header first, then each article with its wording, readings, definitions and rules,
then zones, vocabulary, inputs and decisions.
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from io import StringIO
from typing import Any, Iterable

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from dsl.spans import Span
from engine.diff.structural import (Added, ArticleStatusChanged, Changed, ExpressionChanged, FieldChanged, HeaderChanged, PlanDiff,
                         PrecedenceChanged, Removed, Reworded, ValueChanged, ZoneMoved)
from engine.diff.population import PopulationReport, Replayed, Side

from .values import jsonable, show, show_share

Segment = tuple[str, str]  # (tag, text); tags: "" plain, "-" deleted, "+" inserted, "old", "new", "dim", "name"
Line = list[Segment]

_CONTEXT = 14  # characters of unchanged text kept either side of a change in a long text
_WHAT = {"article": "article", "interpretation": "reading", "enum": "enum", "zones": "zones", "input": "input",
         "define": "definition", "rule": "rule", "decision": "decision"}


# ---- describing changes ---------------------------------------------------------------------


def _arrow(old: str | None, new: str | None) -> Line:
    return [("old", old if old is not None else "(none)"), ("", " → "), ("new", new if new is not None else "(none)")]


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
            return path + [("+", detail.new_value)] + [("dim", "  (added)")]
        if detail.new_value is None:
            return path + [("-", detail.old_value)] + [("dim", "  (removed)")]
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
        head = "reworded" if change.what == "article" else "reading reworded"
        return [[("", head)], _marked(change.edits)]
    if isinstance(change, ArticleStatusChanged):
        lines = [[("", "status  ")] + _arrow(change.old_status, change.new_status)]
        if change.old_reason != change.new_reason:
            lines.append([("dim", "reason: ")] + _arrow(change.old_reason, change.new_reason))
        return lines
    if isinstance(change, (Added, Removed)):
        verb, tag = ("added", "+") if isinstance(change, Added) else ("removed", "-")
        what = _WHAT.get(change.what, change.what)
        if change.what in ("article", "interpretation"):
            status = f" ({change.status})" if change.what == "article" else ""
            return [[("", f"{what} {verb}{status}")], [(tag, change.text)]]
        return [[("", f"{what} "), ("name", change.name), ("", f" {verb}")], [(tag, change.text)]]
    if isinstance(change, Changed):
        name: Line = [("name", change.new_name)]
        if change.renamed:
            name = [("name", change.old_name), ("", " → "), ("name", change.new_name)]
        return [[("", f"{_WHAT.get(change.what, change.what)} ")] + name + [("", " changed")]] + \
               [_detail(d) for d in change.details]
    if isinstance(change, ZoneMoved):
        if change.old_zone is None:
            return [[("name", change.member), ("", " added to "), ("new", change.new_zone)]]
        if change.new_zone is None:
            return [[("name", change.member), ("", " removed from "), ("old", change.old_zone)]]
        return [[("name", change.member), ("", " moved ")] + _arrow(change.old_zone, change.new_zone)]
    if isinstance(change, PrecedenceChanged):
        line: Line = [("", f"{change.clause}: ")]
        for i, (op, old, new) in enumerate(change.entries):
            if i:
                line.append(("dim", " > " if change.clause == "precedence" else ", "))
            if op == "=":
                line.append(("", new))
                if old != new:
                    line.append(("dim", f" (was {old})"))
            else:
                line.append((op, old if op == "-" else new))
        return [line]
    return [[("", repr(change))]]


def summary_line(change) -> Line:
    """A change on one line, as a blamed cause is shown."""
    lines = describe(change)
    head = list(lines[0])
    if isinstance(change, ZoneMoved):
        head = [("", f"zones {change.zones}: ")] + head
    if isinstance(change, (Added, Removed)):
        return head
    for i, line in enumerate(lines[1:]):
        head += [("", ": " if i == 0 else "; ")] + line
    return head


def summary_text(change) -> str:
    return _plain(summary_line(change))


def _plain(line: Line) -> str:
    marks = {"-": ("[-", "-]"), "+": ("{+", "+}")}
    return "".join(marks.get(tag, ("", ""))[0] + text + marks.get(tag, ("", ""))[1] for tag, text in line)


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


def counts(diff: PlanDiff) -> Counter:
    return Counter(type(c).__name__ for c in diff)


def tally(diff: PlanDiff) -> str:
    """`5 articles reworded, 2 rules changed, 1 zone move` for the report's headline."""
    words: Counter = Counter()
    for change in diff:
        if isinstance(change, HeaderChanged):
            words["header field|changed"] += 1
        elif isinstance(change, ZoneMoved):
            words["zone move|"] += 1
        elif isinstance(change, PrecedenceChanged):
            words[f"{change.clause} list|changed"] += 1
        elif isinstance(change, ArticleStatusChanged):
            words["article status|changed"] += 1
        else:
            verb = {Added: "added", Removed: "removed", Changed: "changed", Reworded: "reworded"}
            kind = next(v for cls, v in verb.items() if isinstance(change, cls))
            words[f"{_WHAT.get(change.what, change.what)}|{kind}"] += 1
    parts = []
    for key, n in words.items():
        noun, verb = key.split("|")
        parts.append(f"{n} {noun}{'s' if n > 1 and not noun.endswith('s') else ''}{' ' + verb if verb else ''}")
    return ", ".join(parts)


# ---- text ---------------------------------------------------------------------------------------

_STYLES = {"-": "red strike", "+": "green bold", "old": "red", "new": "green", "dim": "dim", "name": "bold"}
_MARKS = {"-": ("[-", "-]"), "+": ("{+", "+}")}


def _text(line: Line, indent: int = 0) -> Text:
    out = Text(" " * indent)
    for tag, text in line:
        before, after = _MARKS.get(tag, ("", ""))
        out.append(before + text + after, style=_STYLES.get(tag, ""))
    return out


def _stamp(label: str, side) -> Text:
    return Text(f"  {label}  {side.path}\n       plan {side.id} · version {side.version or '—'} · sha256 {side.sha256[:16]}…")


def _diff_parts(diff: PlanDiff) -> list:
    parts: list = [Text("policy diff", style="bold"), _stamp("old", diff.old), _stamp("new", diff.new)]
    if not diff:
        parts.append(Text("\nno changes: the two versions are equivalent", style="green"))
        return parts
    parts.append(Text(f"\n{len(diff)} change(s): {tally(diff)}", style="bold"))
    for title, changes in groups(diff):
        parts.append(Text("\n" + title, style="bold cyan"))
        for change in changes:
            lines = describe(change)
            parts.append(_text(lines[0], 2))
            parts += [_text(line, 6) for line in lines[1:]]
    return parts


def _side_rows(old: Side, new: Side, labels: dict) -> list[tuple[str, str, str]]:
    def rule(side: Side) -> str:
        return f"{side.rule} ({side.article})" if side.rule else "— (otherwise)" if side.outcome != "undetermined" else "—"

    def pairs(items) -> str:
        return "\n".join(f"{k} = {show_share(k, v, labels)}" for k, v in items if not isinstance(v, (dict, list))) or "—"

    rows = [("outcome", old.outcome, new.outcome), ("decided by", rule(old), rule(new)),
            ("reason", old.reason or "—", new.reason or "—"), ("terms", pairs(old.terms), pairs(new.terms)),
            ("read", pairs(old.key_values), pairs(new.key_values))]
    if old.missing or new.missing:
        rows.append(("missing", ", ".join(old.missing) or "—", ", ".join(new.missing) or "—"))
    return rows


def _who(r: Replayed, labels: dict) -> str:
    bits = [f"line {r.line}", r.applicant or "(no id)"]
    bits += [show(v, labels) for v in (r.district, r.category) if v]
    return " · ".join(bits)


def _transition(old: str, new: str) -> str:
    return f"{old} → {new}" + ("  (same outcome, decided otherwise)" if old == new else "")


def undetermined_text(report: PopulationReport) -> str | None:
    """How many lines neither version could decide, and what they lack: without it, "0 decided
    differently" would read as agreement when nothing was decided (no --registry given)."""
    counts = report.undetermined
    if not counts.get("old") and not counts.get("new"):
        return None
    text = (f"{counts['both']} undetermined under both versions ({counts['old']} under the old, "
            f"{counts['new']} under the new)")
    if report.decided and counts["both"] == report.decided:
        text = "nothing decided: " + text
    if report.missing:
        top = sorted(report.missing.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        text += "; they lack " + ", ".join(f"{path} ({n})" for path, n in top)
        hints = [flag for flag, wanted in (("--registry REG.csv", "registry" in report.missing),
                                           ("--context CITY.json", any(p.startswith("city.") for p in report.missing)))
                 if wanted]
        if hints:
            text += " (give " + " or ".join(hints) + ")"
    return text


def _population_parts(report: PopulationReport, examples: int) -> list:
    labels = report.labels
    head = (f"\npopulation  {report.path}: {report.decided} line(s) decided under both versions, "
            f"{len(report.changed)} decided differently ({len(report.flipped)} outcome flip(s))")
    if report.errors:
        head += f", {len(report.errors)} bad line(s)"
    parts: list = [Text(head, style="bold")]
    if (undecided := undetermined_text(report)) is not None:
        parts.append(Text(undecided, style="yellow"))
    if report.changed:
        table = Table(box=None, padding=(0, 2), show_edge=False)
        table.add_column("old → new")
        table.add_column("lines", justify="right")
        for (old, new), n in sorted(report.transitions().items(), key=lambda kv: (-kv[1], kv[0])):
            table.add_row(Text(_transition(old, new)), str(n))
        parts.append(table)
        for key, totals in (("district", report.districts), ("category", report.categories)):
            by = report.by(key)
            table = Table(box=None, padding=(0, 2), show_edge=False, title_justify="left")
            table.add_column(f"by {key}")
            table.add_column("decided", justify="right")
            table.add_column("changed", justify="right")
            table.add_column("how")
            for name in sorted(by, key=lambda n: (-sum(by[n].values()), n)):
                how = ", ".join(f"{o} → {n} {k}" for (o, n), k in sorted(by[name].items()))
                table.add_row(Text(show(name, labels)), str(totals.get(name, 0)), str(sum(by[name].values())), Text(how))
            parts += [Text(""), table]
    if report.errors:
        parts.append(Text("\nbad lines", style="bold red"))
        for e in report.errors:
            side = "" if e.side == "both" else f" (under the {e.side} version only)"
            who = f" {e.applicant}" if e.applicant else ""
            parts.append(Text(f"  line {e.line}{who}: error[{e.code}]: {e.text}{side}"))
    for i, r in enumerate(report.examples(examples), 1):
        parts.append(Text(f"\nexample {i}  {_who(r, labels)}", style="bold"))
        table = Table(show_header=True, header_style="bold", padding=(0, 1))
        table.add_column("")
        table.add_column("old", overflow="fold")
        table.add_column("new", overflow="fold")
        for label, old, new in _side_rows(r.old, r.new, labels):
            table.add_row(label, Text(old), Text(new))  # Text: no rich markup in plan texts
        parts.append(table)
        for cause in r.causes:
            parts.append(_text([("", "  caused by: ")] + summary_line(cause)))
        shown = [(n, o, v) for n, o, v in r.values_differ if not isinstance(o, (dict, list))]
        if shown:
            parts.append(Text("  values differ: " + "; ".join(f"{n} {show(o, labels)} → {show(v, labels)}"
                                                            for n, o, v in shown)))
        if not r.causes and not shown:
            parts.append(Text("  no change of the diff explains it directly: compare the values read above"))
    return parts


def diff_to_text(diff: PlanDiff, report: PopulationReport | None = None, width: int = 100,
                 color: bool = False, examples: int = 3) -> str:
    parts = _diff_parts(diff)
    if report is not None:
        parts += _population_parts(report, examples)
    buffer = StringIO()
    console = Console(file=buffer, width=width, color_system="standard" if color else None,
                      force_terminal=color, highlight=False, emoji=False)
    console.print(Group(*parts))
    return buffer.getvalue()


# ---- JSON --------------------------------------------------------------------------------------


def _where(span: Span) -> str | None:
    return str(span) if span.line else None


def record_to_json(record) -> dict[str, Any]:
    out: dict[str, Any] = {"change": type(record).__name__}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if isinstance(value, Span):
            out[f.name.replace("_span", "_at")] = _where(value)
        elif f.name == "details":
            out["details"] = [record_to_json(d) for d in value]
        elif f.name in ("edits", "entries"):
            out[f.name] = [list(e) for e in value]
        elif isinstance(value, tuple):
            out[f.name] = list(value)
        else:
            out[f.name] = value
    return out


def _side_json(side: Side) -> dict[str, Any]:
    return {"outcome": side.outcome,
            "decided_by": {"rule": side.rule, "article": side.article} if side.rule else None,
            "reason": side.reason, "terms": {k: jsonable(v) for k, v in side.terms},
            "key_values": {k: jsonable(v) for k, v in side.key_values}, "missing": list(side.missing)}


def replayed_to_json(r: Replayed) -> dict[str, Any]:
    return {"line": r.line, "applicant": r.applicant, "district": r.district, "category": r.category,
            "flipped": r.flipped, "old": _side_json(r.old), "new": _side_json(r.new),
            "values_differ": {n: {"old": jsonable(o), "new": jsonable(v)} for n, o, v in r.values_differ},
            "caused_by": [{"change": type(c).__name__, "name": getattr(c, "name", None) or getattr(c, "member", None)
                           or getattr(c, "decision", None), "article": getattr(c, "article", None),
                           "summary": summary_text(c)} for c in r.causes]}


def _transitions_json(counter: Counter) -> list[dict[str, Any]]:
    return [{"old": o, "new": n, "lines": k} for (o, n), k in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


def population_to_json(report: PopulationReport, examples: int = 3) -> dict[str, Any]:
    def breakdown(key: str, totals: dict) -> dict[str, Any]:
        by = report.by(key)
        return {name: {"decided": totals.get(name, 0), "changed": sum(by.get(name, Counter()).values()),
                       "transitions": _transitions_json(by.get(name, Counter()))} for name in sorted(totals)}

    return {"file": report.path, "decided": report.decided, "changed": len(report.changed),
            "flipped": len(report.flipped), "bad_lines": len(report.errors),
            "undetermined": {**report.undetermined, "missing": [
                {"path": path, "lines": n} for path, n in sorted(report.missing.items(), key=lambda kv: (-kv[1], kv[0]))]},
            "transitions": _transitions_json(report.transitions()),
            "by_district": breakdown("district", report.districts),
            "by_category": breakdown("category", report.categories),
            "examples": [r.line for r in report.examples(examples)],
            "lines": [replayed_to_json(r) for r in report.changed],
            "errors": [dataclasses.asdict(e) for e in report.errors]}


def diff_to_json(diff: PlanDiff, report: PopulationReport | None = None, examples: int = 3) -> dict[str, Any]:
    out: dict[str, Any] = {"old": dataclasses.asdict(diff.old), "new": dataclasses.asdict(diff.new),
                           "equivalent": not diff, "counts": dict(sorted(counts(diff).items())),
                           "changes": [record_to_json(c) for c in diff]}
    if report is not None:
        out["population"] = population_to_json(report, examples)
    return out


# ---- Markdown ----------------------------------------------------------------------------------

_MD = {"-": ("<del>", "</del>"), "+": ("<ins>", "</ins>"), "old": ("`", "`"), "new": ("`", "`"),
       "name": ("**", "**"), "dim": ("*", "*")}


def _md(line: Line) -> str:
    out = []
    for tag, text in line:
        text = text.replace("|", "\\|").replace("\n", " ")
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


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def diff_to_markdown(diff: PlanDiff, report: PopulationReport | None = None, examples: int = 3) -> str:
    old, new = diff.old, diff.new
    out = [f"# Plan diff: `{old.id}` {old.version} → `{new.id}` {new.version}", "",
           "| | Old | New |", "|---|---|---|",
           f"| File | `{old.path}` | `{new.path}` |", f"| Plan | `{old.id}` | `{new.id}` |",
           f"| Version | {old.version or '—'} | {new.version or '—'} |",
           f"| sha256 | `{old.sha256[:16]}…` | `{new.sha256[:16]}…` |", ""]
    if not diff:
        out += ["No changes: the two versions are equivalent.", ""]
    else:
        out += [f"{len(diff)} change(s): {tally(diff)}", ""]
        for title, changes in groups(diff):
            out += [f"## {title}", ""]
            for change in changes:
                lines = describe(change)
                out.append(f"- {_md(lines[0])}")
                out += [f"  - {_md(line)}" for line in lines[1:]]
            out.append("")
    if report is not None:
        out += _population_markdown(report, examples)
    return "\n".join(out).rstrip() + "\n"


def _population_markdown(report: PopulationReport, examples: int) -> list[str]:
    labels = report.labels
    out = ["## Whom it changes", "",
           f"`{report.path}`: {report.decided} line(s) decided under both versions, {len(report.changed)} decided "
           f"differently ({len(report.flipped)} outcome flip(s)), {len(report.errors)} bad line(s).", ""]
    if (undecided := undetermined_text(report)) is not None:
        out += [f"**{undecided[0].upper() + undecided[1:]}.**", ""]
    if report.changed:
        out += ["| Old → new | Lines |", "|---|---:|"]
        out += [f"| {_transition(o, n)} | {k} |" for (o, n), k in
                sorted(report.transitions().items(), key=lambda kv: (-kv[1], kv[0]))]
        for key, totals in (("district", report.districts), ("category", report.categories)):
            by = report.by(key)
            out += ["", f"| By {key} | Decided | Changed | How |", "|---|---:|---:|---|"]
            for name in sorted(by, key=lambda n: (-sum(by[n].values()), n)):
                how = ", ".join(f"{o} → {n} {k}" for (o, n), k in sorted(by[name].items()))
                out.append(f"| {show(name, labels)} | {totals.get(name, 0)} | {sum(by[name].values())} | {how} |")
        out.append("")
    if report.errors:
        out += ["### Bad lines", ""]
        out += [f"- line {e.line}{' (' + e.applicant + ')' if e.applicant else ''}: `{e.code}` {e.text}"
                + ("" if e.side == "both" else f" (under the {e.side} version only)") for e in report.errors]
        out.append("")
    for i, r in enumerate(report.examples(examples), 1):
        out += [f"### Example {i}: {_who(r, labels)}", "", "| | Old | New |", "|---|---|---|"]
        out += [f"| {label} | {_md_cell(o)} | {_md_cell(n)} |" for label, o, n in _side_rows(r.old, r.new, labels)]
        out.append("")
        out += [f"- Caused by: {_md(summary_line(c))}" for c in r.causes]
        shown = [(n, o, v) for n, o, v in r.values_differ if not isinstance(o, (dict, list))]
        if shown:
            out.append("- Values differ: " + "; ".join(f"{n} `{show(o, labels)}` → `{show(v, labels)}`" for n, o, v in shown))
        out.append("")
    return out


__all__ = ["describe", "diff_to_json", "diff_to_markdown", "diff_to_text", "groups", "record_to_json",
           "summary_line", "summary_text", "tally", "undetermined_text"]
