"""How values look: one place, so text, Markdown and JSON never disagree."""
from __future__ import annotations

import math
from datetime import date
from typing import Any


def jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def show(value: Any, labels: dict | None = None) -> str:
    """A value as an auditor reads it: 9.0 -> 9, 6.4625850… -> 6.4626, 住院 beside inpatient."""
    if value is None:
        return "absent"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
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
    return str(value)


def show_share(name: str, value: Any, labels: dict | None = None) -> str:
    if isinstance(value, float) and 0 <= value <= 1 and ("比例" in name or "share" in name):
        return f"{value * 100:g}%"
    return show(value, labels)


STATUS_WORDS = {
    "decided": "decided",
    "overridden": "applied, overridden",
    "applied": "applies",
    "not_applicable": "does not apply",
    "would_decide": "applies; decides only if the rules above it do not",
    "unknown": "cannot tell: facts absent",
    "unknown_not_needed": "cannot tell (not needed)",
}
