"""Writing Python source text for the fast path: functions line by line, temporaries, and the
constants table through which every value that is not our own code travels.

engine/run/codegen.py says what to write for each IR node; this module is how it is written
and where the user's text goes instead (INVARIANT of codegen.py: into the constants, never
into the source). `read` and `use` write the trace records of the reference's `_read` and
`_use` (engine/run/evaluator.py) when the code is generated with trace.
"""
from __future__ import annotations

import math
from dataclasses import field
from dsl.dataclass_cache import dataclass

from engine.values.missing import Missing


@dataclass
class Fn:
    """One generated function: its header, its body lines and where the writer stands."""

    head: str
    lines: list[str] = field(default_factory=list)
    depth: int = 1
    loops: int = 0

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    def source(self) -> str:
        return "\n".join([self.head, *self.lines]) + "\n"


@dataclass
class Generated:
    """The module text and the names it expects to find when it is executed."""

    functions: tuple[str, ...]  # one source text per function (compiled one by one: CPython
    constants: dict[str, object]  # compiles a 1 MB module in twice the time of its parts)
    defines: tuple[str, ...]  # D<i> computes defines[i]
    rules: tuple[str, ...]  # Q<i> decides rules[i]

    @property
    def source(self) -> str:
        return "\n".join(self.functions)


class SourceWriter:
    """The functions written so far, the one being written, and the constants they name."""

    def __init__(self, trace: bool):
        self.trace = trace
        self.constants: dict[str, object] = {}
        self._interned: dict[tuple, str] = {}
        self.functions: list[Fn] = []
        self.fn: Fn | None = None
        self.temps = 0
        self.known: set[str] = set()  # expressions that are never Missing (literals, constants)

    # ---- names and constants
    def temp(self) -> str:
        self.temps += 1
        return f"t{self.temps}"

    def const(self, value: object) -> str:
        """A constants-table name for any value; user text only ever travels this way."""
        key = (type(value), value) if hashable(value) else (type(value), id(value))
        name = self._interned.get(key)
        if name is None:
            name = f"K{len(self.constants)}"
            self.constants[name] = value
            self._interned[key] = name
        return name

    def missing_constant(self, dotted: str) -> str:
        """One shared `Missing` per absent input path: it is never mutated, only tested by type."""
        key = (Missing, dotted)
        if key not in self._interned:
            self._interned[key] = name = f"K{len(self.constants)}"
            self.constants[name] = Missing([dotted])
        return self._interned[key]

    def literal(self, value: object) -> str:
        if value is None or value is True or value is False:
            return repr(value)
        if type(value) in (int, float) and math.isfinite(value):
            return repr(value)  # digits, sign, point and exponent only
        return self.const(value)

    def emit(self, line: str) -> None:
        self.fn.emit(line)

    # ---- trace records
    def read(self, path: str, value: str) -> None:
        """The reference's `_read`: first read of a path wins; records and lists are not values."""
        if self.trace:
            self.emit(f"if not isinstance({value}, _DL): R.setdefault({path}, None if type({value}) is Missing else {value})")

    def use(self, name: str, value: str) -> None:
        if self.trace:
            self.emit(f"U.setdefault({self.const(name)}, None if type({value}) is Missing else {value})")

    # ---- expressions: the value of a node, as a name or a literal

    def absent(self, values: list[str]) -> str | None:
        """The test `any of these is Missing`, leaving out what cannot be; None if nothing can."""
        return " or ".join(f"type({v}) is Missing" for v in values if v not in self.known) or None

    def fix(self, expression: str) -> str:
        """A path expression: a variable at once in trace mode, else left to compute on need."""
        if not self.trace:
            return f"({expression})"
        name = self.temp()
        self.emit(f"{name} = {expression}")
        return name


def hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
