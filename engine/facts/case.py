"""One applicant's case: the facts file, the plan it names, the context it draws on.

Resolution order, documented in the README: `--plan` over the facts file's `"plan"`;
`--context` over the facts file's `"context"` (a path relative to the facts file); within the
merged facts, what the facts file itself says about `city` wins over the context, key by key.
`--registry` over the facts file's `"registry"` (a CSV path relative to the facts file); each
registry file is read and validated once per run, whatever number of cases use it.
"""
from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import field
from dsl.dataclass_cache import dataclass
from fractions import Fraction
from pathlib import Path

from dsl.diagnostics import Diagnostic, PolicyError
from dsl.spans import Source, Span
from engine.compile.pipeline import compile_plan, resolve_plan
from engine.compile.plan import CheckedPlan
from engine.facts.validate import FactsError, facts_model, merge_context, parse_json, validate_facts
from engine.reading import reader
from engine.reading.reader import locate
from engine.values.numbers import is_number, to_json


def read_source(path: str, what: str = "facts") -> Source:
    """An input file as text, by engine/reading/reader.py's rules (kept here for callers of old)."""
    return reader.read_source(path, what)


def choose_decision(plan: CheckedPlan, option: str | None, facts: dict, source: Source | None = None,
                    single: bool = True) -> str:
    """The decision a case asks for: `--decision`, else the facts file's `"decision"`, else the
    plan's first (admission, 准入). An unknown name is bad input, with the plan's decisions;
    `single` refuses a population decision, which only `policy eval` can run over its lines."""
    name = option if option is not None else facts.get("decision")
    if name is None:
        return plan.main_decision.name

    def where() -> Span:  # found only for a name that is wrong: searching the line costs more than deciding it
        return Span(Source("--decision", "")) if option is not None or source is None else locate(source, "decision")

    if not isinstance(name, str) or name not in plan.decisions:
        from dsl.diagnostics import did_you_mean

        known = ", ".join(plan.decisions)
        raise FactsError([Diagnostic("A010", f"plan `{plan.stamp.id}` has no decision `{name}`", where(),
                                     did_you_mean(str(name), plan.decisions) or f"its decisions: {known}")])
    population = plan.decisions[name].population
    if single and population is not None:
        raise FactsError([Diagnostic("A011", f"decision `{name}` is decided over the population `{population}`, "
                                     "not one file", where(),
                                     f"run `policy eval --decision {name} POPULATION.jsonl`, one line per member")])
    return name


def named_path(base_dir: Path | None, named: str, what: str, source: Source) -> str:
    """A file a facts file names (`"context"`, `"registry"`), relative to the facts file's folder.

    With POLICY_CONFINE_FACTS=1 (a service deciding facts files it did not write), what a
    facts file names is confined as a plan's source is: relative, and inside the facts
    file's folder once `..` and symlinks are resolved, so a facts file cannot make the engine
    read, and quote in its errors, a file elsewhere. Without it, a facts file may name any
    file, as the operator's command line may (docs/records.md, "What a facts file may name").
    `--context` and `--registry` on the command line are never confined.
    """
    base = base_dir or Path.cwd()
    if "\0" in named or not named.strip():
        raise FactsError([Diagnostic("F002", f"`{named.encode('unicode_escape').decode()}` is not a file name",
                                     locate(source, what) if source else Span(),
                                     f'"{what}": "<file beside the facts file>"', path=what)])
    target = base / named
    if os.environ.get("POLICY_CONFINE_FACTS", "") not in ("", "0"):
        try:
            inside = not Path(named).is_absolute() and target.resolve().is_relative_to(base.resolve())
        except (OSError, RuntimeError, ValueError):  # a loop of links, a name too long, a NUL byte
            inside = False
        if not inside:
            raise FactsError([Diagnostic("F020", f"{what} `{named}` is outside the facts file's folder",
                                         locate(source, what) if source else Span(),
                                         f"keep the {what} file beside the facts file, or give it with --{what}")])
    return str(target)


@dataclass(frozen=True, slots=True)
class Case:
    """One applicant ready to decide: `evaluate(case.plan, case.facts, registry=case.registry)`,
    with the warnings its input gave (undeclared keys, a registry with no institution of its
    type): each a Diagnostic of severity "warning" naming its file and place."""

    plan: CheckedPlan
    facts: dict
    registry: object | None  # engine.registry.load.Registry, or None when the case names none
    warnings: tuple[Diagnostic, ...] = ()
    source: Source | None = None  # the facts file, for pointing at a key of it


