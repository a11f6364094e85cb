"""bench/reference/reference.policy written by hand: the fastest honest Python of the same rules."""
from __future__ import annotations

import math


def decide(facts: dict) -> dict:
    fund, applicant, region = facts["fund"], facts["applicant"], facts["region"]
    kind = applicant["kind"]
    if kind in ("village_clinic", "university_clinic"):
        return {"outcome": "exempt"}
    if fund["deficit"] or fund["expected_deficit"] or fund["warning_letter"]:
        return {"outcome": "paused"}
    if not applicant["meets_conditions"]:
        return {"outcome": "excluded"}
    if kind != "hospital" and applicant["nearest_same_kind_m"] < 800:
        return {"outcome": "spacing_conflict"}
    if kind == "hospital":
        half = region["beds_per_thousand"] > region["fundable_beds_per_thousand"]
    else:
        half = region["agglomeration_gap"] > 0
    return {"outcome": "eligible", "quota": math.floor(region["released_quota"] * (0.5 if half else 1.0))}
