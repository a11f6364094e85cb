"""A seeded population of 沈阳 applicants, as JSON Lines, and the city context they share.

    python bench/generate_shenyang.py OUT_DIR [N] [SEED]

writes OUT_DIR/applicants.jsonl (one facts object per line, no city: it comes from
--context) and OUT_DIR/context.json. Most applicants are complete; about 3% lack one fact
(a condition, a flag, the distance or the district), so `undetermined` is exercised too.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

CATEGORIES = [("inpatient", 30), ("outpatient_pooling", 25), ("personal_account", 10), ("pharmacy", 25),
              ("outpatient_chronic", 5), ("dental", 5)]
DISTRICTS = ["和平区", "沈河区", "大东区", "铁西区", "皇姑区", "于洪区", "浑南区", "苏家屯区", "沈北新区",
             "辽中区", "新民市", "康平县", "法库县"]
FLAGS = {"key_project": 0.10, "public_community_health_center": 0.05, "elderly_care_embedded": 0.05,
         "integrated_village_clinic": 0.03, "university_embedded": 0.02}
CONDITIONS = ["staffing", "departments", "equipment", "information_system", "safety_facilities",
              "accessibility_facilities", "elderly_facilities"]

CONTEXT = {"city": {
    "fund": {"deficit_last_year": False, "expected_deficit": False, "warning_letter": False,
             "pooled_income": 20000000000, "surplus_rate": 0.05, "reimbursement_ratio": 0.70},
    "insured_population": 7000000,
    "cost_per_bed": 600000,
    "regions": {
        "医保主城区": {"insured_population": 4000000, "designated_beds": 36000, "beds_released": 1200,
                   "outpatient_released": 40, "institution_agglomeration": 1.30, "population_agglomeration": 1.18},
        "医保城郊区": {"insured_population": 1200000, "designated_beds": 6000, "beds_released": 400,
                   "outpatient_released": 12, "institution_agglomeration": 0.85, "population_agglomeration": 0.97},
        "辽中区": {"insured_population": 450000, "designated_beds": 2500, "beds_released": 120,
                "outpatient_released": 5, "institution_agglomeration": 0.70, "population_agglomeration": 0.90},
        "新民市": {"insured_population": 520000, "designated_beds": 3900, "beds_released": 150,
                "outpatient_released": 6, "institution_agglomeration": 1.05, "population_agglomeration": 0.92},
        "康平县": {"insured_population": 280000, "designated_beds": 2100, "beds_released": 80,
                "outpatient_released": 3, "institution_agglomeration": 0.95, "population_agglomeration": 0.95},
        "法库县": {"insured_population": 350000, "designated_beds": 2000, "beds_released": 90,
                "outpatient_released": 4, "institution_agglomeration": 0.80, "population_agglomeration": 0.88},
    },
}}


def applicant(rng: random.Random, number: int) -> dict:
    category = rng.choices([c for c, _ in CATEGORIES], [w for _, w in CATEGORIES])[0]
    record = {
        "id": f"SY-B-{number:06d}",
        "name": f"申请机构{number}",
        "category": category,
        "level": rng.choice([1, 2, 3]),
        "district": rng.choice(DISTRICTS),
        "location": {"lat": round(rng.uniform(41.6, 42.0), 5), "lon": round(rng.uniform(123.2, 123.6), 5)},
        "beds": rng.randrange(0, 400) if category == "inpatient" else 0,
        "nearest_same_category_m": rng.randrange(0, 4000),
        "flags": {flag: rng.random() < p for flag, p in FLAGS.items()},
        "conditions": {c: rng.random() >= 0.01 for c in CONDITIONS},
    }
    if rng.random() < 0.03:  # one fact absent
        where = rng.choice(["conditions", "flags", "nearest_same_category_m", "district"])
        if where in ("conditions", "flags"):
            del record[where][rng.choice(list(record[where]))]
        else:
            del record[where]
    return {"plan": "shenyang-2025-draft", "as_of": "2026-06-01", "applicant": record}


def generate(folder: Path, count: int = 20_000, seed: int = 2026) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    people, context = folder / "applicants.jsonl", folder / "context.json"
    with open(people, "w", encoding="utf-8") as out:
        for number in range(1, count + 1):
            out.write(json.dumps(applicant(rng, number), ensure_ascii=False) + "\n")
    context.write_text(json.dumps(CONTEXT, ensure_ascii=False, indent=1), encoding="utf-8")
    return people, context


if __name__ == "__main__":
    generate(Path(sys.argv[1]), *(int(a) for a in sys.argv[2:4]))