@dataclass
class Workspace:
    """Plans, models and contexts loaded once and reused for every case of a run.

    `strict` turns every warning of a case into an error (exit 2), for integrators' CI."""

    plan_ref: str | None = None
    context_path: str | None = None
    registry_path: str | None = None
    plans: dict[str, CheckedPlan] = field(default_factory=dict)
    models: dict[int, object] = field(default_factory=dict)
    contexts: dict[str, dict] = field(default_factory=dict)
    registries: dict[tuple, object] = field(default_factory=dict)  # (file, closed categories) -> Registry
    strict: bool = False
    context_sources: dict[int, tuple[dict, Source]] = field(default_factory=dict)  # id(context) -> its file
    shapes: dict[int, object] = field(default_factory=dict)
    context_warnings: dict[tuple[int, int], tuple[Diagnostic, ...]] = field(default_factory=dict)
    vocabularies: dict[int, tuple] = field(default_factory=dict)  # id(plan) -> registry_vocabulary(plan)
    keys_clean: bool = False  # set by a validator that saw the last facts hold no undeclared key (fastcase)

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

    def shape(self, plan: CheckedPlan):
        found = self.shapes.get(id(plan))  # plans are kept in self.plans, so ids are not reused
        if found is None:
            from engine.facts.undeclared import KeyShape

            found = self.shapes[id(plan)] = KeyShape(plan)
        return found

    def context(self, path: str) -> dict:
        if path not in self.contexts:
            source = read_source(path, "context")
            data = self.contexts[path] = parse_json(source.text, source, "context")
            self.context_sources[id(data)] = (data, source)
        return self.contexts[path]

    def _prepare(self, data: dict, source: Source, base_dir: Path | None):
        """(plan, validated facts, the context or None): the facts merged with their context
        and validated, each bad value blamed on the file it came from."""
        reference = self.plan_ref or data.get("plan")
        if not reference:
            raise FactsError([Diagnostic("F003", "no plan named", Span(source),
                                         'pass --plan PLAN, or add "plan": "<plan id>" to the facts file')])
        if not isinstance(reference, str):
            raise FactsError([Diagnostic("F002", "expected a plan id in quotes", locate(source, "plan"),
                                         path="plan")])
        try:
            plan = self.plan(reference)
        except PolicyError as error:
            if self.plan_ref:
                raise
            # the facts file named it: point at its "plan", not at a file the user never wrote
            raise FactsError([dataclasses.replace(d, span=locate(source, "plan"), path="plan")
                              for d in error.diagnostics]) from None
        context = self.context_for(data, base_dir, source)
        try:
            facts = self.validate(plan, data, context, source)
        except FactsError as error:
            raise FactsError([self._blame(d, data, context) for d in error.diagnostics]) from None
        _check_place(plan, facts, source)
        return plan, facts, context

    def context_for(self, data: dict, base_dir: Path | None, source: Source | None = None) -> dict | None:
        """The context a case draws on: `--context`, else the facts file's `"context"`, else None."""
        context_path = self.context_path
        named = data.get("context")
        if context_path is None and named is not None:
            if not isinstance(named, str):
                raise FactsError([Diagnostic("F002", "expected a JSON file name in quotes",
                                             locate(source, "context") if source else Span(),
                                             '"context": "context-2026.json"',
                                             path="context")])
            context_path = named_path(base_dir, named, "context", source)
        return self.context(context_path) if context_path else None

    def case(self, data: dict, source: Source, base_dir: Path | None) -> tuple[CheckedPlan, dict]:
        """Validated facts of one applicant, with the plan they are judged under."""
        plan, facts, _ = self._prepare(data, source, base_dir)
        return plan, facts

    def validate(self, plan: CheckedPlan, data: dict, context: dict | None, source: Source) -> dict:
        """The facts merged with their context and validated; FactsError naming each bad path."""
        return validate_facts(plan, merge_context(data, context), source, self.model(plan))

    def _blame(self, diagnostic: Diagnostic, data: dict, context: dict | None) -> Diagnostic:
        """A bad value under `city` that the facts file does not give came from the context file:
        point there (the facts file wins key by key, so a value it gives is its own)."""
        path = diagnostic.path
        held = self.context_sources.get(id(context)) if context is not None else None
        if path is None or held is None or not path.startswith("city") or _has_path(data, path):
            return diagnostic
        within = path if isinstance(context.get("city"), dict) else path.partition(".")[2]
        return dataclasses.replace(diagnostic, span=locate(held[1], within))

    def warnings(self, plan: CheckedPlan, data: dict, source: Source, context: dict | None,
                 registry, facts: dict) -> tuple[Diagnostic, ...]:
        """What a case's input says that the plan will not read, or cannot use; see engine/facts/undeclared.py."""
        shape = self.shape(plan)
        found = [] if self.keys_clean else shape.warnings(data, source)
        nothing = shape.gives_nothing(data, source)
        if nothing is not None:
            found.append(nothing)
        held = self.context_sources.get(id(context)) if context is not None else None
        if held is not None and isinstance(shape.tree.get("city"), dict):
            key = (id(plan), id(context))
            if key not in self.context_warnings:
                statistics = context.get("city") if isinstance(context.get("city"), dict) else context
                self.context_warnings[key] = tuple(shape.warnings(
                    statistics, held[1], "city", shape.tree.get("city"), "city" if statistics is not context else ""))
            found += [w for w in self.context_warnings[key] if not _has_path(data, w.path or "")]
        gap = _registry_gap(plan, registry, facts)
        if gap is not None:
            found.append(gap)
        return tuple(found)

    def registry(self, path: str, plan: CheckedPlan | None):
        """The registry file validated for this plan: each row's category a registry category of
        the plan, written as the plan's registry names it or by the applicant category's code or
        label (`pharmacy`, `零售药店`), and refused otherwise with a did-you-mean."""
        from engine.registry.load import load_registry  # numpy and scipy: only runs that use a registry pay for them
        from engine.registry.vocabulary import registry_vocabulary

        vocabulary = self.vocabularies.get(id(plan))
        if vocabulary is None:  # once per plan, not once per line of a batch
            vocabulary = self.vocabularies[id(plan)] = registry_vocabulary(plan) if plan is not None else (None, {})
        known, aliases = vocabulary
        key = (str(Path(path).resolve()), known)
        if key not in self.registries:
            self.registries[key] = load_registry(path, known, aliases)
        return self.registries[key]

    def registry_for(self, plan: CheckedPlan, data: dict, source: Source, base_dir: Path | None):
        """The registry a case is judged against: `--registry`, else the facts file's, else None."""
        path = self.registry_path
        if path is None:
            named = data.get("registry")
            if named is None:
                return None
            if not isinstance(named, str):
                raise FactsError([Diagnostic("F002", "expected a CSV file name in quotes",
                                             locate(source, "registry"), '"registry": "registry.csv"', path="registry")])
            path = named_path(base_dir, named, "registry", source)
        return self.registry(path, plan)

    def open_case(self, data: dict, source: Source, base_dir: Path | None) -> Case:
        """`case`, with the registry the case names (or `--registry` gives) and its warnings;
        with `strict`, a warning is an error."""
        plan, facts = self.case(data, source, base_dir)
        context = self.context_for(data, base_dir, source)
        registry = self.registry_for(plan, data, source, base_dir)
        warnings = self.warnings(plan, data, source, context, registry, facts)
        if warnings and self.strict:
            raise FactsError([dataclasses.replace(w, severity="error") for w in warnings])
        return Case(plan, facts, registry, warnings, source)

    def open_case_file(self, path: str) -> Case:
        source = read_source(path)
        data = parse_json(source.text, source)
        return self.open_case(data, source, Path(path).parent if path != "-" else Path.cwd())

    def case_from_file(self, path: str) -> tuple[CheckedPlan, dict]:
        source = read_source(path)
        data = parse_json(source.text, source)
        base = Path(path).parent if path != "-" else Path.cwd()
        return self.case(data, source, base)


