"""Expected allocations for `policy test`: a JSON file beside a round that says what it gives.

(Here, not in engine/: it compares the records render/ makes.)

```
{"round": "round-2026.jsonl", "plan": "heze-2026", "context": "context-2026.json",
 "quotas": [{"region": "曹县", "category": "inpatient", "quota": 1575}, ...],
 "allocation": [{"applicant": "HZ-R26-01", "outcome": "admitted", "rank": 1}, ...]}
```
Paths are relative to the file. Each expected quota row names its region and category and
any of `quota`, `status`, `unit`, `rule`; each expected record names its applicant and any
of the record's fields (`outcome`, `rank`, `region`, `quota`, `used_before`, ...). A field
not written is not checked; every listed row and applicant must be found.
"""
from __future__ import annotations

from pathlib import Path

from engine.allocation.run import allocate_round
from i18n import gettext as _
from render.allocation_view import round_records
from render.quota_view import row_to_json


def _compare(what: str, expected: dict, found: dict) -> list[str]:
    return [_("{what}: {key} is {found}, expected {expected}").format(what=what, key=key, found=repr(found.get(key)),
                                                                      expected=repr(value))
            for key, value in expected.items() if found.get(key) != value]


def round_differences(path: Path, data: dict, plan_ref: str | None, registry_path: str | None) -> list[str]:
    """What the round gives that its expected file does not say, one line each."""
    base = path.parent
    context = str(base / data["context"]) if data.get("context") else None
    result = allocate_round(str(base / data["round"]), plan_ref or data.get("plan"), context, registry_path)
    rows = {(r["region"], r["category"]): r for r in map(row_to_json, result.table.rows)} if result.table else {}
    found: list[str] = []
    for expected in data.get("quotas", ()):
        key = (expected.get("region"), expected.get("category"))
        row = rows.get(key)
        if row is None:
            found.append(_("quota {region} · {category}: no such row").format(region=key[0], category=key[1]))
            continue
        found += _compare(_("quota {region} · {category}").format(region=key[0], category=key[1]), {k: v for k, v in expected.items()
                                                         if k not in ("region", "category")}, row)
    records = {r.get("applicant"): r for r in round_records(result)}
    for expected in data.get("allocation", ()):
        record = records.get(expected.get("applicant"))
        if record is None:
            found.append(_("applicant {id}: not in the round").format(id=expected.get("applicant")))
            continue
        found += _compare(_("applicant {id}").format(id=expected["applicant"]), {k: v for k, v in expected.items() if k != "applicant"},
                          record)
    return found
