"""Facts validation without pydantic on the common path: well-formed facts, checked fast.

The pydantic model of engine/facts/validate.py stays the authority. This checker, generated from the
same plan inputs, accepts only facts whose meaning is plain (JSON booleans, numbers, text,
`YYYY-MM-DD` dates, known enum codes or labels, objects where the plan has records) and
returns exactly what `model_validate(...).model_dump()` would: declared fields in declared
order, absent ones as None, enum labels turned into codes, undeclared fields kept after
them. Anything else (a wrong type, an unknown district, a date in another form) makes it
step aside, and pydantic decides, with its messages naming the JSON path.

For a batch with one context file, the city statistics are checked once and shared by every
line that brings none of its own.
"""
from __future__ import annotations

import marshal
import re
from datetime import date
from fractions import Fraction
from typing import Any

from engine.compile.plan import CheckedPlan
from engine.compile.types import BoolT, DateT, EnumT, ListT, MapT, NumT, RecordT, TextT, Type
from engine.facts.validate import facts_tree
from engine.values.numbers import from_float

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


class _StepAside(Exception):
    """The facts are not plainly well-formed: let pydantic judge them."""


def _date(text: str) -> date:
    if not _DATE.match(text):
        raise _StepAside
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _StepAside from None


def _fail(*_):
    raise _StepAside


# What the generated functions call, besides their constants and `_EXTRA` (a checker's own list).
# `_float` is `from_float`: its ValueError for NaN or infinity steps aside too (check catches it).
_RUNTIME = {"_StepAside": _StepAside, "_date": _date, "_fail": _fail, "_Fraction": Fraction, "_float": from_float}


class _Writer:
    """Writes one function per record of the facts tree; names and codes go in as constants."""

    def __init__(self, plan: CheckedPlan):
        self.plan = plan
        self.extra: list[str] = []  # the undeclared keys the last check met (engine/facts/undeclared.py reports them)
        self.constants: dict[str, Any] = {"_StepAside": _StepAside, "_date": _date, "_fail": _fail,
                                          "_EXTRA": self.extra, "_Fraction": Fraction, "_float": from_float}
        self.functions: list[str] = []

    def const(self, value: Any) -> str:
        name = f"K{len(self.constants)}"
        self.constants[name] = value
        return name

    def record(self, fields: dict[str, Any], optional_fields: bool = True) -> str:
        """A function checking one JSON object against these fields; returns its name.

        Each field is read with `get` (absent and null are both None) and checked in declared
        order; the object is built in one display; only an object with a key beyond the
        declared ones (a C-level set comparison tells) walks its keys for them."""
        name = f"M{len(self.functions)}"
        self.functions.append("")  # reserve the slot, so nested records number after it
        lines = [f"def {name}(d):", "    if type(d) is not dict: raise _StepAside"]
        keys = []
        for i, (key, sub) in enumerate(fields.items()):
            k = self.const(key)
            keys.append(f"{k}: a{i}")
            lines += [f"    v = d.get({k})", f"    a{i} = {self.value(sub)}"]
        declared = self.const(frozenset(fields))
        lines += [f"    o = {{{', '.join(keys)}}}",
                  f"    if not d.keys() <= {declared}:",
                  "        for k, v in d.items():",
                  f"            if k not in {declared}:",
                  "                if type(k) is not str: raise _StepAside",
                  "                _EXTRA.append(k)",
                  "                o[k] = v",
                  "    return o"]
        self.functions[int(name[1:])] = "\n".join(lines) + "\n"
        return name

    def value(self, t: Type | dict) -> str:
        """An expression checking and converting `v`: None (absent or null) stays None."""
        if isinstance(t, dict):
            return f"None if v is None else {self.record(t)}(v)"
        match t:
            case BoolT():
                return "v if type(v) is bool or v is None else _fail()"
            case NumT():
                # a float a Python caller gave, read as pydantic reads it (engine.facts.validate._number)
                return ("v if type(v) is int or type(v) is _Fraction or v is None else "
                        "_float(v) if type(v) is float else _fail()")
            case TextT():
                return "v if type(v) is str or v is None else _fail()"
            case DateT():
                return "_date(v) if type(v) is str else None if v is None else _fail()"
            case EnumT(name=enum):
                codes: dict[str, str] = {}
                for code, label in self.plan.enums[enum].members:  # the first member named wins
                    codes.setdefault(code, code)
                    if label:
                        codes.setdefault(label, code)
                return f"({self.const(codes)}.get(v) or _fail()) if type(v) is str else None if v is None else _fail()"
            case RecordT(fields=fields):
                return f"None if v is None else {self.record(dict(fields))}(v)"
            case ListT(item=item):
                inner = self.item(item)
                return f"[{inner}(x) for x in v] if type(v) is list else None if v is None else _fail()"
            case MapT(value=value):
                inner = self.item(value)
                return (f"{{k: {inner}(x) for k, x in v.items() if type(k) is str or _fail()}} "
                        f"if type(v) is dict else None if v is None else _fail()")
        return "None if v is None else _fail()"

    def item(self, t: RecordT) -> str:
        """A list item or map value: a record that must be there (pydantic refuses null)."""
        return self.record(dict(t.fields))


def _generate(plan: CheckedPlan) -> tuple[bytes, dict[str, Any], str, str | None]:
    """The checker's functions, compiled, as marshal bytes (the plan cache keeps them: they
    took a cold explain longer to compile than to run), with the constants they name and the
    names of the functions for the facts and for a context's city."""
    tree = facts_tree(plan)
    writer = _Writer(plan)
    top = writer.record(tree)
    city = writer.record(tree["city"]) if isinstance(tree.get("city"), dict) else None
    code = compile("\n".join(writer.functions), "<facts checker>", "exec")
    return marshal.dumps(code), writer.constants, top, city


class FactsChecker:
    """`check(data, context)`: the validated facts, or None when pydantic must decide."""

    def __init__(self, plan: CheckedPlan):
        from engine.facts.plancache import artefact

        code, constants, top, city = artefact(plan, "facts checker", lambda: _generate(plan))
        self._extra: list[str] = []  # the undeclared keys the last check met (engine/undeclared.py reports them)
        namespace = {**_RUNTIME, **constants, "_EXTRA": self._extra, "_U": object()}
        exec(marshal.loads(code), namespace)  # our code, user text as constants
        self._top = namespace[top]
        self._city = namespace[city] if city else None
        self._contexts: dict[int, tuple[dict, dict | None]] = {}

    @property
    def clean(self) -> bool:
        """Whether the facts of the last `check` that returned them held no undeclared key."""
        return not self._extra

    def check(self, data: dict, context: dict | None = None) -> dict | None:
        self._extra.clear()
        try:
            if context and self._city is not None and not data.get("city"):
                facts = self._top(data)
                facts["city"] = self._context_city(context)
                return facts
            if context:
                from engine.facts.validate import merge_context

                data = merge_context(data, context)
            return self._top(data)
        except (_StepAside, ValueError):  # ValueError: a float that is not finite
            return None

    def _context_city(self, context: dict) -> dict:
        """The context's statistics checked once (INVARIANT: nothing mutates facts, so lines share them)."""
        held = self._contexts.get(id(context))
        if held is None or held[0] is not context:  # the context is kept, so its id is not reused
            city = context.get("city", context)
            try:
                checked = self._city(dict(city)) if isinstance(city, dict) else None
            except (_StepAside, ValueError):
                checked = None
            held = self._contexts[id(context)] = (context, checked)
        if held[1] is None:
            raise _StepAside
        return held[1]
