"""Exact numbers: what the plans compute is computed as rationals, never in binary floating point.

A legal threshold decides on equality: 「低于」 a fundable level of 950/147 beds per thousand is
false for a region exactly at that level, and a 测算值 of exactly 7.5 is not below 7.5. Binary
floats get both wrong (1/3 + 1/3 + 1/3 need not be 1), so:

- facts are read from their JSON text with `exact` as json's `parse_float` hook: `0.05` is the
  rational 1/20, never the float nearest it; integers stay Python ints (already exact);
- the policy's own literals (`7.5`, `50%`) are rationals too (dsl/parser.py);
- `/` of two exact numbers is their exact quotient (`divide`); `+ - *`, comparisons, `min`,
  `max`, `floor`, `ceil`, `abs` and `round` (half to even) are exact on ints and Fractions;
- a float given by a Python caller (not read from JSON) is taken as its shortest decimal form
  (`from_float`: 0.1 is 1/10), the text a JSON file would have held; NaN and infinity are refused.

Floats remain only where a quantity is measured rather than written: great-circle distances
from the registry (engine/registry/spatial.py). Comparing such a float with a rational is exact in
Python, so no threshold is ever crossed by rounding.

What is shown is rounded, and said so (docs/grammar.md, Numbers): JSON gives a non-integral
value as the nearest binary64 number (`to_json`), text and Markdown at 6 significant digits,
marked `≈` when the figure shown is not the exact value.
"""
from __future__ import annotations

import math
from fractions import Fraction

__all__ = ["Fraction", "exact", "from_float", "multiply", "divide", "to_json", "is_number", "NUMBER_TYPES"]

NUMBER_TYPES = (int, Fraction)  # what a number fact holds once read (bool excluded by the checks)


def exact(text: str) -> Fraction:
    """json's `parse_float` hook: a JSON number with a point or an exponent, exactly."""
    return Fraction(text)


_new_fraction = object.__new__
_gcd = math.gcd
# repr of a finite float writes at most 4 zeros then 17 digits after its point (else an exponent)
_TENS = tuple(10 ** k for k in range(24))


def _lowest(numerator: int, denominator: int) -> Fraction:
    """numerator/denominator (denominator > 0, the two coprime), made without `Fraction.__new__`'s
    checks, which were most of the cost of checking a float fact. Only where `_RAW` holds."""
    made = _new_fraction(Fraction)
    made._numerator, made._denominator = numerator, denominator
    return made


try:  # the slots CPython's fractions.py has had since 3.0; a Python with others gets the checked way
    _RAW = _lowest(3, 4) == Fraction(3, 4) and hash(_lowest(3, 4)) == hash(Fraction(3, 4))
except (AttributeError, TypeError):
    _RAW = False


def from_float(value: float) -> Fraction:
    """A float a caller passed in, as the decimal it prints as (0.1 -> 1/10). Finite only."""
    if not math.isfinite(value):
        raise ValueError(f"`{value}` is not a finite number")
    text = repr(value)
    if "e" not in text:  # digits and a point: read them as one integer over a power of ten
        point = text.index(".")  # (Fraction's own parser is twice as slow)
        numerator, denominator = int(text[:point] + text[point + 1:]), _TENS[len(text) - point - 1]
        common = _gcd(numerator, denominator)
        return (_lowest if _RAW else Fraction)(numerator // common, denominator // common)
    return Fraction(text)


def multiply(a, b):
    """`a * b`, the same value and type; an int or Fraction times a Fraction is made here
    rather than by fractions.py, whose reflected `int * Fraction` first makes the int a
    Fraction (the bench's `floor(释放量 × 纳入比例)` was 1.5 µs of a decision)."""
    ta, tb = type(a), type(b)
    if _RAW and (ta is Fraction or tb is Fraction) and (ta is int or ta is Fraction) and (tb is int or tb is Fraction):
        na, da = (a, 1) if ta is int else (a._numerator, a._denominator)
        nb, db = (b, 1) if tb is int else (b._numerator, b._denominator)
        g1, g2 = _gcd(na, db), _gcd(nb, da)  # as fractions.py's `_mul`: cross-cancelled, so in lowest terms
        if g1 > 1:
            na, db = na // g1, db // g1
        if g2 > 1:
            nb, da = nb // g2, da // g2
        return _lowest(na * nb, da * db)
    return a * b


def divide(a, b):
    """`a / b` exactly when both are exact (int / int is a Fraction, never a float)."""
    if type(a) is int and type(b) is int:
        return Fraction(a, b)
    return a / b


def is_number(value) -> bool:
    return type(value) is int or type(value) is Fraction or type(value) is float


def to_json(value):
    """A number as JSON writes it: ints (and integral Fractions) exactly, any other value as the
    nearest binary64 number, which json prints in its shortest round-trip form."""
    if type(value) is Fraction:
        if value.denominator == 1:
            return int(value)
        try:
            return float(value)
        except OverflowError:  # beyond 1.8e308: the integral part says all a double could
            return int(value)
    return value


def exactly_shown(value: Fraction, shown: str) -> bool:
    """Whether the text `shown` (digits, point, commas) is the exact value."""
    try:
        return Fraction(shown.replace(",", "")) == value
    except ValueError:
        return False


class _NoneNear:
    """The distance to an institution there is none of: farther than every number, and not a
    float infinity (nothing in evaluation is NaN or infinite). JSON writes it as the string
    "none" (a distance to no institution is not a missing fact, so never null). Arithmetic on it
    has no answer and is refused with E004, never a traceback or an infinity."""

    __slots__ = ()

    def _refuse(self, *_):
        from dsl.diagnostics import Diagnostic, PolicyError

        raise PolicyError([Diagnostic("E006", "a distance to no institution of the type cannot be computed with",
                                      help="compare nearest(...) with a distance; do not add to or scale it")])

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _refuse
    __neg__ = __abs__ = __floor__ = __ceil__ = __round__ = _refuse

    def __lt__(self, other):
        return False

    def __le__(self, other):
        return other is self

    def __gt__(self, other):
        return other is not self

    def __ge__(self, other):
        return True

    def __eq__(self, other):
        return other is self

    def __hash__(self):
        return hash("none near")

    def __repr__(self) -> str:
        return "NONE_NEAR"

    def __reduce__(self):
        return "NONE_NEAR"


NONE_NEAR = _NoneNear()
NONE_NEAR_JSON = "none"  # how JSON writes NONE_NEAR: a distance to no institution
