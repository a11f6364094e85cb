"""Checker pass `quotas`: the year's quotas (`quota`) and how applicants compete for them (`ranking`).

A quota gives, for each region of the plan and each of its categories, a number computed
from definitions: the branches are tried in the order written and the first whose condition
holds gives the number, `none` (the plan sets no number), `review` (the plan does not
decide) or `split TOTAL by WEIGHT`. What this pass holds a quota to:
  - it cites an article (C070): a figure an auditor cannot trace to the plan is no figure;
  - its categories are members of the applicant category enum (C071), each in one quota (C079);
  - `per` names the region, a definition or an input of a name type (C075), and `of` (or
    `per` itself) an input of an enum type whose members make up the regions (C069);
  - its branches read city statistics only, besides that input (C076): a quota is the
    region's, the same for every applicant of it;
  - its numbers carry its unit or none (C074); `counts` is a number; it has a branch (C077).
A ranking orders by a number (C072); its ties are priority rules (C073); a plan has one (C078).
"""
from __future__ import annotations

from dsl import ast
from dsl.diagnostics import Label, did_you_mean
from dsl.printer import expr_text
from dsl.spans import Span

from engine.compile import ir
from engine.compile.context import CheckContext
from engine.compile.declarations import member_of
from engine.compile.plan import QuotaBranchInfo, QuotaInfo, RankingInfo
from engine.compile.resolve import resolve
from engine.compile.typecheck import need_bool, need_number
from engine.compile.types import ERROR, EnumT, NumT, TextT, make_unit, unit_text


def check_quotas(ctx: CheckContext) -> None:
    taken = {**ctx.define_asts, **ctx.rule_asts, **ctx.enums}
    owner: dict[str, tuple[str, Span]] = {}  # category code -> quota that sets it
    for item in ctx.policy.of_type(ast.Quota):
        if item.name in taken or item.name in ctx.quotas:
            ctx.error("C001", f"`{item.name}` is declared twice", item.span,
                      "give each enum, zone, definition, rule, decision and quota its own name")
            continue
        info = _quota(ctx, item, owner)
        if info is not None:
            ctx.quotas[item.name] = info
    rankings = ctx.policy.of_type(ast.Ranking)
    for extra in rankings[1:]:
        ctx.error("C078", "a plan declares one ranking", extra.span, "every quota is competed for the same way",
                  [Label(rankings[0].span, "first declared here")])
    if rankings:
        ctx.ranking = _ranking(ctx, rankings[0])
    if ctx.quotas and ctx.ranking is None:
        first = next(iter(ctx.quotas.values()))
        ctx.warn("W006", "the plan has quotas but no `ranking`, so `policy allocate` cannot rank applicants",
                 first.span, "declare one: `ranking 择优 cites 三 by 择优评分`")


