"""Thresholds decided exactly (engine/values/numbers.py), on the reference and the fast path alike.

Inputs are built to sit exactly on a threshold the plan compares with; binary floats put
them a hair to one side. Both evaluators must decide them as equal, and the fast path must
agree with the reference on generated inputs that sit on, or one unit beside, a threshold.
"""
from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl.diagnostics import PolicyError
from dsl.spans import Source
from engine import evaluate
from engine.facts.case import Workspace
from engine.run.compiled import fast_path
from engine.facts.validate import parse_json
from render.json_view import explanation_to_json
from tests.conftest import POLICIES, SHENYANG

HEZE = POLICIES / "heze-2026.policy"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load(example: str, **edit) -> tuple:
    """An example's facts, read as `policy explain` reads them (JSON text, exact numbers), edited."""
    path = POLICIES / "examples" / example
    data = parse_json(path.read_text(encoding="utf-8"), Source(str(path), ""))
    for dotted, value in edit.items():
        node = data
        *parents, last = dotted.split("__")
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return Workspace().case(data, Source(str(path), ""), path.parent)


def decide_both(plan, facts):
    """The reference's record, after checking the fast explain and decide say the same."""
    reference = evaluate(plan, facts)
    assert fast_path(plan).explain(facts) == reference
    decided = fast_path(plan).decide(facts)
    assert (decided.outcome, decided.rule, decided.missing) == (
        reference.outcome, reference.decided_by and reference.decided_by.name, reference.missing)
    return reference


def test_a_shenyang_region_exactly_at_the_fundable_level_goes_to_review():
    # 950 beds for 147,000 insured: 950/147 per thousand, the fundable level of the context
    # (2e10 × 0.95 / 0.70 × 1000 / (600,000 × 7,000,000) = 950/147). 「高于」 and 「低于」 are
    # both false at equality, so the plan's reading (interpretation 三（一）) sends it to review.
    plan, facts = load("shenyang/01-inpatient-main-city-50pct.json",
                       city__regions={"医保主城区": {"insured_population": 147000, "designated_beds": 950,
                                                   "beds_released": 100, "outpatient_released": 4,
                                                   "institution_agglomeration": Fraction("1.3"),
                                                   "population_agglomeration": Fraction("1.18")}})
    result = decide_both(plan, facts)
    values = dict(result.values)
    assert values["区域医保千人床位数"] == values["医保筹资可承担的医保千人床位数"] == Fraction(950, 147)
    assert 950 * 1000 / 147000 != 2e10 * (1 - 0.05) / 0.70 * 1000 / (600000 * 7000000)  # what floats said
    assert result.outcome == "needs_review" and result.by_otherwise
    assert explanation_to_json(result)["decided_by"]["rule"] == "otherwise"


HEZE_AT_TARGET = {  # 测算值 is exactly 7.5 (= 目标值); in floats 7.500000000000001
    "age_groups": [{"name": "0-14", "admission_rate": Fraction("0.08"), "insured": 1500000},
                   {"name": "15-44", "admission_rate": Fraction("0.10"), "insured": 3000000},
                   {"name": "45-64", "admission_rate": Fraction("0.16"), "insured": 2400000},
                   {"name": "65+", "admission_rate": Fraction("0.315"), "insured": 1400000}],
    "average_stay_days": Fraction("7.3"), "bed_occupancy": Fraction("0.72"),
    "beds_per_thousand_actual": Fraction("7.2"),
    "fund": {"deficit_last_year": False, "expected_deficit": False, "warning_letter": False,
             "months_payable": 12, "months_required": 6},
}


def test_a_heze_measure_of_exactly_the_target_is_decided_as_equal():
    plan, facts = load("heze/01-inpatient-county-eligible.json",
                       **{f"city__{k}": v for k, v in HEZE_AT_TARGET.items()})
    result = decide_both(plan, facts)
    assert dict(result.values)["测算值"] == Fraction(15, 2)
    floats = (0.08 * 1500000 + 0.10 * 3000000 + 0.16 * 2400000 + 0.315 * 1400000) * 7.3 * 1000 / (
        0.72 * 365 * 8300000) * (900000 / 1000000) * (12 / 6)
    assert floats > 7.5  # binary floats would have found it above both 目标值 and 实际值: eligible
    assert result.outcome == "needs_review" and result.decided_by.name == "测算值介于两者之间"


def test_a_zero_divisor_names_the_facts_json_path():
    plan, facts = load("heze/01-inpatient-county-eligible.json", city__fund__months_required=0)
    for run in (lambda: evaluate(plan, facts), lambda: fast_path(plan).explain(facts),
                lambda: fast_path(plan).decide(facts)):
        with pytest.raises(PolicyError) as error:
            run()
        (diagnostic,) = error.value.diagnostics
        assert diagnostic.code == "E001"
        assert diagnostic.path == "city.fund.months_required"
        assert diagnostic.text().startswith("city.fund.months_required: division by zero")


# ---- generated inputs on the thresholds -------------------------------------------------

def _city(insured: int, beds: int, institution: Fraction, population: Fraction) -> dict:
    return {"fund": {"deficit_last_year": False, "expected_deficit": False, "warning_letter": False,
                     "pooled_income": 20000000000, "surplus_rate": Fraction("0.05"),
                     "reimbursement_ratio": Fraction("0.70")},
            "insured_population": 7000000, "cost_per_bed": 600000,
            "regions": {"医保主城区": {"insured_population": insured, "designated_beds": beds, "beds_released": 1200,
                                    "outpatient_released": 40, "institution_agglomeration": institution,
                                    "population_agglomeration": population}}}


