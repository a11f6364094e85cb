"""A population replayed under two plan versions (`policy diff --population`), in text, JSON
and Markdown: who was decided differently, by district and category, with examples and causes,
and how many lines neither version could decide."""
from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

from rich.table import Table
from rich.text import Text

from engine.diff.population import PopulationReport, Replayed, Side

from .diff_describe import markdown_cell, markdown_line, summary_line, summary_text, text_line
from .values import jsonable, show, show_share


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


def population_parts(report: PopulationReport, examples: int) -> list:
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
            parts.append(text_line([("", "  caused by: ")] + summary_line(cause)))
        shown = [(n, o, v) for n, o, v in r.values_differ if not isinstance(o, (dict, list))]
        if shown:
            parts.append(Text("  values differ: " + "; ".join(f"{n} {show(o, labels)} → {show(v, labels)}"
                                                            for n, o, v in shown)))
        if not r.causes and not shown:
            parts.append(Text("  no change of the diff explains it directly: compare the values read above"))
    return parts


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


def population_markdown(report: PopulationReport, examples: int) -> list[str]:
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
        out += [f"| {label} | {markdown_cell(o)} | {markdown_cell(n)} |" for label, o, n in _side_rows(r.old, r.new, labels)]
        out.append("")
        out += [f"- Caused by: {markdown_line(summary_line(c))}" for c in r.causes]
        shown = [(n, o, v) for n, o, v in r.values_differ if not isinstance(o, (dict, list))]
        if shown:
            out.append("- Values differ: " + "; ".join(f"{n} `{show(o, labels)}` → `{show(v, labels)}`" for n, o, v in shown))
        out.append("")
    return out
