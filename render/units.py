"""Numbers with their units, one function per unit, in the current language.

Every figure a case document shows passes through `quantity`, which picks the one function
for the value's declared type: metres to 0.1 m (800 米, 362.6 米), money to the fen with
thousands grouped (27,142,857,142.86 元), fractions as percentages (50%), counts as whole
numbers (1,200), other numbers to four decimals at most; so a page never shows `1200` next
to `36,000`, nor `27,142,857,142.8571`.
"""
from __future__ import annotations

from fractions import Fraction

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from engine.compile.types import NumT, Unit

from i18n import N_, language
from i18n import gettext as _

# Base units of the policy language and how a reader says them (zh: 米, 元, 张 …).
UNIT_WORDS = {
    "m": N_("m"), "yuan": N_("yuan"), "bed": N_("beds"), "person": N_("persons"), "month": N_("months"),
    "day": N_("days"), "deg": N_("°"), "year": N_("years"),
}


def _decimal(value: float | int, places: int) -> str:
    """Rounded half up to at most `places` decimals, thousands grouped, no trailing zeros."""
    if isinstance(value, Fraction):  # exact figures (engine/values/numbers.py): round the rational itself, half up
        scaled = abs(value) * 10 ** places
        whole = math.floor(scaled + Fraction(1, 2))
        exact = Decimal(-whole if value < 0 else whole).scaleb(-places)
    else:
        exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{exact:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def plain(value: float | int) -> str:
    """A number without a unit: four decimals at most, thousands grouped."""
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return _decimal(value, 4)


def metres(value: float | int) -> str:
    if isinstance(value, float) and math.isinf(value):
        return _("none")
    return f"{_decimal(value, 1)} {_(UNIT_WORDS['m'])}"


def money(value: float | int) -> str:
    return f"{_decimal(value, 2)} {_(UNIT_WORDS['yuan'])}"


def percent(value: float | int) -> str:
    return f"{_decimal(value * 100, 2)}%"


def count(value: float | int) -> str:
    return _decimal(value, 0)


def unit_words(unit: Unit, per_thousand: bool = False) -> str:
    """bed/person as 张/人, or 张/千人 for a figure the plan scales per thousand."""
    def word(base: str) -> str:
        return _(UNIT_WORDS[base]) if base in UNIT_WORDS else base

    num = [word(b) if e == 1 else f"{word(b)}^{e}" for b, e in unit if e > 0]
    den = [word(b) if e == -1 else f"{word(b)}^{-e}" for b, e in unit if e < 0]
    if per_thousand and den:
        den[0] = _("thousand {unit}").format(unit=den[0])
    text = "·".join(num) or ("1" if den else "")
    return text + ("/" + "·".join(den) if den else "")


def quantity(value: Any, type_=None, label: str = "") -> str:
    """A number as its declared type says (None: a plain number)."""
    if not isinstance(value, (int, float, Fraction)) or isinstance(value, bool):
        return str(value)
    if isinstance(type_, NumT):
        if type_.display == "year" and value == int(value):
            return str(int(value))  # a year is no count: 2026, never 2,026
        if type_.display == "fraction" and not type_.unit:
            return percent(value)
        if type_.unit == (("m", 1),):
            return metres(value)
        if type_.unit == (("yuan", 1),):
            return money(value)
        if type_.unit:
            per_thousand = "千人" in label or "per thousand" in label.lower()
            return f"{plain(value)} {unit_words(type_.unit, per_thousand)}"
    if isinstance(value, int):
        return count(value)
    return plain(value)


def day(value: date | str) -> str:
    """A date as the reader writes it: 2026年6月1日, or 2026-06-01."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if language() == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()
