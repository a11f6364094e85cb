"""One applicant's case: the facts file, the plan it names, the context it draws on.

Resolution order, documented in the README: `--plan` over the facts file's `"plan"`;
`--context` over the facts file's `"context"` (a path relative to the facts file); within the
merged facts, what the facts file itself says about `city` wins over the context, key by key.
`--registry` over the facts file's `"registry"` (a CSV path relative to the facts file); each
registry file is read and validated once per run, whatever number of cases use it.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from dsl.diagnostics import Diagnostic
from dsl.spans import Source, Span

from .compile import compile_plan, resolve_plan
from .facts import FactsError, facts_model, locate, merge_context, parse_json, validate_facts
from .plan import CheckedPlan


def read_source(path: str, what: str = "facts") -> Source:
    if path == "-":
        return Source("<stdin>", sys.stdin.read())
    try:
        return Source.read(path)
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise FactsError([Diagnostic("F000", f"cannot read {what} file `{path}`: {reason}", Span(Source(path, "")))]) from None


@dataclass(frozen=True, slots=True)
class Case:
    """One applicant ready to decide: `evaluate(case.plan, case.facts, registry=case.registry)`."""

    plan: CheckedPlan
    facts: dict
    registry: object | None  # engine.registry.Registry, or None when the case names none


@dataclass
class Workspace:
    """Plans, models and contexts loaded once and reused for every case of a run."""

    plan_ref: str | None = None
    context_path: str | None = None
    registry_path: str | None = None
    plans: dict[str, CheckedPlan] = field(default_factory=dict)
    models: dict[int, object] = field(default_factory=dict)
    contexts: dict[str, dict] = field(default_factory=dict)
    registries: dict[tuple, object] = field(default_factory=dict)  # (file, closed categories) -> Registry

    def plan(self, reference: str) -> CheckedPlan:
        path = str(resolve_plan(reference))
        if path not in self.plans:
            self.plans[path] = compile_plan(path)
        return self.plans[path]

    def model(self, plan: CheckedPlan):
        key = id(plan)
        if key not in self.models:
            self.models[key] = facts_model(plan)
        return self.models[key]

    def context(self, path: str) -> dict:
        if path not in self.contexts:
            source = read_source(path, "context")
            self.contexts[path] = parse_json(source.text, source, "context")
        return self.contexts[path]

    def case(self, data: dict, source: Source, base_dir: Path | None) -> tuple[CheckedPlan, dict]:
        """Validated facts of one applicant, with the plan they are judged under."""
        reference = self.plan_ref or data.get("plan")
        if not reference:
            raise FactsError([Diagnostic("F003", "no plan named", Span(source),
                                         'pass --plan PLAN, or add "plan": "<plan id>" to the facts file')])
        if not isinstance(reference, str):
            raise FactsError([Diagnostic("F002", "expected a plan id in quotes", Span(source), path="plan")])
        plan = self.plan(reference)
        context_path = self.context_path
        if context_path is None and isinstance(data.get("context"), str):
            context_path = str((base_dir or Path.cwd()) / data["context"])
        context = self.context(context_path) if context_path else None
        return plan, self.validate(plan, data, context, source)

    def validate(self, plan: CheckedPlan, data: dict, context: dict | None, source: Source) -> dict:
        """The facts merged with their context and validated; FactsError naming each bad path."""
        return validate_facts(plan, merge_context(data, context), source, self.model(plan))

    def registry(self, path: str, plan: CheckedPlan | None):
        """The registry file validated for this plan: against its closed list of categories, if
        it declares one (`categories …` in its `registry` block), else any category is taken."""
        from .registry import load_registry  # numpy and scipy: only runs that use a registry pay for them

        categories = plan.registry.categories if plan is not None and plan.registry else None
        key = (str(Path(path).resolve()), categories)
        if key not in self.registries:
            self.registries[key] = load_registry(path, categories)
        return self.registries[key]

    def registry_for(self, plan: CheckedPlan, data: dict, source: Source, base_dir: Path | None):
        """The registry a case is judged against: `--registry`, else the facts file's, else None."""
        path = self.registry_path
        if path is None:
            named = data.get("registry")
            if named is None:
                return None
            if not isinstance(named, str):
                raise FactsError([Diagnostic("F002", "expected a CSV file name in quotes", locate(source, "registry"),
                                             '"registry": "registry.csv"', path="registry")])
            path = str((base_dir or Path.cwd()) / named)
        return self.registry(path, plan)

    def open_case(self, data: dict, source: Source, base_dir: Path | None) -> Case:
        """`case`, with the registry the case names (or `--registry` gives)."""
        plan, facts = self.case(data, source, base_dir)
        return Case(plan, facts, self.registry_for(plan, data, source, base_dir))

    def open_case_file(self, path: str) -> Case:
        source = read_source(path)
        data = parse_json(source.text, source)
        return self.open_case(data, source, Path(path).parent if path != "-" else Path.cwd())

    def case_from_file(self, path: str) -> tuple[CheckedPlan, dict]:
        source = read_source(path)
        data = parse_json(source.text, source)
        base = Path(path).parent if path != "-" else Path.cwd()
        return self.case(data, source, base)
