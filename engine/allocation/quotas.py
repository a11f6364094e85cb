"""The year's quota table: every `quota` of a plan evaluated for every region, from city statistics.

A plan's regions come from its own text: `per 医保定点区域 of 所在区县` evaluates the region of
each member of the district enum (和平区 -> 医保主城区), in declaration order, so 医保主城区
and each 县市区 are regions and the districts each one is made of are known. A region's quota
is then evaluated with the reference evaluator on the city statistics and one of its
districts: the branches are tried in the order written, and the row records every branch
tried with the facts and definitions it read, the one taken, its number and its articles,
and the definitions computed on the way (the same steps `explain` shows).

A `split TOTAL by WEIGHT` branch is settled once every region is known: the regions taking
it share the total in proportion to their weights, each share rounded down. A number below
zero is no quota: the row is an error naming the figures (E010), and so is a split whose
weights sum to zero (E011). A branch that needs absent statistics leaves the row
`undetermined`, with the missing paths; nothing is guessed.
"""
from __future__ import annotations

import math
from dataclasses import replace
from dsl.dataclass_cache import dataclass
from typing import Any

from dsl.diagnostics import Diagnostic, PolicyError
from engine.compile.plan import CheckedPlan, QuotaBranchInfo, QuotaInfo, RuleInfo
from engine.run.evaluator import Evaluation
from engine.run.trace import Article, Step
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


NUMBER, NONE, REVIEW, UNDETERMINED, ERROR = "number", "none", "review", "undetermined", "error"


@dataclass(frozen=True, slots=True)
class Tried:
    """One branch tried for a region: its condition, what it read and whether it held."""

    index: int
    line: int
    condition: str
    holds: bool | None  # None: facts absent
    reads: tuple[tuple[str, Any], ...]
    uses: tuple[tuple[str, Any], ...]


@dataclass(frozen=True, slots=True)
class QuotaRow:
    quota: str  # the declaration's name
    label: str | None
    region: str
    districts: tuple[str, ...]  # the members of the district enum that make up the region
    category: str  # an applicant category code
    category_label: str | None
    status: str  # number | none | review | undetermined | error
    value: Any  # the number, when status is `number`
    unit: str
    branch: int | None  # index of the branch taken
    formula: str  # the taken branch's number as written (`floor(区域统计.beds_released × 50%)`)
    reason: str | None
    articles: tuple[Article, ...]
    tried: tuple[Tried, ...]
    reads: tuple[tuple[str, Any], ...]  # what the number read (facts) ...
    uses: tuple[tuple[str, Any], ...]  # ... and the definitions it used
    steps: tuple[Step, ...]  # the definitions computed for this region
    missing: tuple[str, ...] = ()
    split: dict | None = None  # total, weight, the sum of the weights and the regions sharing
    problem: str | None = None  # why the row is an error


@dataclass(frozen=True, slots=True)
class QuotaTable:
    rows: tuple[QuotaRow, ...]
    diagnostics: tuple[Diagnostic, ...]  # E010, E011: a quota that is no quota

    def row(self, region: str, category: str) -> QuotaRow | None:
        return next((r for r in self.rows if r.region == region and r.category == category), None)


def _set_path(facts: dict, path: tuple[str, ...], value: Any) -> dict:
    """A copy of `facts` with `path` set to `value`, the dicts on the way copied, nothing else."""
    out = dict(facts)
    node = out
    for part in path[:-1]:
        node[part] = dict(node.get(part) or {})
        node = node[part]
    node[path[-1]] = value
    return out


def regions_of(plan: CheckedPlan, quota: QuotaInfo, city_facts: dict) -> dict[str, list[str]]:
    """Region -> its districts, in the district enum's order (a district whose region cannot be
    told is left out: its region is no quota's)."""
    regions: dict[str, list[str]] = {}
    for member in quota.members:
        run = Evaluation(plan, _set_path(city_facts, quota.of_path, member))
        region = run.eval(quota.per, {})
        if isinstance(region, str):
            regions.setdefault(region, []).append(member)
    return regions


class _RegionRun:
    """One quota for one region: the branches tried, the number, the steps."""

    def __init__(self, plan: CheckedPlan, facts: dict):
        self.run = Evaluation(plan, facts)

    def framed(self, node) -> tuple[Any, Any]:
        """A value with what it read and used, recorded as the evaluator records a rule's."""
        value, frame, _ = self.run.rule(RuleInfo("quota", "quota", (), node, "", None, ()))
        return value, frame


def _items(frame) -> tuple[tuple, tuple]:
    return tuple(frame.reads.items()), tuple(frame.uses.items())


def _articles(plan: CheckedPlan, ids) -> tuple[Article, ...]:
    return tuple(Article(i, plan.article_text(i), plan.readings(i)) for i in ids)


def _figures(reads, uses) -> str:
    shown = [f"{k} = {_n(v)}" if is_number(v) else f"{k} = {v}"
             for k, v in (*uses, *reads) if v is not None]
    return ", ".join(shown)


