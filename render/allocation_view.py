"""Views of an allocated round (`policy allocate`): one JSON record per line, and what diff shows.

The record is BRIEF.md's (`applicant`, `outcome`, `rank`, `region`, `quota`) with the reasons an
auditor checks it by: the score and priorities, what the applicant uses of the quota and what
was used before it, why, the neighbour of this round it conflicts with, the decision it had
before the round and the rule and article behind it.
"""
from __future__ import annotations

from fractions import Fraction

from typing import Iterator

from engine.allocation.allocate import Entry
from engine.allocation.compare import AllocationReport
from engine.allocation.run import RoundResult
from engine.values.missing import Missing

from i18n import gettext as _

from .batch_view import error_record
from .values import jsonable, show


def _known(value) -> bool:
    return value is not None and type(value) is not Missing


def entry_record(entry: Entry) -> dict:
    """The JSON record of one applicant (BRIEF.md: applicant, outcome, rank, region, quota)."""
    row = entry.row
    quota = None
    if row is not None:
        quota = {"rule": row.quota, "value": jsonable(row.value) if row.status == "number" else None,
                 "status": row.status, "unit": row.unit,
                 "article": {"id": row.articles[0].id, "text": row.articles[0].text} if row.articles else None}
    return {"line": entry.line, "applicant": entry.applicant, "outcome": entry.outcome, "rank": entry.rank,
            "of": entry.of, "region": entry.region, "category": entry.category,
            "quota": quota["value"] if quota else None, "unit": row.unit if row else None, "quota_rule": quota,
            "score": jsonable(entry.score) if _known(entry.score) else None, "priorities": list(entry.priorities),
            "uses": jsonable(entry.counts) if row is not None and _known(entry.counts) else None,
            "used_before": jsonable(entry.used_before), "used_after": jsonable(entry.used_after),
            "why": entry.why or None, "conflicts_with": jsonable(entry.conflicts_with),
            "decided_by": entry.decided_by, "decision": entry.decision.outcome, "missing": list(entry.missing),
            "plan": entry.plan.stamp.as_json()}


def round_records(result: RoundResult) -> Iterator[dict]:
    """A record per input line, in order: an applicant's, or the line's error object."""
    for slot in result.slots:
        yield entry_record(slot) if isinstance(slot, Entry) else error_record(slot.line, slot.error, slot.applicant)


def report_to_json(report: AllocationReport) -> dict:
    return {"quotas": [{"region": q.region, "category": q.category, "rule": q.rule, "old": jsonable(q.old),
                        "new": jsonable(q.new), "unit": q.unit} for q in report.quotas],
            "flips": [{"line": f.line, "applicant": f.applicant, "region": f.region, "category": f.category,
                       "old": jsonable(f.old), "new": jsonable(f.new)} for f in report.flips],
            "lines": report.lines}


def report_to_text(report: AllocationReport, markdown: bool = False) -> str:
    def figure(value, unit):
        return f"{show(value)} {unit}" if isinstance(value, (int, float, Fraction)) else str(value)

    head = ("## " + _("Allocation of the round") if markdown
            else _("allocation of the round (policy allocate under each version)"))
    lines = [head, ""] if markdown else ["", head]
    bullet = "- " if markdown else "  "
    if not report.quotas and not report.flips:
        lines.append(bullet + _("no quota and no allocation changes ({count} lines)").format(count=report.lines))
    for q in report.quotas:
        lines.append(bullet + _("quota {name}").format(name=q.rule)
                     + f" · {q.region} · {q.category}: {figure(q.old, q.unit)} → {figure(q.new, q.unit)}")
    if report.flips:
        lines.append(bullet + _("{count} of {total} applicants allocated otherwise:").format(
            count=len(report.flips), total=report.lines))

        def ranked(side):
            rank = _(" (rank {rank})").format(rank=side["rank"]) if side["rank"] is not None else ""
            return f"{side['outcome']}{rank}"
        for f in report.flips:
            lines.append(f"{bullet}  " + _("line {line}").format(line=f.line)
                         + f" {f.applicant} · {f.region} · {f.category}: {ranked(f.old)} → {ranked(f.new)}")
    return "\n".join(lines) + "\n"
