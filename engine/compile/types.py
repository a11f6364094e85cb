"""Types and units of the policy language.

A number's unit is a product of named base units with integer exponents (yuan/bed is
{yuan: 1, bed: -1}); `*` and `/` combine them, `+`, `-` and comparisons demand equal units.
Scale is not a unit: 医保千人床位数 is beds per person times 1000, and both sides of every
comparison the plans make carry the same factor, so checking dimensions is what catches
mistakes (comparing metres with beds, adding yuan to people).
"""
from __future__ import annotations

from dataclasses import field
from dsl.dataclass_cache import dataclass

Unit = tuple[tuple[str, int], ...]  # sorted (base, exponent), exponent != 0
DIMENSIONLESS: Unit = ()


def make_unit(numerator: str | None = None, *denominators: str) -> Unit:
    powers: dict[str, int] = {}
    if numerator:
        powers[numerator] = powers.get(numerator, 0) + 1
    for d in denominators:
        powers[d] = powers.get(d, 0) - 1
    return tuple(sorted((b, e) for b, e in powers.items() if e))


def combine(left: Unit, right: Unit, sign: int) -> Unit:
    powers = dict(left)
    for base, exp in right:
        powers[base] = powers.get(base, 0) + sign * exp
    return tuple(sorted((b, e) for b, e in powers.items() if e))


def unit_text(unit: Unit) -> str:
    if not unit:
        return ""
    def part(items):
        return "·".join(b if e == 1 else f"{b}^{e}" for b, e in items)
    num = [(b, e) for b, e in unit if e > 0]
    den = [(b, -e) for b, e in unit if e < 0]
    text = part(num) or "1"
    return text + ("/" + part(den) if den else "")


class Type:
    """Base of all types; `describe` is what diagnostics print."""

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class BoolT(Type):
    def describe(self) -> str:
        return "bool"


@dataclass(frozen=True, slots=True)
class TextT(Type):
    def describe(self) -> str:
        return "text"


@dataclass(frozen=True, slots=True)
class DateT(Type):
    def describe(self) -> str:
        return "date"


@dataclass(frozen=True, slots=True)
class DurationT(Type):
    """Whole months and days (engine/values/calendar.py): `6 months`, `1 year`, `30 days`."""

    def describe(self) -> str:
        return "duration"


@dataclass(frozen=True, slots=True)
class NumT(Type):
    unit: Unit = DIMENSIONLESS
    # How to show values: "fraction" prints 0.5 as 50%; never part of type equality.
    display: str = field(default="number", compare=False)

    def describe(self) -> str:
        if self.display == "fraction" and not self.unit:
            return "fraction"
        return f"number {unit_text(self.unit)}".rstrip()


@dataclass(frozen=True, slots=True)
class EnumT(Type):
    name: str

    def describe(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class RecordT(Type):
    name: str
    fields: tuple[tuple[str, Type], ...]

    def field(self, name: str) -> Type | None:
        return next((t for n, t in self.fields if n == name), None)

    def describe(self) -> str:
        return f"record {self.name}"


@dataclass(frozen=True, slots=True)
class ListT(Type):
    item: RecordT

    def describe(self) -> str:
        return f"list of {self.item.describe()}"


@dataclass(frozen=True, slots=True)
class MapT(Type):
    value: RecordT

    def describe(self) -> str:
        return f"map of {self.value.describe()}"


class _ErrorT(Type):
    """The type of an expression that already produced a diagnostic: silences cascades."""

    def describe(self) -> str:
        return "<error>"


ERROR = _ErrorT()
BOOL, TEXT, DATE, NUMBER, DURATION = BoolT(), TextT(), DateT(), NumT(), DurationT()
FRACTION = NumT(DIMENSIONLESS, "fraction")

# Scalar type names a policy may write, besides enum names and `number <unit>`.
SCALAR_NAMES: dict[str, Type] = {
    "bool": BOOL,
    "text": TEXT,
    "date": DATE,
    "number": NUMBER,
    "count": NUMBER,
    "year": NumT(DIMENSIONLESS, "year"),  # a calendar year (2026): a number, shown ungrouped
    "fraction": FRACTION,
    "money": NumT(make_unit("yuan")),
    "metres": NumT(make_unit("m")),
}
