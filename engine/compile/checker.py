"""AST -> checked plan: the checker as an ordered tuple of named passes over one context.

Each pass is a function `run(ctx)` over a `CheckContext` (engine/compile/context.py): it reads
the tables the passes before it filled and adds its own, and its diagnostics to
`ctx.diagnostics`. `check` runs them in this order, and may stop after any one (`until`), so
a test can run a pass with exactly what it needs before it:

  declarations  names are unique; enums, zones, sets, inputs, articles, the registry indexed
  bounds        chains of definitions and nesting through them within the limits (L005-L007);
                a breach stops the check: the passes below recurse through definitions
  effective     the header's `effective` is a date
  cycles        no definition or aggregate uses itself, through any chain (C020, C091)
  definitions   every definition and aggregate resolved, every type and unit checked
  rules         kinds, outcomes, conditions, assignments
  quotas        quotas cite an article, read city statistics, carry their unit; the ranking
                orders by a number
  decisions     each clause once; precedence names rules, notes name priorities, otherwise is
                an outcome; what nothing uses (W001, W002, W005)
  populations   aggregates read no aggregate, and only decisions over their population read them
  citations     every cited article exists and is operative; every operative one is cited
  quotes        every quoted article text appears in the source document
  coverage      every numbered article of the source is accounted for
"""
from __future__ import annotations

import hashlib
from dsl.dataclass_cache import dataclass
from pathlib import Path
from typing import Callable

from dsl import ast
from dsl.diagnostics import Diagnostic, PolicyError, sort_diagnostics

from engine.compile.aggregate_pass import check_populations
from engine.compile.articles import check_citations, check_coverage, check_quotes
from engine.compile.bounds import check_limits
from engine.compile.context import CheckContext
from engine.compile.cycles import find_cycles
from engine.compile.decisions import check_decisions, check_rules
from engine.compile.declarations import check_effective, collect_declarations
from engine.compile.extends import Parent, extend
from engine.compile.plan import CheckedPlan, ParentStamp, PlanStamp
from engine.compile.quotadecl import check_quotas
from engine.compile.resolve import resolve_definitions


@dataclass(frozen=True, slots=True)
class Pass:
    name: str  # as tests/cases/<name>/ and `check(…, until=name)` call it
    run: Callable[[CheckContext], None]
    final_on_error: bool = False  # when it finds an error, the passes after it are not run


PASSES: tuple[Pass, ...] = (
    Pass("declarations", collect_declarations),
    Pass("bounds", check_limits, final_on_error=True),
    Pass("effective", check_effective),
    Pass("cycles", find_cycles),
    Pass("definitions", resolve_definitions),
    Pass("rules", check_rules),
    Pass("quotas", check_quotas),
    Pass("decisions", check_decisions),
    Pass("populations", check_populations),
    Pass("citations", check_citations),
    Pass("quotes", check_quotes),
    Pass("coverage", check_coverage),
)
PASS_NAMES = tuple(p.name for p in PASSES)


def check(policy: ast.PolicyFile, text: str, policy_dir: Path | None, until: str | None = None,
          parent: Parent | None = None) -> CheckContext:
    """Run the passes in order, through `until` when given; the context holds what they found.

    `policy_dir` is the folder the source document is read from; None reads none. `parent` is
    the plan `policy` extends, its items already resolved into `policy` (engine.compile.extends)."""
    if until is not None and until not in PASS_NAMES:
        raise ValueError(f"unknown pass `{until}`; the passes: {', '.join(PASS_NAMES)}")
    ctx = CheckContext(policy, text, policy_dir, parent=parent)
    for step in PASSES:
        before = len(ctx.errors)
        step.run(ctx)
        if step.name == until or (step.final_on_error and len(ctx.errors) > before):
            break
    return ctx


def checked_plan(ctx: CheckContext, path: str) -> CheckedPlan:
    """The plan the passes have built; only for a context without errors."""
    header = ctx.header
    parent = ctx.parent
    stamp = PlanStamp(header.id, header.get("version") or "", hashlib.sha256(ctx.text.encode("utf-8")).hexdigest(),
                      header.get("title") or "", ctx.source_digest, header.get("effective") or "",
                      header.get("draft") or "",
                      ParentStamp(parent.header.id, parent.header.get("version") or "", parent.reference,
                                  hashlib.sha256(parent.text.encode("utf-8")).hexdigest(), ctx.parent_digest)
                      if parent is not None else None)
    return CheckedPlan(
        stamp=stamp, path=path, header=header, policy=ctx.policy, articles=ctx.articles,
        interpretations={k: tuple(v) for k, v in ctx.interpretations.items()}, enums=ctx.enums,
        zones=ctx.zones, inputs=ctx.inputs, defines=ctx.defines, rules=ctx.rules,
        decisions=ctx.decisions, source_document=ctx.source_document, registry=ctx.registry,
        populations=ctx.populations,
        warnings=sort_diagnostics(d for d in ctx.diagnostics if d.severity == "warning"),
        quotas=ctx.quotas, ranking=ctx.ranking, parent_document=ctx.parent_document,
        parent_articles=parent.articles if parent is not None else frozenset(),
        parent_prefix=parent.prefix if parent is not None else "",
    )


def policy_dir_of(path: str) -> Path | None:
    """The folder of a policy file, or None for a text without one (`<stdin>`, an editor buffer)."""
    return Path(path).parent if path and not path.startswith("<") else None


def check_policy(policy: ast.PolicyFile, text: str, path: str) -> tuple[CheckedPlan | None, tuple[Diagnostic, ...]]:
    """Run every pass; return the plan (None when there are errors) and all diagnostics."""
    folder = policy_dir_of(path)
    try:  # the plan it extends, resolved into it; only a plan with a folder can name one
        policy, parent = extend(policy, path) if folder is not None else (policy, None)
    except PolicyError as error:
        return None, sort_diagnostics(error.diagnostics)
    ctx = check(policy, text, folder, parent=parent)
    diagnostics = sort_diagnostics(ctx.diagnostics)
    if ctx.errors:
        return None, diagnostics
    return checked_plan(ctx, path), diagnostics


def check_or_raise(policy: ast.PolicyFile, text: str, path: str) -> CheckedPlan:
    plan, diagnostics = check_policy(policy, text, path)
    if plan is None:
        raise PolicyError([d for d in diagnostics if d.severity == "error"])
    return plan