# ---- a quota
def _quota(ctx: CheckContext, item: ast.Quota, owner: dict) -> QuotaInfo | None:
    if not item.cites:
        ctx.error("C070", f"quota `{item.name}` cites no article", item.span,
                  "cite the article that sets the number: `quota 名称 cites 三（一） for …`")
    for ref in item.cites:
        ctx.cite(ref)
    category_input = ctx.inputs.get("applicant.category")
    if category_input is None or not isinstance(category_input.type, EnumT):
        ctx.error("C071", "a quota is set per category: declare `applicant.category` as an enum", item.span)
        return None
    enum = category_input.type.name
    categories = []
    for name in item.categories:
        code = member_of(ctx, enum, name)
        if code is None:
            continue
        if code in owner:
            ctx.error("C079", f"category `{name.name}` has its quota in `{owner[code][0]}` already", name.span,
                      None, [Label(owner[code][1], "set here")])
            continue
        owner[code] = (item.name, name.span)
        categories.append(code)
    per = resolve(ctx, item.per, {})
    if per.type is not ERROR and not isinstance(per.type, (EnumT, TextT)):
        ctx.error("C075", f"`per` names a region, not `{per.type.describe()}`", item.per.span,
                  "name the definition or the input that gives an applicant's region")
    of_name = item.of or item.per
    of = resolve(ctx, of_name, {}) if item.of else per
    members: tuple[str, ...] = ()
    if of.type is not ERROR:
        if not isinstance(of, ir.InputRef) or not isinstance(of.type, EnumT):
            ctx.error("C069", f"`{of_name.name}` is not an input of an enum type, so its members cannot make up "
                      "the regions", of_name.span, "write `per REGION of DISTRICT`, DISTRICT an input such as "
                      "`applicant.district : 区县 as 所在区县`")
        else:
            members = tuple(code for code, _ in ctx.enums[of.type.name].members)
    allowed = of.path if isinstance(of, ir.InputRef) else None
    _city_only(ctx, item.name, per, item.per.span, allowed)
    unit = make_unit(item.unit.name)
    counts = None
    if item.counts is not None:
        counts = resolve(ctx, item.counts, {})
        need_number(ctx, counts, item.counts.span)
    if not item.branches:
        ctx.error("C077", f"quota `{item.name}` has no branch", item.span,
                  "say what the number is: `when … then …`, `otherwise none \"…\"`")
    branches = []
    for branch in item.branches:
        when = None
        if branch.when is not None:
            when = resolve(ctx, branch.when, {})
            need_bool(ctx, when, branch.when.span)
            _city_only(ctx, item.name, when, branch.when.span, allowed)
        value = branch.value
        number = by = None
        if value.expr is not None:
            number = resolve(ctx, value.expr, {})
            _quota_number(ctx, item, number, value.expr.span, unit)
            _city_only(ctx, item.name, number, value.expr.span, allowed)
        if value.by is not None:
            by = resolve(ctx, value.by, {})
            need_number(ctx, by, value.by.span)
            _city_only(ctx, item.name, by, value.by.span, allowed)
        branches.append(QuotaBranchInfo(
            when, value.kind, number, by, value.reason, branch.span.line,
            expr_text(branch.when) if branch.when is not None else "otherwise",
            expr_text(value.expr) if value.expr is not None else value.kind,
            expr_text(value.by) if value.by is not None else ""))
    return QuotaInfo(item.name, item.label, tuple(r.id for r in item.cites), tuple(categories), per,
                     allowed or (), members, item.unit.name, counts, tuple(branches), item.span)


def _quota_number(ctx: CheckContext, item: ast.Quota, node: ir.Node, span: Span, unit) -> None:
    need_number(ctx, node, span)
    if isinstance(node.type, NumT) and node.type.unit and node.type.unit != unit:
        ctx.error("C074", f"quota `{item.name}` is in `{item.unit.name}`, but this number is in "
                  f"`{unit_text(node.type.unit)}`", span, "a quota's numbers carry its unit, or none (a count)")


def _city_only(ctx: CheckContext, quota: str, node: ir.Node, span: Span, allowed: tuple[str, ...] | None) -> None:
    """A quota is the region's: it may read city statistics and the region's input, nothing else."""
    bad = sorted(p for p in _reads_of(ctx, node, set()) if p[0] != "city" and p != allowed)
    for path in bad[:1]:
        ctx.error("C076", f"quota `{quota}` reads `{'.'.join(path)}`, a fact of the applicant", span,
                  "a quota is the same for every applicant of a region: read city statistics only")


def _reads_of(ctx: CheckContext, node: ir.Node, seen: set[str]) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for sub in ir.walk(node):
        if isinstance(sub, ir.InputRef):
            found.add(sub.path)
        elif isinstance(sub, ir.RegistryQuery):
            found.add(("applicant", "location"))
        elif isinstance(sub, ir.DefRef) and sub.name not in seen and sub.name in ctx.defines:
            seen.add(sub.name)
            found |= _reads_of(ctx, ctx.defines[sub.name].node, seen)
    return found


# ---- the ranking
def _ranking(ctx: CheckContext, item: ast.Ranking) -> RankingInfo | None:
    if not item.cites:
        ctx.error("C070", f"ranking `{item.name}` cites no article", item.span,
                  "cite the article that says how applicants are chosen (择优纳入)")
    for ref in item.cites:
        ctx.cite(ref)
    by = resolve(ctx, item.by, {})
    if by.type is not ERROR and not isinstance(by.type, NumT):
        ctx.error("C072", f"a ranking orders by a number, not `{by.type.describe()}`", item.by.span,
                  "rank by a score, as in `by 择优评分` (applicant.score : number)")
    ties = []
    for name in item.ties:
        rule = ctx.rules.get(name.name)
        if rule is None or rule.kind != "priority":
            ctx.error("C073", f"`{name.name}` is not a priority rule", name.span,
                      did_you_mean(name.name, [n for n, r in ctx.rules.items() if r.kind == "priority"])
                      or "ties are broken by priority rules (同等条件优先纳入)")
            continue
        ties.append(name.name)
    return RankingInfo(item.name, item.label, tuple(r.id for r in item.cites), by, expr_text(item.by),
                       tuple(ties), item.span)
