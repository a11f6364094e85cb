"""A decision's values as JSON, fast: the few kinds a batch record holds converted inline, the
rest by the renderers' one idea of a JSON value (`jsonable`), so both say the same.

A record's values are mostly ints, text and exact numbers; a region's statistics are one
object the context gives every line, converted once per run rather than once per line.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from engine.values.numbers import to_json

_KEPT = 64  # objects remembered: a run's shared statistics, and room for some of a line's own


class JsonValues:
    """`convert(value)`: what `jsonable(value)` gives. INVARIANT: a converted object is never
    mutated afterwards (facts are not; engine/fastfacts.py shares the context's statistics), so
    an object seen again, which is the same object, converts to the same JSON."""

    def __init__(self, jsonable: Callable[[Any], Any]):
        self.jsonable = jsonable
        self.seen: dict[int, tuple[dict, dict]] = {}  # id -> (the object, kept so its id is not reused; its JSON)

    def __call__(self, value: Any) -> Any:
        kind = type(value)
        if kind is int or kind is str or kind is bool or value is None:
            return value
        if kind is Fraction:
            return to_json(value)
        if kind is dict:
            held = self.seen.get(id(value))
            if held is not None and held[0] is value:
                return held[1]
            out = {k: self(v) for k, v in value.items()}
            if len(self.seen) >= _KEPT:
                self.seen.clear()
            self.seen[id(value)] = (value, out)
            return out
        return self.jsonable(value)
