"""One fact free on the number line: where a formula can change truth, and the nearest value
where it holds.

engine/solver/whatif.py sets one fact free and asks for the nearest value that flips the
outcome; engine/solver/needed.py asks where an absent fact's value starts to matter. Both
ask this module: the breakpoints of a z3 formula in one variable (the roots of each
comparison's difference, and the points where a divisor is zero), between which its truth
cannot change, and the probes outward from a value to the first interval or point that holds.
Exact throughout: breakpoints and bounds are Fractions.
"""
from __future__ import annotations

from fractions import Fraction

import z3

from engine.solver.translate import Untranslatable


def holds_at(g, x):
    """A probe: whether `g` holds with `x` at a given value (the solver asked, 2 s at most)."""
    def holds(value) -> bool:
        s = z3.Solver()
        s.set("timeout", 2000)
        s.add(g, x == value)
        return s.check() == z3.sat
    return holds


def _to_fraction(v) -> Fraction:
    if z3.is_int_value(v):
        return Fraction(v.as_long())
    if z3.is_rational_value(v):
        return Fraction(v.as_fraction())
    return Fraction(v.approx(20).as_fraction())


def breakpoints(g, x) -> list[Fraction]:
    """Every point where some comparison in `g` can change truth as `x` moves."""
    atoms, seen, stack = [], set(), [g]
    kinds = (z3.Z3_OP_LE, z3.Z3_OP_LT, z3.Z3_OP_GE, z3.Z3_OP_GT, z3.Z3_OP_EQ, z3.Z3_OP_DISTINCT)
    zero_at = []
    while stack:
        t = stack.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        if z3.is_app(t):
            k = t.decl().kind()
            if k in kinds and t.num_args() == 2 and t.arg(0).sort() in (z3.RealSort(), z3.IntSort()):
                atoms.append(t.arg(0) - t.arg(1))
            if k in (z3.Z3_OP_DIV, z3.Z3_OP_IDIV):
                zero_at.append(t.arg(1))
            if k == z3.Z3_OP_TO_INT:
                raise Untranslatable("a rounding function of the changed fact")
        stack.extend(t.children())
    points: set[Fraction] = set()
    for expr in atoms + zero_at:
        s = z3.Solver()
        s.set("timeout", 2000)
        s.add(expr == 0)
        for _ in range(4):
            if s.check() != z3.sat:
                break
            v = s.model().eval(x, model_completion=True)
            points.add(_to_fraction(v))
            s.add(x != v)
    return sorted(points)


def nearest(g, x, x0: Fraction, integral: bool, holds, points: list[Fraction]):
    """(relation, bound, example) of the nearest value of `x` where `g` holds.

    Between two consecutive breakpoints the truth of `g` is constant, so one probe decides an
    open interval; each breakpoint is probed on its own. Going outward from the current value,
    the first interval that holds gives a strict bound (beyond the breakpoint before it), the
    first breakpoint that holds a bound that includes it (`>=`), or `=` when only that point
    holds."""
    def value(f: Fraction):
        return z3.IntVal(int(f)) if integral else z3.RealVal(f"{f.numerator}/{f.denominator}")

    def ok(f: Fraction) -> bool:
        return (not integral or f.denominator == 1) and holds(value(f))

    best = []
    for direction in (1, -1):
        ahead = sorted((p for p in points if (p - x0) * direction > 0), key=lambda p: (p - x0) * direction)
        ahead.append(None)
        prev, found = x0, None
        for i, p in enumerate(ahead):
            far = p if p is not None else prev + direction * max(1, abs(prev))
            inside = _inside(prev, far, direction, integral, ok)
            if inside is not None:
                strict = ">" if direction > 0 else "<"
                found = (strict, prev, inside) if not integral else (strict + "=", inside, inside)
                break
            if p is None:
                break
            if ok(p):
                nxt = ahead[i + 1]
                beyond = nxt if nxt is not None else p + direction * max(1, abs(p))
                spreads = _inside(p, beyond, direction, integral, ok) is not None
                example = p if writes_exactly(p) or not spreads else _inside(p, beyond, direction, integral, ok)
                found = ((">=" if direction > 0 else "<=") if spreads else "=", p, example)
                break
            prev = p
        if found is not None:
            best.append(found)
    if not best:
        return None
    return min(best, key=lambda f: abs(f[1] - x0))


def writes_exactly(f: Fraction) -> bool:
    """Whether a JSON number writes `f` exactly (a decimal of at most 6 places)."""
    return (f * 10**6).denominator == 1


def _inside(a: Fraction, b: Fraction, direction: int, integral: bool, ok) -> Fraction | None:
    """The simplest value strictly between a and b where the goal holds, if the open interval
    holds it at all: whole numbers first, then fewer decimal places, nearest to a."""
    def between(c):
        return (c - a) * direction > 0 and (b - c) * direction > 0

    if integral:
        n = Fraction(a // 1 + 1) if direction > 0 else Fraction(-((-a) // 1) - 1)
        return n if between(n) and ok(n) else None
    probe = (a + b) / 2
    if not ok(probe):
        return None
    for digits in range(1, 7):
        scale = 10 ** digits
        c = Fraction(a * scale // 1 + 1, scale) if direction > 0 else Fraction(-((-a * scale) // 1) - 1, scale)
        if between(c) and ok(c):
            return c
    return probe


def json_number(f: Fraction):
    """A number as a JSON record gives it: whole as an int, else the nearest double."""
    return int(f) if f.denominator == 1 else float(f)


def rational_text(f: Fraction) -> str:
    """An exact number as text: the decimal when a double holds it, else the fraction and its value."""
    if f.denominator == 1 or Fraction(repr(float(f))) == f:
        return repr(json_number(f))
    return f"{f.numerator}/{f.denominator} (≈ {float(f):.6g})"
