"""A Markdown record of one decision, fit to file with the case."""
from __future__ import annotations

from typing import Sequence

from engine.trace import Explanation, Step

from .values import MISSING_HINTS, STATUS_WORDS, show, show_read, show_share


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _quote(step: Step) -> list[str]:
    lines = []
    for article in step.articles:
        lines.append(f"> **{article.id}** {article.text}")
        lines.append(">")
        for reading in article.readings:
            lines.append(f"> *Reading:* {reading}")
            lines.append(">")
    return lines[:-1] if lines else lines


def explanation_to_markdown(result: Explanation, warnings: Sequence[str] = ()) -> str:
    """The case-file document; `warnings` (one line each, `file:line:col: warning[…]: …`) are
    what the input said that the plan could not use, shown under the outcome."""
    labels = result.labels
    stamp = result.plan
    out = [
        f"# Decision {result.decision}: `{result.outcome}`",
        "",
        "| | |", "|---|---|",
        f"| Applicant | {result.applicant_id or '—'} |",
        f"| As of | {result.as_of or '—'} |",
        f"| Plan | {_cell(stamp.title)} (`{stamp.id}`, version {stamp.version}) |",
        f"| Plan sha256 | `{stamp.sha256}` |",
        *([f"| Source sha256 | `{stamp.source_sha256}` |"] if stamp.source_sha256 else []),
        *(f"| Notice | {_cell(n)} |" for n in result.notices),
        f"| Outcome | **{result.outcome}**{' — ' + _cell(result.reason) if result.reason else ''} |",
    ]
    for name, value in result.terms:
        out.append(f"| {name} | {show_share(name, value, labels)} |")
    for step in result.priorities:
        out.append(f"| Priority | {step.reason} ({step.articles[0].id}) |")
    for step in result.steering:
        out.append(f"| Steering ({step.concludes}) | {step.reason} ({step.articles[0].id}) |")
    for step in result.priorities_unknown:
        out.append(f"| Priority unknown | {step.reason} ({step.articles[0].id}; absent: {', '.join(step.missing)}) |")
    if warnings:
        out += ["", "## Warnings", ""] + [f"- {_cell(w)}" for w in warnings]
    out += ["", "## Why", "", result.why, ""]
    if result.decided_by is not None:
        step = result.decided_by
        out += [f"Decided by rule **{step.name}** ({step.rule_kind}):", ""] + _quote(step) + [""]
        if step.reads or step.uses:
            out += ["| Read | Value |", "|---|---|"]
            out += [f"| `{p}` | {_cell(show_read(p, v, labels))} |" for p, v in step.reads]
            out += [f"| {n} | {_cell(show(v, labels))} |" for n, v in step.uses]
            out.append("")
    if result.missing:
        out += ["## Missing facts", ""] + [f"- `{p}`" + (f": {MISSING_HINTS[p]}" if p in MISSING_HINTS else "")
                                           for p in result.missing] + [""]
    out += ["## Every rule, in order of precedence", "", "| Rule | Kind | Article | Result | Read |", "|---|---|---|---|---|"]
    for step in result.steps:
        if step.kind != "rule":
            continue
        reads = "; ".join(f"`{p}` = {show_read(p, v, labels)}" for p, v in step.reads)
        reads += ("; " if reads and step.uses else "") + "; ".join(f"{n} = {show(v, labels)}" for n, v in step.uses)
        out.append(f"| {step.name} | {step.rule_kind} | {', '.join(a.id for a in step.articles)} | "
                   f"{STATUS_WORDS.get(step.status, step.status)} | {_cell(reads)} |")
    defines = [s for s in result.steps if s.kind == "define"]
    if defines:
        out += ["", "## Values computed", "", "| Value | Result | Article | From |", "|---|---|---|---|"]
        for step in defines:
            src = "; ".join(f"`{p}` = {show_read(p, v, labels)}" for p, v in step.reads)
            src += ("; " if src and step.uses else "") + "; ".join(f"{n} = {show(v, labels)}" for n, v in step.uses)
            out.append(f"| {step.name} | {show(step.value, labels) if not step.missing else 'absent'} | "
                       f"{', '.join(a.id for a in step.articles)} | {_cell(src)} |")
    readings = result.readings()
    if readings:
        out += ["", "## Readings taken", ""] + [f"- **{a}**: {t}" for a, t in readings]
    return "\n".join(out) + "\n"
