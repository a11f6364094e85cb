"""A round allocated under two versions of a plan: whose quota and whose allocation flips.

`policy diff OLD NEW --population ROUND.jsonl` decides every line under both versions
(engine/population.py); when both versions declare quotas, the round is also allocated under
each, so a quota changed from 50% to 60% shows as the figures it changes (医保主城区 · 住院:
600 -> 720 bed) and as the applicants it moves from waitlisted to admitted.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..compile import compile_plan
from .run import allocate_round


@dataclass(frozen=True, slots=True)
class QuotaFlip:
    region: str
    category: str
    rule: str
    old: Any  # the figure: a number, or "none" / "review" / "undetermined"
    new: Any
    unit: str


@dataclass(frozen=True, slots=True)
class AllocationFlip:
    line: int
    applicant: str | None
    region: Any
    category: str | None
    old: dict  # outcome, rank, quota, used_before
    new: dict


@dataclass(frozen=True, slots=True)
class AllocationReport:
    quotas: tuple[QuotaFlip, ...]
    flips: tuple[AllocationFlip, ...]
    lines: int


def _figures(result) -> dict[tuple, tuple]:
    return {(r.region, r.category): (r.value if r.status == "number" else r.status, r.quota, r.unit)
            for r in (result.table.rows if result.table else ())}


_SHOWN = ("outcome", "rank", "quota", "used_before")


def compare_rounds(old_path: str, new_path: str, population: str, context_path: str | None,
                   registry_path: str | None) -> AllocationReport | None:
    """None when either version declares no quota (there is no allocation to compare)."""
    if not compile_plan(old_path).quotas or not compile_plan(new_path).quotas:
        return None
    old = allocate_round(population, old_path, context_path, registry_path)
    new = allocate_round(population, new_path, context_path, registry_path)
    before, after = _figures(old), _figures(new)
    quotas = tuple(QuotaFlip(region, category, (after.get((region, category)) or before[(region, category)])[1],
                             before.get((region, category), (None,))[0], after.get((region, category), (None,))[0],
                             (after.get((region, category)) or before[(region, category)])[2])
                   for region, category in dict.fromkeys([*before, *after])
                   if before.get((region, category), (None,))[0] != after.get((region, category), (None,))[0])
    flips = []
    for a, b in zip(old.records(), new.records()):
        if "error" in a or "error" in b:
            continue  # the population replay lists bad lines
        was, now = {k: a.get(k) for k in _SHOWN}, {k: b.get(k) for k in _SHOWN}
        if was["outcome"] != now["outcome"] or was["rank"] != now["rank"]:
            flips.append(AllocationFlip(a["line"], a.get("applicant"), b.get("region"), b.get("category"), was, now))
    return AllocationReport(quotas, tuple(flips), len(old.slots))


def report_to_json(report: AllocationReport) -> dict:
    from render.values import jsonable

    return {"quotas": [{"region": q.region, "category": q.category, "rule": q.rule, "old": jsonable(q.old),
                        "new": jsonable(q.new), "unit": q.unit} for q in report.quotas],
            "flips": [{"line": f.line, "applicant": f.applicant, "region": f.region, "category": f.category,
                       "old": jsonable(f.old), "new": jsonable(f.new)} for f in report.flips],
            "lines": report.lines}


def report_to_text(report: AllocationReport, markdown: bool = False) -> str:
    from render.values import show

    def figure(value, unit):
        return f"{show(value)} {unit}" if isinstance(value, (int, float)) else str(value)

    head = "## Allocation of the round" if markdown else "allocation of the round (policy allocate under each version)"
    lines = [head, ""] if markdown else ["", head]
    bullet = "- " if markdown else "  "
    if not report.quotas and not report.flips:
        lines.append(f"{bullet}no quota and no allocation changes ({report.lines} lines)")
    for q in report.quotas:
        lines.append(f"{bullet}quota {q.rule} · {q.region} · {q.category}: {figure(q.old, q.unit)} → {figure(q.new, q.unit)}")
    if report.flips:
        lines.append(f"{bullet}{len(report.flips)} of {report.lines} applicants allocated otherwise:")
        for f in report.flips:
            was = f"{f.old['outcome']}" + (f" (rank {f.old['rank']})" if f.old["rank"] is not None else "")
            now = f"{f.new['outcome']}" + (f" (rank {f.new['rank']})" if f.new["rank"] is not None else "")
            lines.append(f"{bullet}  line {f.line} {f.applicant} · {f.region} · {f.category}: {was} → {now}")
    return "\n".join(lines) + "\n"
