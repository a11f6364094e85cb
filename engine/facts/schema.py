"""The JSON Schema of a plan's facts file, for integrators who produce facts.

Built from the plan's own input declarations: each field carries the name the rules use
(its alias), the Chinese label, the unit, and for an enum every code with its label. Every
field is optional, as in the engine: an absent fact is missing, not false.
"""
from __future__ import annotations

from typing import Any

from dsl import ast
from engine.compile.plan import CheckedPlan
from engine.compile.types import (
    BoolT,
    DateT,
    EnumT,
    ListT,
    MapT,
    NumT,
    RecordT,
    TextT,
    Type,
    unit_text,
)
from engine.facts.validate import facts_tree

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _describe(*parts: str | None) -> dict[str, str]:
    text = " · ".join(p for p in parts if p)
    return {"description": text} if text else {}


def _type_schema(t: Type, plan: CheckedPlan, labels: dict[str, str]) -> dict[str, Any]:
    match t:
        case BoolT():
            return {"type": "boolean"}
        case TextT():
            return {"type": "string"}
        case DateT():
            return {"type": "string", "format": "date"}
        case NumT(unit=unit, display=display):
            schema: dict[str, Any] = {"type": "number"}
            if unit:
                schema["x-unit"] = unit_text(unit)
            if display == "fraction":
                schema["x-fraction"] = True  # 0.05 means 5%
            return schema
        case EnumT(name=name):
            info = plan.enums[name]
            labels = {code: label for code, label in info.members if label}
            accepted = list(dict.fromkeys([code for code, _ in info.members] + list(labels.values())))
            schema = {"type": "string", "enum": accepted, **_describe(info.label or name)}
            if labels:  # the engine takes a member's code or its label, and reports the code
                schema["x-labels"] = labels
            return schema
        case RecordT(fields=fields):
            return _object({f: ft for f, ft in fields}, plan, labels, f"{t.name}.")
        case ListT(item=item):
            return {"type": "array", "items": _type_schema(item, plan, labels)}
        case MapT(value=value):
            return {"type": "object", "additionalProperties": _type_schema(value, plan, labels)}
    return {}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """null is accepted wherever a fact may stand: the engine reads it as missing."""
    out = dict(schema)
    if isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


def _object(tree: dict[str, Any], plan: CheckedPlan, labels: dict[str, str], prefix: str) -> dict[str, Any]:
    properties = {}
    for key, sub in tree.items():
        path = prefix + key
        schema = (_object(sub, plan, labels, path + ".") if isinstance(sub, dict)
                  else _type_schema(sub, plan, labels))
        if path in labels:
            schema = {**schema, **_describe(labels[path], schema.get("description"))}
        properties[key] = _nullable(schema)
    return {"type": "object", "properties": properties, "additionalProperties": True}


def _labels(plan: CheckedPlan) -> dict[str, str]:
    """Dotted path -> what the plan calls it: `alias "label"`, record fields included."""
    labels: dict[str, str] = {}
    for item in plan.policy.of_type(ast.InputDecl):
        dotted = ".".join(item.path)
        words = " ".join(w for w in (item.alias, f"「{item.label}」" if item.label else None) if w)
        if words:
            labels[dotted] = words
        record = item.type.value if isinstance(item.type, ast.MapType) else item.type.item if isinstance(
            item.type, ast.ListType) else item.type
        if isinstance(record, ast.RecordType):
            for field in record.fields:
                if field.label:
                    labels[f"{dotted}.{field.name}"] = f"「{field.label}」"
    return labels


def facts_schema(plan: CheckedPlan) -> dict[str, Any]:
    labels = _labels(plan)
    schema = _object(facts_tree(plan), plan, labels, "")
    schema["properties"]["plan"]["description"] = f"the plan id, here `{plan.stamp.id}`"
    schema["properties"]["as_of"]["description"] = "the date the application is judged on"
    names = list(plan.decisions)
    schema["properties"]["decision"] = {"type": ["string", "null"], "enum": [*names, None],
                                        "description": f"the decision to take; absent: `{names[0]}`"}
    return {"$schema": DRAFT, "title": f"facts for {plan.stamp.id} ({plan.stamp.title})", **schema,
            "x-decisions": {d.name: _decision(plan, d) for d in plan.decisions.values()}}


def _decision(plan: CheckedPlan, decision) -> dict[str, Any]:
    """What an integrator needs to know of a decision: its outcomes, and for a population
    decision the facts every line must give (an aggregate's argument cannot be missing)."""
    out: dict[str, Any] = {"label": decision.label, "outcomes": list(decision.gives())}
    if decision.population is not None:
        from engine.compile import ir

        population = plan.populations[decision.population]
        needed = sorted({".".join(n.path) for a in population.aggregates for n in ir.walk(a.node)
                         if isinstance(n, ir.InputRef)})
        out["population"] = {"name": population.name, "label": population.label,
                             "aggregates": [a.name for a in population.aggregates], "each_line_needs": needed}
    return out
