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

from i18n import N_
from i18n import gettext as _
from i18n.diagnostics import translate_message

from .diff_describe import markdown_cell, markdown_line, summary_line, summary_text, text_line
from .values import jsonable, show, show_share


_BY = {"district": N_("by district"), "category": N_("by category")}
_BY_MD = {"district": N_("By district"), "category": N_("By category")}


def _only(side: str) -> str:
    """` (under the old version only)` after a line only one version refused."""
    if side == "both":
        return ""
    return " (" + (_("under the old version only") if side == "old" else _("under the new version only")) + ")"


def _side_rows(old: Side, new: Side, labels: dict) -> list[tuple[str, str, str]]:
    def rule(side: Side) -> str:
        return (f"{side.rule} ({side.article})" if side.rule else "— (" + _("otherwise") + ")"
                if side.outcome != "undetermined" else "—")

    def pairs(items) -> str:
        return "\n".join(f"{k} = {show_share(k, v, labels)}" for k, v in items if not isinstance(v, (dict, list))) or "—"

    rows = [(_("outcome"), old.outcome, new.outcome), (_("decided by"), rule(old), rule(new)),
            (_("reason"), old.reason or "—", new.reason or "—"), (_("terms"), pairs(old.terms), pairs(new.terms)),
            (_("read"), pairs(old.key_values), pairs(new.key_values))]
    if old.missing or new.missing:
        rows.append((_("missing"), ", ".join(old.missing) or "—", ", ".join(new.missing) or "—"))
    return rows


def _who(r: Replayed, labels: dict) -> str:
    bits = [_("line {line}").format(line=r.line), r.applicant or _("(no id)")]
    bits += [show(v, labels) for v in (r.district, r.category) if v]
    return " · ".join(bits)


def _transition(old: str, new: str) -> str:
    return f"{old} → {new}" + ("  " + _("(same outcome, decided otherwise)") if old == new else "")


