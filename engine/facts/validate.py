"""Facts files: JSON in, validated against a pydantic model generated from the plan's inputs.

A fact the plan declares but the file lacks (or gives as null) is missing, not false: the
evaluator decides what that means. A fact of the wrong type, an unknown district or category,
or broken JSON is bad input: a diagnostic naming the JSON path, exit 2 at the CLI.
Fields the plan does not declare are kept and ignored, so integrators may add fields freely.
"""
from __future__ import annotations

import json
import math
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Optional

if TYPE_CHECKING:  # pydantic itself is imported only when a model is built (fast start)
    from pydantic import ValidationError

from dsl.diagnostics import Diagnostic, did_you_mean
from dsl.spans import Source
from engine.compile.plan import CheckedPlan, EnumInfo
from engine.compile.types import BoolT, DateT, EnumT, ListT, MapT, NumT, RecordT, TextT, Type
from engine.reading.reader import InputError, locate
from engine.reading.reader import parse_json as _parse_source
from engine.values.numbers import Fraction, from_float, to_json

_CONFIG = {"extra": "allow"}  # pydantic's ConfigDict; pydantic itself loads only when a model is built


class FactsError(InputError):
    """Bad input in a facts or context file."""


def _enum_value(info: EnumInfo, written: str) -> str:
    code = info.lookup(written)
    if code is None:
        options = ", ".join(c for c, _ in info.members)
        hint = did_you_mean(written, [c for c, _ in info.members] + [l for _, l in info.members if l])
        raise ValueError(f"unknown {info.label or info.name} `{written}`" + (f"; {hint}" if hint else f"; expected one of: {options}"))
    return code


def _number(value):
    """A number fact, exact: an int or a Fraction (JSON text read by `parse_json`); a float from
    a Python caller is taken as the decimal it prints as; NaN, infinity and bools are refused."""
    from pydantic_core import PydanticCustomError

    if type(value) is int or type(value) is Fraction:
        return value
    if type(value) is float and math.isfinite(value):
        return from_float(value)
    raise PydanticCustomError("float_type", "expected a number")


def _field_type(t: Type, plan: CheckedPlan, name: str):
    from pydantic import AfterValidator, PlainValidator, StrictBool, StrictStr

    match t:
        case BoolT():
            return StrictBool
        case NumT():
            return Annotated[Any, PlainValidator(_number)]
        case TextT():
            return StrictStr
        case DateT():
            return date
        case EnumT(name=enum):
            return Annotated[StrictStr, AfterValidator(partial(_enum_value, plan.enums[enum]))]
        case RecordT(fields=fields):
            return _model(name, {f: ft for f, ft in fields}, plan)
        case ListT(item=item):
            return list[_field_type(item, plan, name)]
        case MapT(value=value):
            return dict[str, _field_type(value, plan, name)]
    return Any


def _model(name: str, tree: dict[str, Any], plan: CheckedPlan):
    from pydantic import create_model

    fields = {}
    for key, sub in tree.items():
        inner = _model(f"{name}_{key}", sub, plan) if isinstance(sub, dict) else _field_type(sub, plan, f"{name}_{key}")
        fields[key] = (Optional[inner], None)
    return create_model(name or "Facts", __config__=_CONFIG, **fields)


def facts_tree(plan: CheckedPlan) -> dict[str, Any]:
    """The shape of a facts file: nested dicts down to each declared input's type.

    One shape for both validators (this pydantic model and engine.facts.fastfacts), so they
    cannot disagree on what a facts file may hold.
    """
    tree: dict[str, Any] = {"plan": TextT(), "decision": TextT(), "as_of": DateT(),
                            "applicant": {"id": TextT(), "name": TextT()}}
    for info in plan.inputs.values():
        node = tree
        for part in info.path[:-1]:
            node = node.setdefault(part, {})
        node[info.path[-1]] = info.type
    return tree


def facts_model(plan: CheckedPlan):
    """The pydantic model of a facts file for this plan (built once per plan)."""
    return _model("Facts", facts_tree(plan), plan)


# pydantic error type -> (message, hint)
_MESSAGES = {
    "bool_type": ("expected true or false", "write true or false without quotes"),
    "float_type": ("expected a number", "write a JSON number without quotes; rates are fractions (0.05 for 5%)"),
    "int_type": ("expected a number", "write a JSON number without quotes"),
    "string_type": ("expected text in quotes", None),
    "date_from_datetime_parsing": ("expected a date", 'write dates as "YYYY-MM-DD"'),
    "date_parsing": ("expected a date", 'write dates as "YYYY-MM-DD"'),
    "date_type": ("expected a date", 'write dates as "YYYY-MM-DD"'),
    "model_type": ("expected an object {…}", None),
    "dict_type": ("expected an object {…}", None),
    "list_type": ("expected a list […]", None),
}


def _json_path(loc) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("int", "float", "str", "bool") or "[" in str(part) or "function-after" in str(part):
            continue  # pydantic names the union branch it tried; the user never wrote it
        else:
            text += ("." if text else "") + str(part)
    return text


def _as_written(value):
    # Numbers are read as exact Fractions before the checks: show 1.5 as the file wrote it, not `3/2`.
    return to_json(value) if type(value) is Fraction else str(value)


def _diagnostics(error: ValidationError, source: Source) -> list[Diagnostic]:
    seen: dict[str, Diagnostic] = {}
    for problem in error.errors():
        path = _json_path(problem["loc"])
        if path in seen:
            continue  # a union reports each branch; one message per place is enough
        kind = problem["type"]
        hint = None
        if kind == "value_error":
            message = str(problem["ctx"]["error"])
        else:
            message, hint = _MESSAGES.get(kind, (problem["msg"].lower(), None))
            message += f", got `{json.dumps(problem['input'], ensure_ascii=False, default=_as_written)[:60]}`"
        seen[path] = Diagnostic("F002", message, locate(source, path), hint, path=path)
    return list(seen.values())


def parse_json(text: str, source: Source, what: str = "facts") -> dict:
    """One JSON object (engine/reading/reader.py's rules); `text` is `source.text`."""
    return _parse_source(source if source.text == text else Source(source.path, text), what)


# A `\uD800`-`\uDFFF` escape: half of a pair, or a lone surrogate, which is not text.
def merge_context(facts: dict, context: dict | None) -> dict:
    """`--context` supplies `city`; what the facts file itself says wins, key by key."""
    if not context:
        return facts
    city = context.get("city", context)

    def deep(base: dict, top: dict) -> dict:
        out = dict(base)
        for key, value in top.items():
            out[key] = deep(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        return out

    own = facts.get("city") or {}
    if not isinstance(city, dict) or not isinstance(own, dict):
        return {**facts, "city": own or city}  # not an object: validation names it, rather than a traceback here
    return {**facts, "city": deep(city, own)}


def validate_facts(plan: CheckedPlan, data: dict, source: Source, model=None) -> dict:
    """Validated, normalized facts as plain dicts (enum labels turned into codes)."""
    from pydantic import ValidationError

    model = model or facts_model(plan)
    try:
        return _plain(model.model_validate(data))
    except ValidationError as error:
        raise FactsError(_diagnostics(error, source)) from None


def _plain(value):
    """A validated model as plain dicts, as `model_dump` gives it but with exact numbers kept:
    pydantic's own dump writes a Fraction as the text '1/20'."""
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:
        out = {name: _plain(getattr(value, name)) for name in fields}
        out.update((k, _plain(v)) for k, v in (value.__pydantic_extra__ or {}).items())
        return out
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
