"""One applicant's case: the facts file, the plan it names, the context it draws on.

Resolution order, documented in the README: `--plan` over the facts file's `"plan"`;
`--context` over the facts file's `"context"` (a path relative to the facts file); within the
merged facts, what the facts file itself says about `city` wins over the context, key by key.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from dsl.diagnostics import Diagnostic
from dsl.spans import Source, Span

from .compile import compile_plan, resolve_plan
from .facts import FactsError, facts_model, merge_context, parse_json, validate_facts
from .plan import CheckedPlan


def read_source(path: str, what: str = "facts") -> Source:
    if path == "-":
        return Source("<stdin>", sys.stdin.read())
    try:
        return Source.read(path)
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise FactsError([Diagnostic("F000", f"cannot read {what} file `{path}`: {reason}", Span(Source(path, "")))]) from None


@dataclass
class Workspace:
    """Plans, models and contexts loaded once and reused for every case of a run."""

    plan_ref: str | None = None
    context_path: str | None = None
    plans: dict[str, CheckedPlan] = field(default_factory=dict)
    models: dict[int, object] = field(default_factory=dict)
    contexts: dict[str, dict] = field(default_factory=dict)

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
            raise FactsError([Diagnostic("F002", "plan: expected a plan id in quotes", Span(source))])
        plan = self.plan(reference)
        context_path = self.context_path
        if context_path is None and isinstance(data.get("context"), str):
            context_path = str((base_dir or Path.cwd()) / data["context"])
        context = self.context(context_path) if context_path else None
        facts = validate_facts(plan, merge_context(data, context), source, self.model(plan))
        return plan, facts

    def case_from_file(self, path: str) -> tuple[CheckedPlan, dict]:
        source = read_source(path)
        data = parse_json(source.text, source)
        base = Path(path).parent if path != "-" else Path.cwd()
        return self.case(data, source, base)
