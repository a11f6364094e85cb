"""How values look: one place, so text, Markdown and JSON never disagree."""
from __future__ import annotations

import math
from datetime import date
from fractions import Fraction
from typing import Any

from engine.values.calendar import Duration
from i18n import N_
from i18n import gettext as _
from engine.values.numbers import NONE_NEAR, NONE_NEAR_JSON, exactly_shown, to_json


def jsonable(value: Any) -> Any:
    if type(value) is Fraction:
        return to_json(value)  # the nearest double when not integral (engine/values/numbers.py)
    if value is NONE_NEAR:
        return NONE_NEAR_JSON  # a distance to no institution: not a number, and not a missing fact
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, Duration):
        return str(value)  # "6 months": a duration has no JSON type of its own
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def _show_exact(value: Fraction) -> str:
    """An exact number at the precision `show` gives a float, marked `≈` when that is not the
    value itself (950/147 shows as ≈6.46259): what is displayed is rounded, never what is decided."""
    if value.denominator == 1:
        return show(int(value))
    shown = show(float(value))
    return shown if exactly_shown(value, shown) else "≈" + shown


def show(value: Any, labels: dict | None = None) -> str:
    """A value as an auditor reads it: 9.0 -> 9, 950/147 -> ≈6.46259, 住院 beside inpatient."""
    if value is None:
        return _("absent")
    if value is True:
        return _("true")
    if value is False:
        return _("false")
    if type(value) is Fraction:
        return _show_exact(value)
    if value is NONE_NEAR:
        return _("none (no institution of the type)")
    if isinstance(value, float):
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"  # e.g. the distance to a neighbour there is none of
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))
        return f"{value:,.4f}".rstrip("0").rstrip(".") if abs(value) >= 10_000 else f"{value:.6g}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        label = (labels or {}).get(value)
        return f"{value} ({label})" if label and label != value else value
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v, labels)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(v, labels) for v in value) + "]"
    return str(value)


# What to do about a missing path that is not a fact of the facts file.
MISSING_HINTS = {
    "registry": N_('no registry was given: pass --registry FILE.csv, or add "registry": "FILE.csv" to the facts file'),
    "population": N_("a population decision is decided over its population: policy eval --decision NAME FILE.jsonl"),
}


def _institution(record: dict) -> str:
    if "note" in record:
        return record["note"]
    text = _("{id} {name} ({category}) at {distance} m").format(id=record["id"], name=record["name"],
                                                             category=record["category"],
                                                             distance=show(record["distance_m"]))
    if "self_excluded" in record:
        text += _(" (the applicant's own entry {id} is not counted)").format(id=record["self_excluded"])
    return text


def show_registry(record: dict) -> str:
    """A registry record of the trace (engine/run/spacing.py) as a sentence."""
    if "institutions" in record:  # registry.count, registry.share: the whole registry
        what = _("institution") if record["categories"] == "all" else _(" or ").join(record["categories"])
        if "total" not in record:
            return _("{count} {what} in the registry").format(count=record["institutions"], what=what)
        among = _("institutions") if record["among"] == "all" else _(" or ").join(record["among"])
        return _("{count} {what} of {total} {among} in the registry ({share}%)").format(
            count=record["institutions"], what=what, total=record["total"], among=among,
            share=show(record["share"] * 100))
    if "count" in record:  # registry.within
        radius, nearest = show(record["radius_m"]), record["nearest"]
        head = (_("{count} within {radius} m ({ids})").format(count=record["count"], radius=radius,
                                                             ids=", ".join(record["ids"])) if record["count"]
                else _("none within {radius} m").format(radius=radius))
        return head + ("; " + nearest["note"] if "note" in nearest
                       else _("; the nearest is {who}").format(who=_institution(nearest)))
    if "radius_m" in record:  # registry.nearest, as a rule compared it with a radius
        # a radius from a definition says which: `within 500 m (药店限制半径)`
        radius = _("{radius} m").format(radius=show(record["radius_m"])) + (
            f" ({record['radius_from']})" if "radius_from" in record else "")
        if record["within_radius"]:
            return _("{who}, within {radius}").format(who=_institution(record), radius=radius)
        return _("none within {radius}; the nearest is {who}").format(radius=radius, who=_institution(record))
    return _institution(record)


def show_read(path: str, value: Any, labels: dict | None = None) -> str:
    """A value a step read, by its path: registry records read as sentences."""
    if path.startswith("registry.") and isinstance(value, dict):
        return show_registry(value)
    return show(value, labels)


def show_share(name: str, value: Any, labels: dict | None = None) -> str:
    if isinstance(value, (float, Fraction)) and 0 <= value <= 1 and ("比例" in name or "share" in name):
        return f"{float(value * 100):g}%"
    return show(value, labels)


STATUS_WORDS = {  # messages (i18n): shown through `status_word`
    "decided": N_("decided"),
    "overridden": N_("applied, overridden"),
    "applied": N_("applies"),
    "not_applicable": N_("does not apply"),
    "would_decide": N_("applies; decides only if the rules above it do not"),
    "unknown": N_("cannot tell: facts absent"),
    "unknown_not_needed": N_("cannot tell (not needed)"),
}


def status_word(status: str | None) -> str:
    return _(STATUS_WORDS[status]) if status in STATUS_WORDS else str(status)


def missing_hint(path: str) -> str | None:
    return _(MISSING_HINTS[path]) if path in MISSING_HINTS else None