def undetermined_text(report: PopulationReport) -> str | None:
    """How many lines neither version could decide, and what they lack: without it, "0 decided
    differently" would read as agreement when nothing was decided (no --registry given)."""
    counts = report.undetermined
    if not counts.get("old") and not counts.get("new"):
        return None
    text = _("{both} undetermined under both versions ({old} under the old, {new} under the new)").format(
        both=counts["both"], old=counts["old"], new=counts["new"])
    if report.decided and counts["both"] == report.decided:
        text = _("nothing decided: {text}").format(text=text)
    if report.missing:
        top = sorted(report.missing.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        text += _("; they lack {facts}").format(facts=", ".join(f"{path} ({n})" for path, n in top))
        hints = [flag for flag, wanted in (("--registry REG.csv", "registry" in report.missing),
                                           ("--context CITY.json", any(p.startswith("city.") for p in report.missing)))
                 if wanted]
        if hints:
            text += _(" (give {options})").format(options=_(" or ").join(hints))
    return text


def population_parts(report: PopulationReport, examples: int) -> list:
    labels = report.labels
    head = "\n" + _("population  {file}: {decided} line(s) decided under both versions, {changed} decided "
                     "differently ({flipped} outcome flip(s))").format(
        file=report.path, decided=report.decided, changed=len(report.changed), flipped=len(report.flipped))
    if report.errors:
        head += _(", {count} bad line(s)").format(count=len(report.errors))
    parts: list = [Text(head, style="bold")]
    if (undecided := undetermined_text(report)) is not None:
        parts.append(Text(undecided, style="yellow"))
    if report.changed:
        table = Table(box=None, padding=(0, 2), show_edge=False)
        table.add_column(_("old → new"))
        table.add_column(_("lines"), justify="right")
        for (old, new), n in sorted(report.transitions().items(), key=lambda kv: (-kv[1], kv[0])):
            table.add_row(Text(_transition(old, new)), str(n))
        parts.append(table)
        for key, totals in (("district", report.districts), ("category", report.categories)):
            by = report.by(key)
            table = Table(box=None, padding=(0, 2), show_edge=False, title_justify="left")
            table.add_column(_(_BY[key]))
            table.add_column(_("decided"), justify="right")
            table.add_column(_("changed"), justify="right")
            table.add_column(_("how"))
            for name in sorted(by, key=lambda n: (-sum(by[n].values()), n)):
                how = ", ".join(f"{o} → {n} {k}" for (o, n), k in sorted(by[name].items()))
                table.add_row(Text(show(name, labels)), str(totals.get(name, 0)), str(sum(by[name].values())), Text(how))
            parts += [Text(""), table]
    if report.errors:
        parts.append(Text("\n" + _("bad lines"), style="bold red"))
        for e in report.errors:
            who = f" {e.applicant}" if e.applicant else ""
            parts.append(Text("  " + _("line {line}").format(line=e.line) + f"{who}: " + _("error") + f"[{e.code}]: "
                              + f"{translate_message(e.code, e.text)}{_only(e.side)}"))
    for i, r in enumerate(report.examples(examples), 1):
        parts.append(Text("\n" + _("example {number}").format(number=i) + f"  {_who(r, labels)}", style="bold"))
        table = Table(show_header=True, header_style="bold", padding=(0, 1))
        table.add_column("")
        table.add_column(_("old"), overflow="fold")
        table.add_column(_("new"), overflow="fold")
        for label, old, new in _side_rows(r.old, r.new, labels):
            table.add_row(label, Text(old), Text(new))  # Text: no rich markup in plan texts
        parts.append(table)
        for cause in r.causes:
            parts.append(text_line([("", "  " + _("caused by: "))] + summary_line(cause)))
        shown = [(n, o, v) for n, o, v in r.values_differ if not isinstance(o, (dict, list))]
        if shown:
            parts.append(Text("  " + _("values differ: ") + "; ".join(f"{n} {show(o, labels)} → {show(v, labels)}"
                                                            for n, o, v in shown)))
        if not r.causes and not shown:
            parts.append(Text("  " + _("no change of the diff explains it directly: compare the values read above")))
    return parts


def _side_json(side: Side) -> dict[str, Any]:
    return {"outcome": side.outcome,
            "decided_by": {"rule": side.rule, "article": side.article} if side.rule else None,
            "reason": side.reason, "terms": {k: jsonable(v) for k, v in side.terms},
            "key_values": {k: jsonable(v) for k, v in side.key_values}, "missing": list(side.missing)}


def replayed_to_json(r: Replayed) -> dict[str, Any]:
    summaries = [summary_text(c, translate=False) for c in r.causes]  # JSON values are the same in both languages
    return {"line": r.line, "applicant": r.applicant, "district": r.district, "category": r.category,
            "flipped": r.flipped, "old": _side_json(r.old), "new": _side_json(r.new),
            "values_differ": {n: {"old": jsonable(o), "new": jsonable(v)} for n, o, v in r.values_differ},
            "caused_by": [{"change": type(c).__name__, "name": getattr(c, "name", None) or getattr(c, "member", None)
                           or getattr(c, "decision", None), "article": getattr(c, "article", None),
                           "summary": summary} for c, summary in zip(r.causes, summaries)]}


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
    out = ["## " + _("Whom it changes"), "",
           _("{file}: {decided} line(s) decided under both versions, {changed} decided differently "
             "({flipped} outcome flip(s)), {bad} bad line(s).").format(
               file=f"`{report.path}`", decided=report.decided, changed=len(report.changed),
               flipped=len(report.flipped), bad=len(report.errors)), ""]
    if (undecided := undetermined_text(report)) is not None:
        out += ["**" + _("{sentence}.").format(sentence=undecided[0].upper() + undecided[1:]) + "**", ""]
    if report.changed:
        out += [f"| {_('Old → new')} | {_('Lines')} |", "|---|---:|"]
        out += [f"| {_transition(o, n)} | {k} |" for (o, n), k in
                sorted(report.transitions().items(), key=lambda kv: (-kv[1], kv[0]))]
        for key, totals in (("district", report.districts), ("category", report.categories)):
            by = report.by(key)
            out += ["", f"| {_(_BY_MD[key])} | {_('Decided')} | {_('Changed')} | {_('How')} |", "|---|---:|---:|---|"]
            for name in sorted(by, key=lambda n: (-sum(by[n].values()), n)):
                how = ", ".join(f"{o} → {n} {k}" for (o, n), k in sorted(by[name].items()))
                out.append(f"| {show(name, labels)} | {totals.get(name, 0)} | {sum(by[name].values())} | {how} |")
        out.append("")
    if report.errors:
        out += ["### " + _("Bad lines"), ""]
        out += ["- " + _("line {line}").format(line=e.line) + f"{' (' + e.applicant + ')' if e.applicant else ''}: "
                f"`{e.code}` {translate_message(e.code, e.text)}" + _only(e.side) for e in report.errors]
        out.append("")
    for i, r in enumerate(report.examples(examples), 1):
        out += ["### " + _("Example {number}: {who}").format(number=i, who=_who(r, labels)), "",
                f"| | {_('Old')} | {_('New')} |", "|---|---|---|"]
        out += [f"| {label} | {markdown_cell(o)} | {markdown_cell(n)} |" for label, o, n in _side_rows(r.old, r.new, labels)]
        out.append("")
        out += ["- " + _("Caused by: {change}").format(change=markdown_line(summary_line(c))) for c in r.causes]
        shown = [(n, o, v) for n, o, v in r.values_differ if not isinstance(o, (dict, list))]
        if shown:
            out.append("- " + _("Values differ: ") + "; ".join(f"{n} `{show(o, labels)}` → `{show(v, labels)}`" for n, o, v in shown))
        out.append("")
    return out
