"""A round allocated under two versions of a plan: whose quota and whose allocation flips.

`policy diff OLD NEW --population ROUND.jsonl` decides every line under both versions
(engine/diff/population.py); when both versions declare quotas, the round is also allocated under
each, so a quota changed from 50% to 60% shows as the figures it changes (医保主城区 · 住院:
600 -> 720 bed) and as the applicants it moves from waitlisted to admitted.
"""
from __future__ import annotations

from dsl.dataclass_cache import dataclass
from typing import Any

from engine.allocation.allocate import Entry
from engine.allocation.run import allocate_round
from engine.compile.pipeline import compile_plan


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


def _shown(entry: Entry) -> dict:
    row = entry.row
    return {"outcome": entry.outcome, "rank": entry.rank,
            "quota": row.value if row is not None and row.status == "number" else None, "used_before": entry.used_before}


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
    for a, b in zip(old.slots, new.slots):
        if not isinstance(a, Entry) or not isinstance(b, Entry):
            continue  # the population replay lists bad lines
        was, now = _shown(a), _shown(b)
        if was["outcome"] != now["outcome"] or was["rank"] != now["rank"]:
            flips.append(AllocationFlip(a.line, a.applicant, b.region, b.category, was, now))
    return AllocationReport(quotas, tuple(flips), len(old.slots))
