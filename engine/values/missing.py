"""`Missing`: the value of what could not be computed because facts are absent.

Both evaluators (engine/run/evaluator.py, the reference, and the generated code of
engine/run/codegen.py) and the decision core (engine/run/decide.py) share this one type, tested by
identity of its type (`type(v) is Missing`), never by truthiness: an absent fact is not false.
"""
from __future__ import annotations


class Missing:
    """A value that could not be computed because facts are absent; `paths` names them."""

    __slots__ = ("paths",)

    def __init__(self, paths):
        self.paths = frozenset(paths)

    def __repr__(self) -> str:
        return f"Missing({sorted(self.paths)})"


def missing(*values) -> Missing | None:
    """The union of the `Missing` among `values` (None when none is): what an operation on them lacks."""
    paths = [p for v in values if type(v) is Missing for p in v.paths]
    return Missing(paths) if paths or any(type(v) is Missing for v in values) else None
