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

from dataclasses import dataclass

import z3

from ..plan import CheckedPlan
from ..types import NumT
from .solve import solve
from .spaces import ConcreteSpace, matches, whole_number_paths
from .translate import Translation, Untranslatable, sort_of
from .whatif import split_path, type_at

SETTLES, CAN_SETTLE, NOT_ALONE = "settles", "can settle", "not alone"


@dataclass(frozen=True)
class Needed:
    fact: str
    label: str | None
    effect: str  # settles | can settle | not alone
    outcomes: tuple[str, ...]  # the outcomes its value can lead to (undetermined included)


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
        found.append(Needed(dotted, (info.alias or info.label) if info else None, effect,
                            tuple(sorted(outcomes))))
    order = {SETTLES: 0, CAN_SETTLE: 1, NOT_ALONE: 2}
    found.sort(key=lambda n: (order[n.effect], len(n.outcomes), n.fact))
    return tuple(found)