def _has_path(data: dict, path: str) -> bool:
    """Whether a dotted JSON path (with [i] indexes) leads to a value given in `data`."""
    node: object = data
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("[") and isinstance(node, list):
            index = int(part[1:-1])
            node = node[index] if index < len(node) else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return False
        if node is None:
            return False
    return True


def _check_place(plan: CheckedPlan, facts: dict, source: Source) -> None:
    """A location out of range is bad facts, blamed on the facts file (swapped lat/lon is the
    usual cause), before any rule measures a distance from it."""
    if plan.registry is None:
        return
    applicant = facts.get("applicant")
    location = applicant.get("location") if isinstance(applicant, dict) else None
    if not isinstance(location, dict):
        return
    lat, lon = location.get("lat"), location.get("lon")
    for axis, value, limit in (("lat", lat, 90), ("lon", lon, 180)):
        if is_number(value) and not _within(value, limit):
            swapped = axis == "lat" and is_number(lon) and abs(lon) <= 90 and abs(value) <= 180
            path = f"applicant.location.{axis}"
            raise FactsError([Diagnostic(  # E003's problem, caught before any rule measures from it
                "E003", f"`{to_json(value)}` is outside [-{limit}, {limit}]", locate(source, path),
                "did you swap `lat` and `lon`? give decimal degrees, latitude first" if swapped
                else "give the location in decimal degrees", path=path)])


def _within(value, limit: int) -> bool:
    """|value| <= limit, exactly; a Fraction compared by its integers, for this runs once a line."""
    if type(value) is Fraction:
        return abs(value.numerator) <= limit * value.denominator
    return abs(value) <= limit


def _registry_gap(plan: CheckedPlan, registry, facts: dict) -> Diagnostic | None:
    """A registry that holds no institution of the applicant's type: its spacing rule can find no
    neighbour, so the decision says so rather than pass as if the file were complete."""
    if registry is None or plan.registry is None:
        return None
    applicant = facts.get("applicant")
    category = applicant.get("category") if isinstance(applicant, dict) else None
    counted = dict(plan.registry.same_type).get(category)
    if not counted or any(c in registry.categories for c in counted):
        return None
    source = getattr(registry, "source", None)
    path = source.path if source is not None else "the registry"
    return Diagnostic("R015", f"the registry has no {' or '.join(counted)} institution, the type of a "
                      f"`{category}` applicant: no spacing rule can find a neighbour",
                      Span(source) if source is not None else Span(Source(path, "")),
                      "check that the registry file is complete, and its `category` column",
                      severity="warning")
