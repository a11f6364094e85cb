"""Views of the year's quota table (`policy quota`): text for the terminal, JSON, Markdown.

Every figure shows where it comes from, as `explain` does: the branch taken and the ones
tried before it with the values they read, the number's formula with its values, the
definitions computed on the way (each with its article), and the articles quoted with the
readings the plan takes of them.
"""
from __future__ import annotations

from typing import Any

from engine.allocation.quotas import QuotaRow, QuotaTable
from engine.compile.plan import PlanStamp

from i18n import N_, language
from i18n import gettext as _

from .values import jsonable, show

_STATUS = {"number": "", "none": N_("no number"), "review": N_("not decided by the plan: review"),
           "undetermined": N_("undetermined: statistics absent"), "error": N_("error")}
_HOLDS = {True: N_("holds"), False: N_("does not hold"), None: N_("cannot be told")}


def _values(pairs) -> str:
    return ", ".join(f"{k} = {show(v)}" for k, v in pairs if v is not None)


def figure(row: QuotaRow) -> str:
    """The quota as a phrase: `600 bed`, `no number`, `review`."""
    if row.status == "number":
        return f"{show(row.value)} {row.unit}"
    return _(_STATUS[row.status])


def _groups(table: QuotaTable) -> list[tuple[str, list[list[QuotaRow]]]]:
    """Rows by quota, then by region (one region's categories share their number)."""
    out: dict[str, dict[str, list[QuotaRow]]] = {}
    for row in table.rows:
        out.setdefault(row.quota, {}).setdefault(row.region, []).append(row)
    return [(name, list(regions.values())) for name, regions in out.items()]


def _categories(rows: list[QuotaRow]) -> str:
    return ", ".join(f"{r.category_label or r.category}" for r in rows)


# ---- text

def table_to_text(table: QuotaTable, stamp: PlanStamp) -> str:
    lines = [_("quotas of plan {id} (version {version}, sha256 {sha256}…)").format(
        id=stamp.id, version=stamp.version, sha256=stamp.sha256[:12]), ""]
    for name, regions in _groups(table):
        first = regions[0][0]
        lines.append(_("quota {name}").format(name=name) + (f" “{first.label}”" if first.label else "") + f"  [{first.unit}]")
        for article in first.articles:
            lines.append("  " + _("article {id}: “{text}”").format(id=article.id, text=article.text))
            lines += ["    " + _("reading: {text}").format(text=reading.in_language(language()))
                      for reading in article.readings]
        for rows in regions:
            row = rows[0]
            lines.append(f"  {row.region} ({', '.join(row.districts)}) · {_categories(rows)}: {figure(row)}")
            for tried in row.tried:
                mark = _(_HOLDS[tried.holds])
                values = _values((*tried.uses, *tried.reads))
                lines.append("    " + _("when {condition} (line {line}): {mark}").format(
                    condition=tried.condition, line=tried.line, mark=mark) + (f" [{values}]" if values else ""))
            if row.status in ("number", "error") and row.formula:
                lines.append(f"    = {row.formula}" + (f" = {show(row.value)}" if row.value is not None else "")
                             + (f" [{_values((*row.uses, *row.reads))}]" if row.uses or row.reads else ""))
            if row.split:
                s = row.split
                lines.append("    " + _("split: {total} × {weight} ÷ {sum} (Σ {by} over {regions})").format(
                    total=show(s["total"]), weight=show(s["weight"]), sum=show(s["weight_sum"]), by=s["by"],
                    regions=", ".join(s["regions"])))
            if row.reason:
                lines.append(f"    “{row.reason}”")
            for step in row.steps:
                cites = ", ".join(a.id for a in step.articles)
                value = show(step.value) if step.value is not None else _("absent")
                used = _values((*step.uses, *step.reads)) if not isinstance(step.value, dict) else ""
                lines.append(f"    · {step.name} = {value}" + (f" ({cites})" if cites else "") + (f" [{used}]" if used else ""))
            if row.missing:
                lines.append("    " + _("absent: {names}").format(names=", ".join(row.missing)))
            if row.problem:
                lines.append("    " + _("error: {problem}").format(problem=row.problem))
        lines.append("")
    return "\n".join(lines)


# ---- JSON

def _article(article) -> dict[str, Any]:
    return {"id": article.id, "text": article.text}


def row_to_json(row: QuotaRow) -> dict[str, Any]:
    tried = [{"branch": t.index, "line": t.line, "when": t.condition, "holds": t.holds,
              "reads": {k: jsonable(v) for k, v in t.reads}, "uses": {k: jsonable(v) for k, v in t.uses}}
             for t in row.tried]
    return {
        "region": row.region, "districts": list(row.districts), "category": row.category,
        "category_label": row.category_label, "quota": jsonable(row.value) if row.status == "number" else None,
        "unit": row.unit, "status": row.status, "rule": row.quota, "label": row.label,
        "article": _article(row.articles[0]) if row.articles else None,
        "articles": [_article(a) for a in row.articles],
        "readings": [r.text for a in row.articles for r in a.readings],  # English, as ever
        "readings_zh": [r.zh for a in row.articles for r in a.readings],  # each one's Chinese text, or null
        "branch": row.branch, "formula": row.formula or None, "reason": row.reason, "tried": tried,
        "reads": {k: jsonable(v) for k, v in row.reads}, "uses": {k: jsonable(v) for k, v in row.uses},
        "values": {s.name: jsonable(s.value) for s in row.steps if s.value is not None},
        "split": jsonable(row.split), "missing": list(row.missing), "problem": row.problem,
    }


def table_to_json(table: QuotaTable, stamp: PlanStamp) -> dict[str, Any]:
    return {"plan": stamp.as_json(), "quotas": [row_to_json(r) for r in table.rows],
            "errors": [{"code": d.code, "message": d.message} for d in table.diagnostics]}


# ---- Markdown

def table_to_markdown(table: QuotaTable, stamp: PlanStamp) -> str:
    out = ["# " + _("Quotas of `{id}` (version {version})").format(id=stamp.id, version=stamp.version), "",
           f"sha256 `{stamp.sha256}`", ""]
    for name, regions in _groups(table):
        first = regions[0][0]
        out += [f"## {name}" + (f" — {first.label}" if first.label else ""), ""]
        for article in first.articles:
            out.append(f"> **{article.id}** {article.text}")
            out += [f">\n> *{_('reading')}:* {reading.in_language(language())}" for reading in article.readings]
            out.append("")
        out += ["| " + " | ".join(_(h) for h in (N_("region"), N_("districts"), N_("categories"), N_("quota"),
                                                  N_("branch"), N_("formula and values"))) + " |", "|---|---|---|---|---|---|"]
        for rows in regions:
            row = rows[0]
            taken = next((t for t in row.tried if t.holds), None)
            branch = f"`{taken.condition}`" if taken else "—"
            values = _values((*row.uses, *row.reads, *((taken.uses + taken.reads) if taken else ())))
            formula = f"`{row.formula}`" if row.formula and row.status in ("number", "error") else (row.reason or "")
            if row.split:
                formula += f" ({show(row.split['total'])} × {show(row.split['weight'])} ÷ {show(row.split['weight_sum'])})"
            if row.missing:
                values = _("absent: {names}").format(names=", ".join(row.missing))
            out.append(f"| {row.region} | {', '.join(row.districts)} | {_categories(rows)} | {figure(row)} | {branch} "
                       f"| {formula}{'; ' + values if values else ''} |")
        out.append("")
    return "\n".join(out)
