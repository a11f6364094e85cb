"""A Workspace for runs that decide many cases: plans from the compiled-plan cache, facts
checked by the fast checker (pydantic only for facts it cannot vouch for).

`policy explain`, `policy eval` and `policy diff --population` use it; the decisions are the same as with the plain
`Workspace` (tests check it), only reached sooner.
"""
from __future__ import annotations

from dataclasses import field
from dsl.dataclass_cache import dataclass

from dsl.spans import Source
from engine.compile.pipeline import resolve_plan
from engine.compile.plan import CheckedPlan
from engine.facts.case import Workspace
from engine.facts.fastfacts import FactsChecker
from engine.facts.plancache import load_plan


@dataclass
class FastWorkspace(Workspace):
    checkers: dict[int, FactsChecker] = field(default_factory=dict)
    resolved: dict[str, CheckedPlan] = field(default_factory=dict)  # reference as written -> plan

    def plan(self, reference: str) -> CheckedPlan:
        # Resolving an id reads every .policy file in policies/: once per reference and run,
        # not once per line.
        plan = self.resolved.get(reference)
        if plan is None:
            path = str(resolve_plan(reference))
            if path not in self.plans:
                self.plans[path] = load_plan(path)
            plan = self.resolved[reference] = self.plans[path]
        return plan

    def checker(self, plan: CheckedPlan) -> FactsChecker:
        key = id(plan)  # plans are kept in self.plans, so ids are not reused
        if key not in self.checkers:
            self.checkers[key] = FactsChecker(plan)
        return self.checkers[key]

    def validate(self, plan: CheckedPlan, data: dict, context: dict | None, source: Source) -> dict:
        """As `Workspace.validate`, checked fast; facts the fast checker will not vouch for go to
        pydantic, which judges them and names every bad path."""
        checker = self.checker(plan)
        facts = checker.check(data, context)
        self.keys_clean = facts is not None and checker.clean
        return facts if facts is not None else super().validate(plan, data, context, source)