@SETTINGS
@given(st.data())
def test_the_fast_path_agrees_with_the_reference_on_thresholds(data):
    # A region at k × (950/147) per thousand: exactly the fundable level, or one bed beside it;
    # agglomerations whose difference is exactly 0 (1.1 - 1.1) or one hundredth beside.
    k = data.draw(st.integers(1, 2000), label="k")
    beds = 950 * k + data.draw(st.sampled_from([-1, 0, 0, 1]), label="bed offset")
    level = data.draw(st.decimals("0.50", "3.00", places=2), label="population agglomeration")
    gap = data.draw(st.sampled_from(["0", "0", "0.01", "-0.01"]), label="gap")
    population = Fraction(str(level))
    institution = population + Fraction(gap)
    category = data.draw(st.sampled_from(["inpatient", "outpatient_pooling"]), label="category")
    text = json.dumps({"plan": str(SHENYANG), "as_of": "2026-06-01", "applicant": {
        "id": "T", "category": category, "district": "铁西区", "nearest_same_category_m": 2400,
        "flags": {"key_project": False, "public_community_health_center": False, "elderly_care_embedded": False,
                  "integrated_village_clinic": False, "university_embedded": False},
        "conditions": dict.fromkeys(["staffing", "departments", "equipment", "information_system",
                                     "safety_facilities", "accessibility_facilities", "elderly_facilities"], True)},
        "city": _city(147 * k, beds, institution, population)}, default=lambda f: float(f))
    source = Source("<t>", text)
    plan, facts = Workspace().case(parse_json(text, source), source, None)
    result = decide_both(plan, facts)
    assert json.dumps(explanation_to_json(fast_path(plan).explain(facts)), ensure_ascii=False) == json.dumps(
        explanation_to_json(result), ensure_ascii=False)
    region, fundable = Fraction(beds * 1000, 147 * k), Fraction(950, 147)
    expected = {("inpatient", True): "eligible", ("inpatient", False): "eligible"}
    if category == "inpatient":
        assert result.outcome == ("needs_review" if region == fundable else expected[(category, region > fundable)])
        assert (result.decided_by.name if result.decided_by else None) == (
            None if region == fundable else "住院_千人床位数高于可承担" if region > fundable else "住院_千人床位数低于可承担")
    else:  # 「等值或负值」 takes 100%: a gap of exactly 0 is not positive
        share = dict(result.terms)["纳入比例"]
        assert share == (Fraction(1, 2) if institution - population > 0 else 1)


@SETTINGS
@given(st.data())
def test_the_fast_path_agrees_with_the_reference_on_the_heze_target(data):
    # 测算值 is exactly 7.5 for HEZE_AT_TARGET at any scale of the population (j) and of the fund's
    # months (k); the 65+ admission rate one thousandth either side moves it just off the target.
    j = data.draw(st.integers(1, 40), label="population scale")
    k = data.draw(st.integers(1, 40), label="months scale")
    nudge = Fraction(data.draw(st.sampled_from([-1, 0, 0, 1]), label="rate nudge"), 1000)
    actual = Fraction(data.draw(st.sampled_from(["7.2", "7.5", "7.8"]), label="实际值"))
    category = data.draw(st.sampled_from(["inpatient", "outpatient_pooling"]), label="category")
    groups = [dict(g, insured=g["insured"] * j) for g in HEZE_AT_TARGET["age_groups"]]
    groups[3]["admission_rate"] += nudge
    city = {**HEZE_AT_TARGET, "age_groups": groups, "beds_per_thousand_actual": actual, "insured_population": 8300000 * j,
            "fund": {**HEZE_AT_TARGET["fund"], "months_payable": 12 * k, "months_required": 6 * k}}
    plan, facts = load("heze/01-inpatient-county-eligible.json", applicant__category=category,
                       applicant__nearest_same_category_m=2000, **{f"city__{key}": v for key, v in city.items()})
    result = decide_both(plan, facts)
    measured = dict(result.values)["测算值"]
    admissions = sum(g["admission_rate"] * g["insured"] for g in groups)
    assert measured == admissions * Fraction("7.3") * 1000 / (Fraction("0.72") * 365 * 8300000 * j) * Fraction(9, 10) * 2
    below, above = measured < Fraction(15, 2) and measured < actual, measured > Fraction(15, 2) and measured > actual
    if below:
        assert result.outcome == "paused"  # 二（一）1 pauses every 医疗机构
    elif category == "inpatient":
        assert result.outcome == ("eligible" if above else "needs_review")
    else:
        assert result.outcome == "eligible"  # an outpatient clinic not paused is admitted under 二（二）


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_a_caller_passes_is_the_decimal_it_prints_as(value):
    from engine.values.numbers import from_float

    made, parsed = from_float(value), Fraction(repr(value))
    # built without Fraction's constructor: in lowest terms, and the same number in every way
    assert type(made) is Fraction and made == parsed and hash(made) == hash(parsed)
    assert (made.numerator, made.denominator, str(made)) == (parsed.numerator, parsed.denominator, str(parsed))


EXACT = st.one_of(st.integers(-10**12, 10**12), st.fractions(), st.floats(allow_nan=False, allow_infinity=False))


@given(EXACT, EXACT)
def test_the_fast_paths_product_is_pythons(a, b):
    from engine.values.numbers import multiply

    made, python = multiply(a, b), a * b
    assert type(made) is type(python) and made == python
    if type(made) is Fraction:  # in lowest terms, as fractions.py makes it
        assert (made.numerator, made.denominator, hash(made)) == (python.numerator, python.denominator, hash(python))
