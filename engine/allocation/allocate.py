"""择优 allocation of one round of applicants: decide each, rank the eligible, admit up to the quota.

Every applicant is first decided as `explain` would decide it. The eligible ones compete in
their region and category (the quota's `per`, the applicant's category) for the number
`policy quota` gives, ranked by the plan's `ranking`: its number, higher first, then its
`ties` priority rules, the first listed first. Then, best first:
  - an applicant whose spacing rule now finds an applicant admitted in this round near it is
    decided again against the registry with the round added; it keeps that outcome
    (`spacing_conflict`) and its record names the neighbour (neighbours.py);
  - applicants equal in rank that would conflict with each other, or that together need more
    than the quota has left, are not told apart by the plan: `needs_review`, never file order;
  - the quota is filled in rank order (an applicant uses `counts` of it, its beds for 住院, else
    1); the first that does not fit closes it, so nobody ranked below it is admitted ahead of
    it: the rest are `waitlisted`;
  - a quota of `none` (the plan sets no number) admits every eligible applicant, ranked still,
    for the spacing rule.
An applicant whose rank cannot be told (no score) is `undetermined` with the fact it lacks;
the others are allocated without it. A region whose quota is `review` or `undetermined`
gives its eligible applicants that outcome, with the table's reason.

Entries stay in input order (render/allocation_view.py makes them records); `summary` counts each
region and category.
"""
from __future__ import annotations

import itertools
from dataclasses import field
from dsl.dataclass_cache import dataclass
from typing import Any

from engine.allocation.neighbours import Admitted, Recorder, Round, RoundRegistry
from engine.allocation.quotas import QuotaRow, QuotaTable
from engine.compile.plan import CheckedPlan, QuotaInfo
from engine.run.compiled import fast_path
from engine.run.evaluator import Evaluation
from engine.values.missing import Missing
from engine.values.numbers import is_number


