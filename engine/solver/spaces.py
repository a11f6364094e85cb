"""Where the solver's facts come from: all free (symbolic), or one facts file with a few left free.

A plausible applicant is what the declarations allow: an enum fact is one of its members, a
fraction lies in [0, 1], every other number is a quantity (at least 0), a `count` is a whole
number, a date lies between 1990 and 2100. Those are the "declared ranges" a witness keeps to.
"""
from __future__ import annotations

from datetime import date
from fractions import Fraction

import z3

from dsl import ast
from engine.compile.plan import CheckedPlan
from engine.compile.types import BoolT, DateT, EnumT, NumT, TextT, Type
from engine.solver.translate import FALSE, TRUE, Space, Untranslatable, Val, sort_of

FIRST_DAY, LAST_DAY = date(1990, 1, 1).toordinal(), date(2100, 12, 31).toordinal()


def whole_number_paths(plan: CheckedPlan) -> set[tuple[str, ...]]:
    """Fact paths declared `count`, with `*` for each map key or list index on the way."""
    found: set[tuple[str, ...]] = set()

    def visit(path, type_):
        match type_:
            case ast.ScalarType(name="count"):
                found.add(path)
            case ast.RecordType(fields=fields):
                for f in fields:
                    visit((*path, f.name), f.type)
            case ast.ListType(item=item) | ast.MapType(value=item):
                visit((*path, "*"), item)

    for item in plan.policy.items:
        if isinstance(item, ast.InputDecl):
            visit(item.path, item.type)
    return found


def matches(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    return len(pattern) == len(path) and all(p in ("*", q) for p, q in zip(pattern, path))


class SymbolicSpace(Space):
    """Every fact a fresh variable, present (a complete applicant), within its declared range."""

    def __init__(self, plans: list[CheckedPlan], rows: int = 1, baseline: dict | None = None):
        super().__init__()
        self.plans = plans
        self.n_rows = rows
        # A real case's values (a context file's city statistics) that witnesses try first, so a
        # witness looks like that city with only what matters changed.
        self.baseline = baseline or {}
        self.vars: dict[tuple[str, ...], tuple[object, Type]] = {}
        self.whole = set().union(*(whole_number_paths(p) for p in plans))
        self.enums = {}
        for p in plans:
            for name, info in p.enums.items():
                self.enums.setdefault(name, set()).update(c for c, _ in info.members)

    def members(self, path, enum: str) -> set[str]:
        """The values an enum fact may take: those every plan declaring the fact accepts (a
        district of one city is no applicant of the other)."""
        dotted = ".".join(path)
        found = None
        for p in self.plans:
            info = p.inputs.get(dotted)
            if info is None or not isinstance(info.type, EnumT) or info.type.name not in p.enums:
                continue
            codes = {c for c, _ in p.enums[info.type.name].members}
            found = codes if found is None else found & codes
        return found if found is not None else set(self.enums.get(enum, ()))

    def is_whole(self, path) -> bool:
        return any(matches(p, path) for p in self.whole)

    def fact(self, path, type_):
        if path in self.vars:
            var, known = self.vars[path]
            if type(known) is not type(type_):
                raise Untranslatable(f"fact `{'.'.join(path)}` with two types ({known.describe()}, {type_.describe()})")
            return Val(TRUE, var)
        name = ".".join(path)
        if isinstance(type_, NumT) and self.is_whole(path):
            var = z3.ToReal(z3.Int(name))
        else:
            var = z3.Const(name, sort_of(type_))
        self.vars[path] = (var, type_)
        match type_:
            case NumT(display="fraction"):
                self.side.append(z3.And(var >= 0, var <= 1))
            case NumT():
                self.side.append(var >= 0)
            case DateT():
                self.side.append(z3.And(var >= FIRST_DAY, var <= LAST_DAY))
            case EnumT(name=enum):
                members = self.members(path, enum)
                if not members:
                    raise Untranslatable(f"fact `{name}` (no value of it is valid in both versions)")
                self.side.append(z3.Or(*(var == self.code(c) for c in sorted(members))))
            case TextT():
                self.side.append(var >= 0)
        return Val(TRUE, var)

    def rows(self, path):
        given = ConcreteSpace.lookup(self, path) if self.baseline else None
        return len(given) if isinstance(given, list) and given else self.n_rows

    @property
    def facts(self):  # what `lookup` reads: the baseline
        return self.baseline

    def preferred(self, path):
        """The baseline's value of a fact, as a z3 constant of its sort, or None."""
        value = ConcreteSpace.lookup(self, path) if self.baseline else None
        if value is None or isinstance(value, (dict, list)):
            return None
        try:
            return self.constant(value, self.vars[path][1])
        except (Untranslatable, TypeError, ValueError):
            return None

    def base(self, var):
        """The z3 constant a fact's variable is made of (a whole number is a real of an integer)."""
        return var.arg(0) if z3.is_app_of(var, z3.Z3_OP_TO_REAL) else var

    def json_value(self, model, path, type_):
        var = self.base(self.vars[path][0])
        v = model.eval(var, model_completion=True)
        match type_:
            case BoolT():
                return z3.is_true(v)
            case NumT():
                f = Fraction(v.as_fraction()) if z3.is_rational_value(v) else Fraction(v.as_long())
                return plain_number(f)
            case DateT():
                return date.fromordinal(v.as_long()).isoformat()
            case EnumT() | TextT():
                return self.text(v.as_long())
        raise Untranslatable(f"a value of type {type_.describe()}")


def plain_number(f: Fraction):
    """A rational as a JSON number: an int when whole, else the shortest exact decimal."""
    if f.denominator == 1:
        return int(f)
    return float(f)  # INVARIANT: witnesses are made of short decimals (witness.py), which floats write exactly


class ConcreteSpace(Space):
    """The facts of one file; the paths in `free` are variables instead of their values."""

    def __init__(self, facts: dict, free: dict[tuple[str, ...], object] | None = None):
        super().__init__()
        self.facts = facts
        self.free = dict(free or {})

    def lookup(self, path):
        value = self.facts
        for part in path:
            if isinstance(value, dict):
                value = value.get(part)
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return None
        return value

    def fact(self, path, type_):
        if path in self.free:
            return Val(TRUE, self.free[path])
        value = self.lookup(path)
        if value is None:
            return Val(FALSE, z3.FreshConst(sort_of(type_), "absent"))
        return Val(TRUE, self.constant(value, type_))

    def rows(self, path):
        value = self.lookup(path)
        return len(value) if isinstance(value, list) else None

    def keys(self, path):
        value = self.lookup(path)
        return tuple(value) if isinstance(value, dict) else ()
