"""Dates and durations: the calendar rules of the policy language (docs/grammar.md, Time).

A duration is a whole number of months and a whole number of days; a year is 12 months.
Adding one to a date adds the months first, then the days. A month added to a date keeps its
day of the month; where the target month is too short, the date becomes that month's last
day: 31 August + 6 months is 28 February (29 in a leap year), 29 February 2024 + 1 year is
28 February 2025. Subtracting adds the negated duration, by the same rule. Durations never
become a number of days behind the author's back: `6 months` from 1 January is 1 July, not
181 days later.

`date + duration` works with Python's own `+` (date defers to `Duration.__radd__`), so the
reference evaluator and the generated fast path need no operator of their own.
"""
from __future__ import annotations

import calendar
from dsl.dataclass_cache import dataclass
from datetime import date, timedelta

# Units that make a number a duration: name -> (months, days) per unit.
TIME_UNITS: dict[str, tuple[int, int]] = {
    "days": (0, 1), "天": (0, 1), "months": (1, 0), "个月": (1, 0), "years": (12, 0), "年": (12, 0),
}
# The singular names are also units of measure (`平均住院日 : number day`, `365 day` in a
# formula): a number carrying one is a number, and becomes a duration only where it is added
# to or subtracted from a date or a duration (`as_of + 1 day`).
SINGULAR_UNITS: dict[str, str] = {"day": "days", "month": "months", "year": "years"}


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, on the same day of the month or the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Duration:
    months: int = 0
    days: int = 0

    @classmethod
    def of(cls, amount: int, unit: str) -> "Duration":
        months, days = TIME_UNITS[unit]
        return cls(amount * months, amount * days)

    def after(self, day: date) -> date:
        return add_months(day, self.months) + timedelta(days=self.days)

    def __add__(self, other):
        if isinstance(other, Duration):
            return Duration(self.months + other.months, self.days + other.days)
        return NotImplemented

    def __sub__(self, other):
        if isinstance(other, Duration):
            return Duration(self.months - other.months, self.days - other.days)
        return NotImplemented

    def __neg__(self) -> "Duration":
        return Duration(-self.months, -self.days)

    def __radd__(self, other):
        if isinstance(other, date):
            return self.after(other)
        return NotImplemented

    def __rsub__(self, other):
        if isinstance(other, date):
            return (-self).after(other)
        return NotImplemented

    def __str__(self) -> str:
        parts = []
        years, months = divmod(self.months, 12) if self.months >= 0 else (0, self.months)
        for amount, word in ((years, "year"), (months, "month"), (self.days, "day")):
            if amount:
                parts.append(f"{amount} {word}{'' if abs(amount) == 1 else 's'}")
        return " ".join(parts) or "0 days"