def _n(value) -> str:
    """A number in a message: 600, 0.78, 1.5e+10; exact numbers (Fraction, Decimal) as their float."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


ADMITTED, WAITLISTED = "admitted", "waitlisted"


@dataclass
class Entry:
    """One applicant of the round, from its first decision to its record."""

    line: int
    applicant: str | None
    plan: CheckedPlan
    facts: dict
    registry: Any
    decision: Any  # engine.run.compiled.Decision
    questions: list = field(default_factory=list)  # engine.allocation.neighbours.Question
    category: str | None = None
    region: Any = None
    quota: QuotaInfo | None = None
    row: QuotaRow | None = None
    score: Any = None
    counts: Any = 1
    priorities: tuple[str, ...] = ()
    key: tuple = ()
    rank: int | None = None
    of: int | None = None
    outcome: str | None = None
    why: str = ""
    used_before: Any = None
    used_after: Any = None
    conflicts_with: dict | None = None
    missing: tuple[str, ...] = ()
    decided_by: dict | None = None

    @property
    def name(self) -> str:
        return self.applicant or f"line {self.line}"

    @property
    def group(self) -> tuple:
        return (self.region, self.category)


def first_decision(line: int, case) -> Entry:
    """Decide one applicant against the registry as it is, noting the spacing questions asked."""
    recorder = Recorder(case.registry) if case.registry is not None else None
    decision = fast_path(case.plan).decide(case.facts, registry=recorder)
    applicant = case.facts.get("applicant") or {}
    entry = Entry(line, applicant.get("id"), case.plan, case.facts, case.registry, decision,
                  recorder.questions if recorder else [])
    entry.outcome = decision.outcome
    entry.decided_by = _decided_by(case.plan, decision)
    entry.missing = decision.missing
    return entry


def _decided_by(plan: CheckedPlan, decision) -> dict | None:
    if not decision.rule:
        return None
    article = decision.articles[0] if decision.articles else None
    return {"rule": decision.rule, "article": {"id": article, "text": plan.article_text(article)} if article else None,
            "reason": decision.reason}


def _quota_of(plan: CheckedPlan, category: str | None) -> QuotaInfo | None:
    return next((q for q in plan.quotas.values() if category in q.categories), None)


def _known(value) -> bool:
    return type(value) is not Missing and value is not None


def _prepare(entry: Entry, table: QuotaTable) -> bool:
    """Region, quota, score and use of an eligible applicant; False when it cannot compete."""
    plan = entry.plan
    entry.category = (entry.facts.get("applicant") or {}).get("category")
    entry.quota = _quota_of(plan, entry.category)
    if entry.quota is None:
        entry.outcome, entry.why = "needs_review", f"the plan sets no quota for category `{entry.category}`"
        return False
    run = Evaluation(plan, entry.facts)
    region = run.eval(entry.quota.per, {})
    if not _known(region):
        entry.outcome, entry.missing = "undetermined", tuple(sorted(region.paths)) if type(region) is Missing else ()
        entry.why = "its region cannot be told"
        return False
    entry.region = region
    entry.row = table.row(region, entry.category)
    row = entry.row
    if row is None:
        entry.outcome, entry.why = "needs_review", f"the quota table has no row for {region} · {entry.category}"
        return False
    if row.status == "review":
        entry.outcome = "needs_review"
        entry.why = f"the plan does not set the quota of {region} ({row.quota}): {row.reason or 'no branch applies'}"
        return False
    if row.status == "undetermined":
        entry.outcome, entry.missing = "undetermined", row.missing
        entry.why = f"the quota of {region} cannot be computed: the statistics are absent"
        return False
    if entry.quota.counts is not None:
        entry.counts = run.eval(entry.quota.counts, {})
        if not _known(entry.counts):
            entry.outcome, entry.missing = "undetermined", tuple(sorted(getattr(entry.counts, "paths", ())))
            entry.why = (f"what it would use of the quota of {region} ({', '.join(entry.missing) or 'its count'}, in "
                         f"{row.unit}) is absent")
            return False
        if entry.counts < 0:
            entry.outcome, entry.why = "needs_review", f"it would use {entry.counts} {row.unit} of the quota, below zero"
            return False
    ranking = plan.ranking
    if ranking is not None:
        entry.score = run.eval(ranking.by, {})
        entry.priorities = tuple(p for p in ranking.ties if p in entry.decision.priorities)
        if _known(entry.score):
            entry.key = (-entry.score, *(0 if p in entry.priorities else 1 for p in ranking.ties))
    return True


def _unranked(entry: Entry) -> None:
    ranking = entry.plan.ranking
    entry.outcome = "undetermined"
    if ranking is None:
        entry.why = "the plan declares no ranking, so applicants competing for a quota cannot be ranked"
        return
    entry.missing = tuple(sorted(entry.score.paths)) if type(entry.score) is Missing else ()
    entry.why = (f"the ranking `{ranking.name}` needs {ranking.by_text} ({', '.join(entry.missing) or 'absent'}) to "
                 f"rank it in {entry.region} · {entry.category}; the others are allocated without it")


class _Group:
    def __init__(self, row: QuotaRow):
        self.row = row
        self.quota = row.value if row.status == "number" else None
        self.used: Any = 0
        self.closed: str | None = None  # why nobody more is admitted
        self.entries: list[Entry] = []


class Allocation:
    """One round: entries in input order, groups by region and category."""

    def __init__(self, entries: list[Entry], table: QuotaTable):
        self.entries = entries
        self.table = table
        self.groups: dict[tuple, _Group] = {}
        self.round = Round()

    def run(self) -> None:
        competing: list[Entry] = []
        later: list[Entry] = []  # no score, in a group without a number: admitted if nobody is near
        for entry in self.entries:
            if entry.outcome != "eligible":
                self._not_competing(entry)
                continue
            if not _prepare(entry, self.table):
                if entry.row is not None and entry.row.status in ("number", "none"):  # counted in its region
                    self.groups.setdefault(entry.group, _Group(entry.row)).entries.append(entry)
                continue
            group = self.groups.setdefault(entry.group, _Group(entry.row))
            group.entries.append(entry)
            if entry.key:
                competing.append(entry)
            elif group.quota is None and entry.plan.ranking is not None:
                later.append(entry)
            else:
                _unranked(entry)
        for group in self.groups.values():
            ranked = sorted((e for e in group.entries if e.key), key=lambda e: e.key)
            for position, entry in enumerate(ranked):  # equals share a rank: 1, 2, 2, 4
                same = position and ranked[position - 1].key == entry.key
                entry.rank = ranked[position - 1].rank if same else position + 1
                entry.of = len(ranked)
        competing.sort(key=lambda e: (e.key, e.line))  # INVARIANT: line only orders equals, never decides between them
        for _, tied in itertools.groupby(competing, key=lambda e: e.key):
            self._tie_class(list(tied))
        for entry in later:
            self._unscored(entry)

    def _not_competing(self, entry: Entry) -> None:
        """An applicant the plan does not admit: its own outcome, with its region for the record."""
        entry.category = (entry.facts.get("applicant") or {}).get("category")
        entry.why = entry.decision.reason or ""
        quota = _quota_of(entry.plan, entry.category)
        if quota is None:
            return
        region = Evaluation(entry.plan, entry.facts).eval(quota.per, {})
        if _known(region):
            entry.region, entry.row = region, self.table.row(region, entry.category)

    # ---- spacing against this round
    def _neighbour(self, entry: Entry) -> tuple[Any, Admitted, float] | None:
        """The decision again, if an applicant admitted in this round is near enough to change it."""
        near = [found for q in entry.questions if (found := self.round.closer(q)) is not None]
        if not near:
            return None
        decision = fast_path(entry.plan).decide(entry.facts, registry=RoundRegistry(entry.registry, self.round))
        if decision.outcome == "eligible":
            return None
        item, distance = min(near, key=lambda f: (f[1], f[0].id))
        return decision, item, distance

    def _admitted_item(self, entry: Entry) -> Admitted | None:
        location = (entry.facts.get("applicant") or {}).get("location") or {}
        same = dict(entry.plan.registry.same_type).get(entry.category) if entry.plan.registry else None
        if not same or not is_number(location.get("lat")) or not is_number(location.get("lon")):
            return None  # no type counts it, or no place: no neighbour can see it
        name = (entry.facts.get("applicant") or {}).get("name") or entry.name
        return Admitted(entry.name, f"{name} (admitted in this round)", same[0], float(location["lat"]), float(location["lon"]),
                        entry.line, entry.rank, entry.score)

    def _conflict(self, entry: Entry, found, tie: bool = False) -> None:
        decision, item, distance = found
        neighbour = {"applicant": item.id, "line": item.line, "rank": item.rank, "score": item.score,
                     "distance_m": round(distance, 1)}
        entry.conflicts_with = neighbour
        if tie:
            entry.outcome = "needs_review"
            entry.why = (f"ranks {entry.rank} of {entry.of} in {entry.region} · {entry.category}, equal to {item.id} "
                         f"{round(distance, 1)} m away, which also applies in this round: under "
                         f"`{decision.rule}` only one of them may be admitted and the plan does not say which")
            return
        entry.outcome = decision.outcome
        entry.decided_by = _decided_by(entry.plan, decision)
        entry.missing = decision.missing
        by_priority = ""
        if item.score == entry.score and entry.plan.ranking and entry.plan.ranking.ties:
            by_priority = f", ranked above by {', '.join(entry.plan.ranking.ties)} at equal score"
        entry.why = (f"ranks {entry.rank} of {entry.of} in {entry.region} · {entry.category}; {item.id} (line "
                     f"{item.line}, rank {item.rank}, {self._score_text(entry, item.score)}{by_priority}), admitted in "
                     f"this round {round(distance, 1)} m away, now counts as designated: `{decision.rule}` applies")

    @staticmethod
    def _score_text(entry: Entry, score) -> str:
        ranking = entry.plan.ranking
        return f"{ranking.by_text} {_n(score)}" if ranking and is_number(score) else f"score {score}"

    # ---- one class of equal rank
    def _tie_class(self, tied: list[Entry]) -> None:
        alive = []
        for entry in tied:
            group = self.groups[entry.group]
            if group.closed:
                self._waitlist(entry, group, group.closed)
                continue
            found = self._neighbour(entry)
            if found is not None:
                self._conflict(entry, found)
                continue
            alive.append(entry)
        if len(alive) > 1:  # equals that would be each other's neighbour: the plan does not choose
            items = {e.name: self._admitted_item(e) for e in alive}
            for item in filter(None, items.values()):
                self.round.add(item)
            clashes = {e.name: self._neighbour(e) for e in alive}
            for item in filter(None, items.values()):
                self.round.remove(item)
            for entry in alive:
                if clashes[entry.name] is not None:
                    self._conflict(entry, clashes[entry.name], tie=True)
            alive = [e for e in alive if clashes[e.name] is None]
        by_group: dict[tuple, list[Entry]] = {}
        for entry in alive:
            by_group.setdefault(entry.group, []).append(entry)
        for key, members in by_group.items():
            self._fill(self.groups[key], members)

    def _fill(self, group: _Group, members: list[Entry]) -> None:
        unit = group.row.unit
        if group.quota is None:
            before = group.used
            for entry in members:
                self._admit(entry, group, f"the plan sets no number for {entry.region} · {entry.category} "
                                          f"({group.row.articles[0].id}: {group.row.reason or 'no number'}); "
                                          "every eligible applicant is admitted, in rank order for the spacing rules")
            for entry in members:  # equals are admitted together, whatever their order in the file
                entry.used_before, entry.used_after = before, group.used
            return
        need = sum(e.counts for e in members)
        left = group.quota - group.used
        first = members[0]
        if need <= left:
            before = group.used  # equals are admitted together: each sees what those ranked above used
            for entry in members:
                self._admit(entry, group, f"ranks {entry.rank} of {entry.of} in {entry.region} · {entry.category}; "
                                          f"its {_n(entry.counts)} {unit} fit in the quota of {_n(group.quota)} {unit} "
                                          f"({group.row.quota}), {_n(before)} used by those ranked above"
                                          + (f" and {_n(need)} with its equals" if len(members) > 1 else ""))
            for entry in members:
                entry.used_before, entry.used_after = before, group.used
            return
        if len(members) == 1:
            group.closed = (f"the quota closed at rank {first.rank}: {first.name} needs {_n(first.counts)} {unit} and "
                            f"{_n(left)} of {_n(group.quota)} remained")
            first.used_before = first.used_after = group.used
            first.outcome = WAITLISTED
            first.why = (f"ranks {first.rank} of {first.of} in {first.region} · {first.category}; it needs "
                         f"{_n(first.counts)} {unit} and only {_n(left)} of the quota of {_n(group.quota)} {unit} remain "
                         f"after {_n(group.used)} used by those ranked above, so the quota closes here")
            return
        names = ", ".join(sorted(e.name for e in members))  # never in file order
        group.closed = f"the quota closed at rank {first.rank}, where {names} are tied"
        for entry in members:
            entry.used_before = entry.used_after = group.used
            entry.outcome = "needs_review"
            entry.why = (f"ranks {entry.rank} of {entry.of} in {entry.region} · {entry.category}, tied with "
                         f"{', '.join(sorted(e.name for e in members if e is not entry))} (equal {entry.plan.ranking.by_text} "
                         f"and priorities); together they need {_n(need)} {unit}, {_n(left)} of {_n(group.quota)} remain, "
                         "and the plan does not break the tie")

    def _admit(self, entry: Entry, group: _Group, why: str) -> None:
        entry.used_before = group.used
        group.used += entry.counts
        entry.used_after = group.used
        entry.outcome, entry.why = ADMITTED, why
        item = self._admitted_item(entry)
        if item is not None:
            self.round.add(item)

    def _waitlist(self, entry: Entry, group: _Group, why: str) -> None:
        entry.used_before = entry.used_after = group.used
        entry.outcome = WAITLISTED
        entry.why = f"ranks {entry.rank} of {entry.of} in {entry.region} · {entry.category}; {why}, so nobody ranked " \
                    "below is admitted ahead"

    def _unscored(self, entry: Entry) -> None:
        group = self.groups[entry.group]
        found = self._neighbour(entry)
        if found is not None:
            _unranked(entry)
            entry.conflicts_with = {"applicant": found[1].id, "line": found[1].line,
                                    "distance_m": round(found[2], 1)}
            entry.why += f"; {found[1].id}, admitted in this round {round(found[2], 1)} m away, is its neighbour"
            return
        self._admit(entry, group, f"the plan sets no number for {entry.region} · {entry.category} and no applicant "
                                  "of this round is its neighbour, so its rank (it has no score) does not matter")

    # ---- the summary
    def summary(self) -> list[dict]:
        out = []
        for (region, category), group in self.groups.items():
            counts: dict[str, int] = {}
            for entry in group.entries:
                counts[entry.outcome] = counts.get(entry.outcome, 0) + 1
            out.append({"region": region, "category": category, "quota": group.quota, "unit": group.row.unit,
                        "used": group.used, "rule": group.row.quota, "outcomes": counts})
        return sorted(out, key=lambda s: (str(s["category"]), str(s["region"])))
