"""Checker passes `rules` and `decisions`: what each rule concludes, and how decisions order them.

`check_rules`: a rule's kind is known and its outcome one that kind may conclude; its
condition is a bool. `check_decisions`: each clause once; `precedence` names rules that
decide, `notes` the priority and steering rules; a decision with its own `outcomes` holds
status and referral rules; `otherwise` is an outcome it may give. Then what nothing uses:
rules in no decision (W001), definitions never used (W002), a registry never asked (W005).
"""
from __future__ import annotations

from dsl import ast
from dsl.diagnostics import Label, did_you_mean
from dsl.spans import Span

from engine.compile.context import CheckContext
from engine.compile.plan import KIND_OUTCOMES, NOTE_KINDS, OUTCOMES, REFERRALS, UNDETERMINED, DecisionInfo, RuleInfo
from engine.compile.resolve import resolve
from engine.compile.typecheck import need_bool


def check_rules(ctx: CheckContext) -> None:
    for name, rule in ctx.rule_asts.items():
        for ref in rule.cites:
            ctx.cite(ref)
        if rule.kind not in KIND_OUTCOMES:
            ctx.error("C030", f"unknown kind of rule `{rule.kind}`", rule.kind_span,
                      did_you_mean(rule.kind, KIND_OUTCOMES) or "kinds: " + ", ".join(KIND_OUTCOMES))
        elif rule.kind != "status":  # a status rule's outcome is its decision's to allow
            allowed = KIND_OUTCOMES[rule.kind]
            if rule.outcome not in allowed:
                ctx.error("C031", f"a {rule.kind} rule concludes {' or '.join(f'`{o}`' for o in allowed)}, "
                          f"not `{rule.outcome}`", rule.outcome_span,
                          did_you_mean(rule.outcome, allowed))
        when = resolve(ctx, rule.when, {})
        need_bool(ctx, when, rule.when.span)
        assignments = tuple((a.name, resolve(ctx, a.expr, {})) for a in rule.assignments)
        ctx.rules[name] = RuleInfo(name, rule.kind, tuple(r.id for r in rule.cites), when, rule.outcome,
                                   rule.reason, assignments, rule.span)


def check_decisions(ctx: CheckContext) -> None:
    placed: dict[str, Span] = {}
    for item in ctx.policy.of_type(ast.Decision):
        for clause in item.repeated:
            ctx.error("C088", f"decision `{item.name}` gives `{clause.name}` twice", clause.span,
                      f"merge them into one `{clause.name}` clause: only the last one would count")
        for ref in (*item.precedence, *item.notes):
            rule = ctx.rules.get(ref.name)
            if rule is None:
                ctx.error("C032", f"unknown rule `{ref.name}`", ref.span, did_you_mean(ref.name, ctx.rules))
                continue
            if ref.name in placed:
                ctx.error("C033", f"rule `{ref.name}` is listed twice", ref.span, None,
                          [Label(placed[ref.name], "first listed here")])
            placed[ref.name] = ref.span
            is_note = ref in item.notes
            if is_note and rule.kind not in NOTE_KINDS:
                ctx.error("C034", f"`notes` lists priority and steering rules; `{ref.name}` is a {rule.kind} rule", ref.span,
                          "move it to `precedence`")
            if not is_note and rule.kind in NOTE_KINDS:
                ctx.error("C087", f"{rule.kind} rule `{ref.name}` cannot decide; list it under `notes`", ref.span)
            _check_rule_in(ctx, item, ref, rule)
        own = _own_outcomes(ctx, item)
        gives = (*own, *REFERRALS) if own else OUTCOMES
        if item.otherwise is None:
            ctx.error("C035", f"decision `{item.name}` has no `otherwise` outcome", item.span,
                      "say what holds when no rule applies, e.g. `otherwise needs_review \"…\"`")
        elif item.otherwise not in gives:
            ctx.error("C036", f"unknown outcome `{item.otherwise}`", item.otherwise_span,
                      did_you_mean(item.otherwise, gives) or "outcomes: " + ", ".join(gives))
        population = item.population.name if item.population is not None else None
        ctx.decisions[item.name] = DecisionInfo(
            item.name, item.label, tuple(r.name for r in item.precedence), tuple(r.name for r in item.notes),
            item.otherwise or "needs_review", item.otherwise_reason, item.span, item.otherwise_span, own, population)
    if not ctx.decisions:
        ctx.error("C037", "the file has no `decision`", Span(ctx.policy.span.source, 1, 1, 1, 2),
                  "a decision lists its rules by precedence: `decision 准入 { precedence a > b otherwise … }`")
    for name, rule in ctx.rule_asts.items():
        if name not in placed:
            ctx.warn("W001", f"rule `{name}` is in no decision, so it never applies", rule.span,
                     "list it in a decision's `precedence` or `notes`")
    for name, define in ctx.define_asts.items():
        if name not in ctx.used_defines:
            ctx.warn("W002", f"definition `{name}` is never used", define.span)
    if ctx.registry_asts and not ctx.registry_used:
        ctx.warn("W005", f"registry `{ctx.registry_asts[0].name}` is asked by no definition or rule",
                 ctx.registry_asts[0].span, "ask it with `nearest(…)` or `count_within(…, 800 m)`")


def _own_outcomes(ctx: CheckContext, item: ast.Decision) -> tuple[str, ...]:
    seen: dict[str, Span] = {}
    for name in item.outcomes:
        if name.name in seen or name.name in REFERRALS or name.name == UNDETERMINED:
            if name.name in seen:
                ctx.error("C038", f"outcome `{name.name}` is declared twice", name.span,
                          "declare each outcome once")
            else:
                ctx.error("C095", f"`{name.name}` is an outcome every decision may give; do not declare it",
                          name.span, "referrals (needs_review, needs_approval) and undetermined need no declaring")
        seen.setdefault(name.name, name.span)
    return tuple(n for n in seen if n not in REFERRALS and n != UNDETERMINED)


def _check_rule_in(ctx: CheckContext, item: ast.Decision, ref: ast.Name, rule: RuleInfo) -> None:
    """A decision with its own outcomes holds status and referral rules; a status rule
    concludes one of its decision's outcomes."""
    own = tuple(n.name for n in item.outcomes)
    if rule.kind == "status":
        if not own:
            ctx.error("C039", f"status rule `{ref.name}` stands in decision `{item.name}`, which declares no "
                      "`outcomes`", ref.span, "a status rule concludes one of its decision's own outcomes: "
                      "declare them with `outcomes a, b, …`")
        elif rule.outcome not in own:
            ctx.error("C097", f"`{rule.outcome}` is not an outcome of decision `{item.name}`",
                      ctx.rule_asts[rule.name].outcome_span,
                      did_you_mean(rule.outcome, own) or "its outcomes: " + ", ".join(own))
    elif own and rule.kind not in ("referral",):
        ctx.error("C096", f"decision `{item.name}` has its own outcomes; a rule of kind `{rule.kind}` cannot stand in it",
                  ref.span, "write it as a `status` rule concluding one of: " + ", ".join(own))
