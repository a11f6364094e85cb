"""Views of a plan diff (and its population replay): rich text, JSON, Markdown.

Every change is described once (render/diff_describe.py); this module lays the report out
per format, article by article: the plan header first, then each article with its wording,
readings, definitions and rules, then zones, vocabulary, inputs and decisions. The population
replay's part of the report is render/diff_population.py.
"""
from __future__ import annotations

import dataclasses
from io import StringIO
from typing import Any

from rich.console import Console, Group
from rich.text import Text

from dsl.spans import Span
from engine.diff.population import PopulationReport
from engine.diff.structural import PlanDiff

from .diff_describe import counts, describe, groups, markdown_line, tally, text_line
from .diff_population import population_markdown, population_parts, population_to_json


# ---- text ---------------------------------------------------------------------------------------

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
            parts.append(text_line(lines[0], 2))
            parts += [text_line(line, 6) for line in lines[1:]]
    return parts


def diff_to_text(diff: PlanDiff, report: PopulationReport | None = None, width: int = 100,
                 color: bool = False, examples: int = 3) -> str:
    parts = _diff_parts(diff)
    if report is not None:
        parts += population_parts(report, examples)
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


def diff_to_json(diff: PlanDiff, report: PopulationReport | None = None, examples: int = 3) -> dict[str, Any]:
    out: dict[str, Any] = {"old": dataclasses.asdict(diff.old), "new": dataclasses.asdict(diff.new),
                           "equivalent": not diff, "counts": dict(sorted(counts(diff).items())),
                           "changes": [record_to_json(c) for c in diff]}
    if report is not None:
        out["population"] = population_to_json(report, examples)
    return out


# ---- Markdown ----------------------------------------------------------------------------------

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
                out.append(f"- {markdown_line(lines[0])}")
                out += [f"  - {markdown_line(line)}" for line in lines[1:]]
            out.append("")
    if report is not None:
        out += population_markdown(report, examples)
    return "\n".join(out).rstrip() + "\n"


__all__ = ["diff_to_json", "diff_to_markdown", "diff_to_text", "record_to_json"]
