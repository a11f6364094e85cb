"""Lints from the solver: what the precedence of a decision makes impossible or leaves open.

Over every complete applicant (every fact present, within its declared range: the space of
engine/solver/spaces.py), for each decision the translation says exactly:

- W101 a rule no applicant can reach: its condition is unsatisfiable, or whenever it holds a
  rule above it holds too (the rule never decides);
- W102 an exemption shadowed by a rule above it: whenever the exemption holds, that rule holds;
- W103 overlapping tiers: two admission or ratio rules of the same outcome that hold for the
  same applicant, so the lower one is silently overridden;
- W104 an input region no rule decides: applicants of a category for whom only `otherwise`
  decides (which may be the plan's intent: then its reading should say so).

A decision the translation cannot express is not linted (`diff --semantic` names why).
Each finding carries a witness: a facts file (printed on the help line, and written with
`policy check --witness-dir`) for which `policy explain` shows the finding.
"""
from __future__ import annotations

import json
from dsl.dataclass_cache import dataclass

import z3

from dsl.diagnostics import Diagnostic
from engine.compile.plan import CheckedPlan
from engine.solver.semantic_diff import CATEGORY
from engine.solver.solve import solve
from engine.solver.spaces import SymbolicSpace
from engine.solver.translate import Translation, Untranslatable, all_of
from engine.solver.witness import occurring, simplest_model

TIERED = ("ratio", "admission")


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    span: object
    help: str
    witness: dict | None
    name: str  # a short name for the witness file


def lint_plan(plan: CheckedPlan, timeout_ms: int = 5000) -> list[Finding]:
    """Every solver finding of every decision of the plan (see the module's docstring)."""
    found: list[Finding] = []
    for name in plan.decisions:
        space = SymbolicSpace([plan])
        try:
            d = Translation(plan, space).decision(name)
        except Untranslatable:
            # Not linted: a warning on every check of a plan whose population or timeline
            # decisions the solver cannot express would teach people to skip warnings.
            # `diff --semantic` names the construct, where a claim depends on it.
            continue
        found += _decision(plan, space, d, name, timeout_ms)
    return found


def _witness(space: SymbolicSpace, asserted: list, timeout_ms: int) -> dict | None:
    status, s = solve([*space.side, *asserted], timeout_ms)
    if status != "sat":
        return None
    # Pin the enum facts (category, district) to the model's values first, so the witness
    # gives only the facts that matter for that applicant, not every region's statistics.
    model = s.model()
    pins = [(var, model.eval(var, model_completion=True)) for var, t in space.vars.values()
            if hasattr(t, "name") and not z3.is_app_of(var, z3.Z3_OP_TO_REAL) and var.sort() == z3.IntSort()]
    for var, value in pins:
        s.add(var == value)
    names = occurring([z3.simplify(z3.substitute(z3.And(*asserted), *pins))]) | occurring([v for v, _ in pins])
    if s.check() != z3.sat:
        return None
    got = simplest_model(s, space, names)
    if got is None:
        return None
    facts = got[1]
    facts["applicant"] = {"id": "lint-witness", **facts.get("applicant", {})}
    return facts


def _holds(v):
    return all_of(v.defined, v.value)


def _decision(plan: CheckedPlan, space: SymbolicSpace, d, name: str, timeout_ms: int) -> list[Finding]:
    out: list[Finding] = []
    rules = d.rules
    for i, rule_name in enumerate(rules):
        rule = plan.rules[rule_name]
        status, _ = solve([*space.side, d.rule == i], timeout_ms)
        if status != "unsat":
            continue
        holds = _holds(d.holds[rule_name])
        if solve([*space.side, holds], timeout_ms)[0] == "unsat":
            out.append(Finding("W101", f"rule `{rule_name}` can never apply: no applicant meets its condition",
                               rule.span, "no facts within the declared ranges satisfy `when`; check its comparisons",
                               None, rule_name))
            continue
        above = [a for a in rules[:i] if solve([*space.side, holds, z3.Not(_holds(d.holds[a]))], timeout_ms)[0] == "unsat"]
        shadow = above[0] if above else None
        by = f"`{shadow}` above it" if shadow else "the rules above it together"
        witness = _witness(space, [holds], timeout_ms)
        code, what = ("W102", f"exemption `{rule_name}` is shadowed by {by}") if rule.kind == "exemption" else (
            "W101", f"rule `{rule_name}` can never decide: whenever it applies, {by} applies first")
        out.append(Finding(code, what, rule.span, f"move it above {by.replace(' above it', '')} in the precedence of "
                           f"`{name}`, or drop it", witness, rule_name))
    for i, a in enumerate(rules):
        ra = plan.rules[a]
        for b in rules[i + 1:]:
            rb = plan.rules[b]
            if ra.kind not in TIERED or rb.kind not in TIERED or ra.outcome != rb.outcome:
                continue
            both = [d.rule == i, _holds(d.holds[b])]  # the upper tier decides while the lower holds
            if solve([*space.side, *both], timeout_ms)[0] != "sat":
                continue
            out.append(Finding("W103", f"tiers `{a}` and `{b}` overlap: an applicant can meet both, and `{b}` is then "
                               f"overridden by `{a}`", rb.span, "make the conditions exclusive (> and <=), or say "
                               "in a reading why the higher tier wins", _witness(space, both, timeout_ms), f"{a}-{b}"))
    info = plan.decisions[name]
    otherwise = d.rule == -1
    category = space.vars.get(CATEGORY)
    if category is None:
        if solve([*space.side, otherwise], timeout_ms)[0] == "sat":
            out.append(_otherwise(name, info, None, _witness(space, [otherwise], timeout_ms)))
        return out
    var, type_ = category
    for code in sorted(space.enums.get(type_.name, ())):
        pin = var == space.code(code)
        if solve([*space.side, pin, otherwise], timeout_ms)[0] == "sat":
            out.append(_otherwise(name, info, code, _witness(space, [pin, otherwise], timeout_ms)))
    return out


def _otherwise(name, info, category, witness) -> Finding:
    who = f"applicants of category `{category}`" if category else "some applicants"
    return Finding("W104", f"{who} can meet no rule of decision `{name}`: only its `otherwise` "
                   f"({info.otherwise}) decides them", info.span,
                   "if the plan means to send them there, a reading of the article should say so", witness,
                   f"{name}-{category or 'otherwise'}")


def to_diagnostics(findings: list[Finding], witness_dir: str | None = None) -> list[Diagnostic]:
    """Warnings for `policy check`, each naming its witness (written to `witness_dir` if given)."""
    from pathlib import Path

    out = []
    for f in findings:
        help_line = f.help
        if f.witness is not None:
            text = json.dumps(f.witness, ensure_ascii=False, sort_keys=True)
            if witness_dir:
                folder = Path(witness_dir)
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / f"{f.code}-{f.name}.json"
                path.write_text(json.dumps(f.witness, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                encoding="utf-8")
                help_line += f"; witness {path}"
            help_line += f"; witness facts: {text}"
        out.append(Diagnostic(f.code, f.message, f.span, help_line, severity="warning"))
    return out
