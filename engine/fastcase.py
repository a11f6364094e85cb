"""A Workspace for runs that decide many cases: plans from the compiled-plan cache, facts
checked by the fast checker (pydantic only for facts it cannot vouch for).

`policy explain` and `policy eval` use it; the decisions are the same as with the plain
`Workspace` (tests check it), only reached sooner.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dsl.spans import Source

from .case import Workspace
from .compile import resolve_plan
from .fastfacts import FactsChecker
from .plan import CheckedPlan
from .plancache import load_plan


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

    def case(self, data: dict, source: Source, base_dir: Path | None) -> tuple[CheckedPlan, dict]:
        """As `Workspace.case`, the facts checked fast; anything unusual (no plan named, facts
        the checker will not vouch for) goes to `Workspace.case`, which judges and reports it.
        INVARIANT: the plan and context are found as `Workspace.case` finds them (tested)."""
        reference = self.plan_ref or data.get("plan")
        if reference and isinstance(reference, str):
            plan = self.plan(reference)
            context_path = self.context_path
            if context_path is None and isinstance(data.get("context"), str):
                context_path = str((base_dir or Path.cwd()) / data["context"])
            facts = self.checker(plan).check(data, self.context(context_path) if context_path else None)
            if facts is not None:
                return plan, facts
        return super().case(data, source, base_dir)