def _region_rows(plan: CheckedPlan, quota: QuotaInfo, region: str, districts: list[str], city_facts: dict,
                 articles, labels) -> tuple[list[QuotaRow], dict | None]:
    """The rows of one region (one per category), and the pending split if its branch is one."""
    region_run = _RegionRun(plan, _set_path(city_facts, quota.of_path, districts[0]))
    tried: list[Tried] = []
    taken: QuotaBranchInfo | None = None
    taken_index = None
    missing: tuple[str, ...] = ()
    for index, branch in enumerate(quota.branches):
        if branch.when is None:
            holds, reads, uses = True, (), ()
        else:
            holds, frame = region_run.framed(branch.when)
            reads, uses = _items(frame)
        known = None if type(holds) is Missing else holds
        tried.append(Tried(index, branch.line, branch.when_text, known, reads, uses))
        if type(holds) is Missing:
            missing = tuple(sorted(holds.paths))
            break
        if holds:
            taken, taken_index = branch, index
            break
    status, value, reads, uses, split, problem = UNDETERMINED, None, (), (), None, None
    if taken is None and not missing:
        status = REVIEW  # no branch holds and there is no `otherwise`: the plan does not decide
    elif taken is not None:
        status = {"none": NONE, "review": REVIEW}.get(taken.kind, NUMBER)
        if taken.kind in ("number", "split"):
            value, frame = region_run.framed(taken.value)
            reads, uses = _items(frame)
            if taken.kind == "split":
                weight, weight_frame = region_run.framed(taken.by)
                w_reads, w_uses = _items(weight_frame)
                reads, uses = reads + w_reads, uses + w_uses
                gap = [v for v in (value, weight) if type(v) is Missing]
                if gap:
                    status, missing, value = UNDETERMINED, tuple(sorted(p for v in gap for p in v.paths)), None
                else:
                    split = {"total": value, "weight": weight, "by": taken.by_text}
                    value = None
            elif type(value) is Missing:
                status, missing, value = UNDETERMINED, tuple(sorted(value.paths)), None
            elif value < 0:
                status, problem = ERROR, (f"quota `{quota.name}` of `{region}` is {_n(value)} {quota.unit}: "
                                          f"{taken.value_text} with {_figures(reads, uses)}")
    rows = [QuotaRow(quota.name, quota.label, region, tuple(districts), category, labels.get(category), status, value,
                     quota.unit, taken_index, taken.value_text if taken else "", taken.reason if taken else None,
                     articles, tuple(tried), reads, uses, tuple(region_run.run.steps), missing, split, problem)
            for category in quota.categories]
    return rows, split


def _settle_splits(quota: QuotaInfo, rows: list[QuotaRow]) -> tuple[list[QuotaRow], list[str]]:
    """Share each split total among the regions that took its branch, by their weights."""
    problems: list[str] = []
    for index in {r.branch for r in rows if r.split is not None}:
        group = [r for r in rows if r.split is not None and r.branch == index]
        regions = list(dict.fromkeys(r.region for r in group))
        weights = {r.region: r.split["weight"] for r in group}
        total = group[0].split["total"]
        weight_sum = math.fsum(weights.values()) if all(isinstance(w, float) for w in weights.values()) else sum(weights.values())
        for position, row in enumerate(rows):
            if row.split is None or row.branch != index:
                continue
            info = {**row.split, "weight_sum": weight_sum, "regions": regions}
            if weight_sum == 0 or total < 0 or row.split["weight"] < 0:
                problem = (f"quota `{quota.name}` cannot be split: total {_n(total)} {quota.unit} by "
                           f"{row.split['by']}, weights summing to {_n(weight_sum)}")
                rows[position] = replace(row, status=ERROR, split=info, problem=problem)
                problems.append(problem)
                continue
            share = math.floor(total * row.split["weight"] / weight_sum)
            rows[position] = replace(row, status=NUMBER, value=share, split=info,
                                     formula=f"floor({row.formula} × {row.split['by']} ÷ Σ {row.split['by']})")
    return rows, problems


def quota_table(plan: CheckedPlan, city_facts: dict) -> QuotaTable:
    """Every quota of the plan for every region; `city_facts` are validated facts with `city`."""
    labels = {code: label for e in plan.enums.values() for code, label in e.members if label}
    rows: list[QuotaRow] = []
    diagnostics: list[Diagnostic] = []
    for quota in plan.quotas.values():
        articles = _articles(plan, quota.cites)
        quota_rows: list[QuotaRow] = []
        for region, districts in regions_of(plan, quota, city_facts).items():
            quota_rows += _region_rows(plan, quota, region, districts, city_facts, articles, labels)[0]
        quota_rows, problems = _settle_splits(quota, quota_rows)
        seen = set()
        for row in quota_rows:
            if row.status == ERROR and row.problem not in seen:
                seen.add(row.problem)
                code = "E011" if row.split is not None else "E010"
                diagnostics.append(Diagnostic(code, row.problem, quota.span,
                                              "a quota is a number of 0 or more: check the city statistics it reads"))
        rows += quota_rows
    return QuotaTable(tuple(rows), tuple(diagnostics))


def table_or_raise(plan: CheckedPlan, city_facts: dict) -> QuotaTable:
    """The table, or PolicyError when a quota is no quota (negative, or a split of nothing)."""
    table = quota_table(plan, city_facts)
    if table.diagnostics:
        raise PolicyError(list(table.diagnostics))
    return table
