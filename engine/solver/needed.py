"""Still needed: the missing facts of an undetermined case, the most decisive first.

Each missing fact is made known (a free variable within its declared range) while the others
stay absent, and the solver asks what the outcome can then be: `settles` when every value
decides the case, `can settle` when some values do, `not alone` when the outcome stays
undetermined whatever its value (another missing fact must come too). Facts are ordered by
that, then by how few outcomes remain possible, so the first one listed is the fact whose
value settles the outcome first. The registry (`registry` among the missing) is not a fact:
it stands for the distance the facts could give instead, and is listed under that name.
"""
from __future__ import annotations

from dsl.dataclass_cache import dataclass

import z3

from engine.compile.plan import CheckedPlan
from engine.compile.types import NumT
from engine.solver.solve import solve
from engine.solver.spaces import ConcreteSpace, matches, whole_number_paths
from engine.solver.translate import Translation, Untranslatable, sort_of
from engine.solver.whatif import split_path, type_at

SETTLES, CAN_SETTLE, NOT_ALONE = "settles", "can settle", "not alone"


@dataclass(frozen=True)
class Needed:
    fact: str
    label: str | None
    effect: str  # settles | can settle | not alone
    outcomes: tuple[str, ...]  # the outcomes its value can lead to (undetermined included)
    by_value: tuple[str, ...] = ()  # for a number: which values lead where ("<= 800: spacing_conflict")


def still_needed(plan: CheckedPlan, facts: dict, missing: tuple[str, ...], decision: str | None = None,
                 timeout_ms: int = 5000) -> tuple[Needed, ...]:
    """The missing facts in the order to ask for them (see the module's docstring)."""
    name = decision or plan.main_decision.name
    whole = whole_number_paths(plan)
    found = []
    for dotted in missing:
        path = split_path(dotted)
        t = type_at(plan, path)
        if t is None:
            continue  # the registry, or a key of a map the plan computes: not a fact one can give
        var = z3.Const(dotted, sort_of(t))
        if isinstance(t, NumT) and any(matches(p, path) for p in whole):
            var = z3.ToReal(z3.Int(dotted))
        space = ConcreteSpace(facts, {path: var})
        try:
            d = Translation(plan, space).decision(name)
        except Untranslatable:
            continue
        domain = [var >= 0] if isinstance(t, NumT) else []
        if isinstance(t, NumT) and t.display == "fraction":
            domain.append(var <= 1)
        base = [*space.side, *domain]
        outcomes, block = [], []
        for _ in range(8):
            status, s = solve([*base, *block], timeout_ms)
            if status != "sat":
                break
            code = s.model().eval(d.outcome, model_completion=True)
            outcomes.append(space.text(code.as_long()))
            block.append(d.outcome != code)
        undetermined = "undetermined" in outcomes
        effect = SETTLES if not undetermined else CAN_SETTLE if len(outcomes) > 1 else NOT_ALONE
        info = plan.inputs.get(dotted)
        by_value = _by_value(d, var, space, domain) if isinstance(t, NumT) and len(outcomes) > 1 else ()
        found.append(Needed(dotted, (info.alias or info.label) if info else None, effect,
                            tuple(sorted(outcomes)), by_value))
    order = {SETTLES: 0, CAN_SETTLE: 1, NOT_ALONE: 2}
    found.sort(key=lambda n: (order[n.effect], len(n.outcomes), n.fact))
    return tuple(found)


def _by_value(d, var, space, domain) -> tuple[str, ...]:
    """The number line of one fact cut where the outcome changes, each piece with its outcome."""
    from fractions import Fraction

    from engine.solver.numberline import breakpoints, rational_text

    if z3.is_app_of(var, z3.Z3_OP_TO_REAL):
        return ()  # a whole number: its pieces would need rounding; the outcomes alone are listed
    try:
        points = [p for p in breakpoints(z3.simplify(d.outcome) == -2, var) if p >= 0]
    except Exception:  # noqa: BLE001 - a rounding function of the fact: no pieces, the outcomes stand
        return ()
    if not points or len(points) > 6:
        return ()

    def outcome_at(value: Fraction) -> str:
        got = z3.simplify(z3.substitute(d.outcome, (var, z3.RealVal(f"{value.numerator}/{value.denominator}"))))
        return space.text(got.as_long()) if z3.is_int_value(got) else "?"

    pieces: list[tuple[str, str]] = []  # (description, outcome)
    lower = Fraction(0)
    probes = []
    for p in points:
        probes.append((f"< {rational_text(p)}", outcome_at((lower + p) / 2 if p > lower else p - 1)))
        probes.append((f"= {rational_text(p)}", outcome_at(p)))
        lower = p
    probes.append((f"> {rational_text(points[-1])}", outcome_at(points[-1] + 1)))
    for text, outcome in probes:  # merge neighbours with the same outcome: `< 800` and `= 800` are `<= 800`
        if pieces and pieces[-1][1] == outcome:
            last = pieces[-1][0]
            if last.startswith("< ") and text.startswith("= ") and last[2:] == text[2:]:
                pieces[-1] = ("<= " + text[2:], outcome)
                continue
            if last.startswith("= ") and text.startswith("> ") and last[2:] == text[2:]:
                pieces[-1] = (">= " + text[2:], outcome)
                continue
            pieces[-1] = (f"{last}, {text}", outcome)
            continue
        pieces.append((text, outcome))
    return tuple(f"{text}: {outcome}" for text, outcome in pieces)
