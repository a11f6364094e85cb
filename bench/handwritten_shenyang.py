"""The 沈阳 draft plan written by hand in Python: the yardstick `policy eval` is timed against.

    python bench/handwritten_shenyang.py APPLICANTS.jsonl CONTEXT.json POLICY > decisions.jsonl

Reads the same JSON Lines, applies the same checks as policies/shenyang-2025-draft.policy
(exclusion > exemption > fund pause > 800 m spacing > ratio and admission rules; otherwise
needs_review; an absent fact that could decide makes the applicant undetermined), and writes
the same kind of line `policy eval` writes: outcome, decisive rule and article, reason,
terms, priorities, the values computed, the facts missing, the plan stamp. It computes
values in the plan's order of need so the lines can be compared with the engine's. It does
what a careful programmer would do without the engine: no schema validation beyond reading
the fields it needs, no trace. Facts name categories by code. Numbers are exact, as the
engine's are: JSON decimals read as Fractions, written back as the nearest double.
"""
from __future__ import annotations

import hashlib
import json
import math
import sys
from fractions import Fraction

ZONES = {"和平区": "医保主城区", "沈河区": "医保主城区", "大东区": "医保主城区", "铁西区": "医保主城区",
         "皇姑区": "医保主城区", "于洪区": "医保主城区", "浑南区": "医保城郊区", "苏家屯区": "医保城郊区",
         "沈北新区": "医保城郊区", "辽中区": "医保县市区", "新民市": "医保县市区", "康平县": "医保县市区",
         "法库县": "医保县市区"}
CONDITIONS = ["staffing", "departments", "equipment", "information_system", "safety_facilities",
              "accessibility_facilities", "elderly_facilities"]
EXCLUDED = "不纳入定点准入范围"
EXEMPT = "不受本规划限制，符合条件的，原则上全部纳入定点准入范围"
PAUSED = "在相关情况未得到改善前，原则上暂停新增定点医药机构"
SPACING = "服务半径800米范围内已有同类型定点机构"
HALF_BEDS = "原则上按照当年医保床位释放量的50%择优纳入"
BEST_OF = "在不突破前置条件下择优纳入"
HALF_OUTPATIENT = "原则上按照当年门诊统筹定点释放量的50%择优纳入"
ALL_OUTPATIENT = "原则上按照当年门诊统筹定点释放量的100%择优纳入"
OTHERWISE = "本规划没有条款决定此申请（如口腔门诊、门诊慢特病，或医保千人床位数恰等于可承担指标），须由经办人员审核"

DRAFT = "征求意见稿, a draft for comments: not in force, and 结语 leaves the date it takes effect blank"
NOTICE = f"draft: this decision applies a draft, plan shenyang-2025-draft ({DRAFT})"
SOURCE_SHA256 = "a74859e7ce88d57db61f687457146d19cdec3edfb9740d8104fd55474be7c8c3"


class Absent:
    """A value that needs facts the file does not give: the paths it lacks."""

    __slots__ = ("paths",)

    def __init__(self, paths):
        self.paths = frozenset(paths)


def absent_in(*values):
    paths = [p for v in values if type(v) is Absent for p in v.paths]
    return Absent(paths) if paths else None


def fact(record, key, path):
    value = record.get(key) if isinstance(record, dict) else None
    return Absent([path]) if value is None else value


def any_of(values):
    """`or` over facts: true if one is true, else absent if one is absent, else false."""
    if any(v is True for v in values):
        return True
    return absent_in(*values) or False


class Applicant:
    """One applicant's facts and the values computed for it, in the order the plan needs them."""

    def __init__(self, facts: dict, city: dict):
        self.app = facts.get("applicant") or {}
        self.city = city
        self.values: dict = {}

    def distance(self):
        if "最近同类型距离" not in self.values:
            d = fact(self.app, "nearest_same_category_m", "applicant.nearest_same_category_m")
            if type(d) is Absent:  # no registry in this run: the plan's first_known(…, nearest(…)) is absent
                place = self.app.get("location") or {}
                gap = absent_in(fact(self.app, "category", "applicant.category"),
                                fact(place, "lat", "applicant.location.lat"), fact(place, "lon", "applicant.location.lon"))
                d = Absent([*d.paths, *(gap.paths if gap else ()), "registry"])
            self.values["最近同类型距离"] = d
        return self.values["最近同类型距离"]

    def region_name(self):
        if "医保定点区域" not in self.values:
            district = fact(self.app, "district", "applicant.district")
            if type(district) is Absent:
                self.values["医保定点区域"] = district
            else:
                zone = ZONES[district]
                self.values["医保定点区域"] = district if zone == "医保县市区" else zone
        return self.values["医保定点区域"]

    def region(self):
        if "区域统计" not in self.values:
            name = self.region_name()
            self.values["区域统计"] = name if type(name) is Absent else fact(self.city["regions"], name, f"city.regions.{name}")
        return self.values["区域统计"]

    def region_field(self, key):
        region = self.region()
        if type(region) is Absent:
            return region
        return fact(region, key, f"city.regions.{self.values['医保定点区域']}.{key}")

    def beds_per_thousand(self):
        if "区域医保千人床位数" not in self.values:
            beds, people = self.region_field("designated_beds"), self.region_field("insured_population")
            self.values["区域医保千人床位数"] = absent_in(beds, people) or Fraction(beds * 1000) / people
        return self.values["区域医保千人床位数"]

    def fundable_cost(self):
        if "医保筹资可覆盖的医药费用" not in self.values:
            fund = self.city["fund"]
            self.values["医保筹资可覆盖的医药费用"] = Fraction(fund["pooled_income"] * (1 - fund["surplus_rate"])) / fund["reimbursement_ratio"]
        return self.values["医保筹资可覆盖的医药费用"]

    def fundable_beds(self):
        if "医保筹资可承担的医保千人床位数" not in self.values:
            cost = self.fundable_cost()
            self.values["医保筹资可承担的医保千人床位数"] = (
                cost * 1000 / (self.city["cost_per_bed"] * self.city["insured_population"]))
        return self.values["医保筹资可承担的医保千人床位数"]

    def gap(self):
        if "集聚度差值" not in self.values:
            a, b = self.region_field("institution_agglomeration"), self.region_field("population_agglomeration")
            self.values["集聚度差值"] = absent_in(a, b) or a - b
        return self.values["集聚度差值"]


def compare(a, b, holds):
    return absent_in(a, b) or holds(a, b)


def both(first, second):
    """`and` whose second part is computed only when the first is not false."""
    if first is False:
        return False
    value = second()
    if value is False:
        return False
    return absent_in(first, value) or True


def decide(facts: dict, city: dict):
    """[(rule, article, holds, reason, terms)] in precedence order, and the applicant's values."""
    a = Applicant(facts, city)
    app, fund = a.app, city["fund"]
    conditions, flags = app.get("conditions") or {}, app.get("flags") or {}
    category = fact(app, "category", "applicant.category")
    is_inpatient = category if type(category) is Absent else category == "inpatient"
    is_pooling = category if type(category) is Absent else category == "outpatient_pooling"
    def fails(c):
        v = fact(conditions, c, f"applicant.conditions.{c}")
        return v if type(v) is Absent else not v

    not_pharmacy = category if type(category) is Absent else category != "pharmacy"
    medical = both(not_pharmacy, lambda: any_of([fails("departments"), fails("equipment")]))  # 三（五）: not asked of a pharmacy
    rules = [
        ("不予纳入", "三（五）", any_of([fails("staffing"), fails("information_system"), medical,
                                     *(fails(c) for c in CONDITIONS[4:])]), EXCLUDED, None),
        ("村卫生室与高校内设不受限", "三（四）第3句", any_of([fact(flags, f, f"applicant.flags.{f}") for f in
                                                 ("integrated_village_clinic", "university_embedded")]), EXEMPT, None),
        ("基金安全暂停", "二（二）3", any_of([fact(fund, f, f"city.fund.{f}") for f in
                                         ("deficit_last_year", "expected_deficit", "warning_letter")]), PAUSED, None),
        ("服务半径800米", "三", compare(a.distance(), 800.0, lambda d, r: d <= r), SPACING, None),
    ]
    above = both(is_inpatient, lambda: compare(a.beds_per_thousand(), a.fundable_beds(), lambda x, y: x > y))
    rules.append(("住院_千人床位数高于可承担", "三（一）第3句", above, HALF_BEDS,
                  lambda: {"纳入比例": 0.5, "可新增医保床位": math.floor(a.region_field("beds_released") * Fraction(1, 2))}))
    below = both(is_inpatient, lambda: compare(a.beds_per_thousand(), a.fundable_beds(), lambda x, y: x < y))
    rules.append(("住院_千人床位数低于可承担", "三（一）第4句", below, BEST_OF, None))
    positive = both(is_pooling, lambda: compare(a.gap(), 0.0, lambda x, y: x > y))
    rules.append(("门诊统筹_集聚度差值为正", "三（二）第3句", positive, HALF_OUTPATIENT,
                  lambda: {"纳入比例": 0.5, "可新增门诊统筹定点": math.floor(a.region_field("outpatient_released") * Fraction(1, 2))}))
    not_positive = both(is_pooling, lambda: compare(a.gap(), 0.0, lambda x, y: x <= y))
    rules.append(("门诊统筹_集聚度差值非正", "三（二）第4句", not_positive, ALL_OUTPATIENT,
                  lambda: {"纳入比例": 1, "可新增门诊统筹定点": a.region_field("outpatient_released")}))
    rules.append(("个人账户与零售药店", "三（三）",
                  category if type(category) is Absent else category in ("personal_account", "pharmacy"), BEST_OF, None))
    priority = any_of([fact(flags, f, f"applicant.flags.{f}") for f in
                       ("key_project", "public_community_health_center", "elderly_care_embedded")])
    district, level = app.get("district"), app.get("level")
    inpatient = is_inpatient is True
    steering = [name for name, holds in (
        ("缩减_主城区住院床位", inpatient and ZONES.get(district) == "医保主城区"),
        ("缩减_新民康平一级床位", inpatient and district in ("新民市", "康平县") and level == 1),
        ("压缩_口腔门诊与零售药店", category in ("dental", "pharmacy")),
        ("增加_县市区三级床位", inpatient and ZONES.get(district) == "医保县市区" and level == 3),
        ("增加_城郊区二级一级床位", inpatient and ZONES.get(district) == "医保城郊区" and level in (1, 2))) if holds]
    return rules, priority, steering, a.values


def outcome_of(rule) -> str:
    return {EXCLUDED: "excluded", EXEMPT: "exempt", PAUSED: "paused", SPACING: "spacing_conflict"}.get(rule[3], "eligible")


def conclusion(rule) -> tuple:
    return (outcome_of(rule), rule[0] if rule[4] else None)


def json_number(value):
    if type(value) is Fraction:
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, dict):
        return {k: json_number(v) for k, v in value.items()}
    return value


def line_record(number: int, facts: dict, city: dict, stamp: dict) -> dict:
    rules, priority, steering, values = decide(facts, city)
    unknown, decisive = [], None
    for rule in rules:
        if rule[2] is True:
            decisive = rule
            break
        if rule[2] is not False:
            unknown.append(rule)
    # An unknown rule matters only if some rule below it (or the otherwise) concludes otherwise.
    later = {conclusion(decisive) if decisive else ("needs_review", None)}
    needed = []
    for rule in reversed(unknown):
        if later != {conclusion(rule)}:
            needed.append(rule)
        later.add(conclusion(rule))
    terms = {}
    if needed:
        outcome, reason, by = "undetermined", None, None
    elif decisive:
        outcome, reason = outcome_of(decisive), decisive[3]
        by = {"rule": decisive[0], "article": decisive[1]}
        terms = decisive[4]() if decisive[4] else {}
    else:
        outcome, reason, by = "needs_review", OTHERWISE, {"rule": "otherwise", "article": None}
    eligible = outcome == "eligible"
    return {"line": number, "applicant": (facts.get("applicant") or {}).get("id"), "decision": "准入",
            "outcome": outcome, "decided_by": by, "reason": reason, "terms": json_number(terms),
            "priorities": ["同等条件优先纳入"] if eligible and priority is True else [],
            "priorities_unknown": ["同等条件优先纳入"] if eligible and type(priority) is Absent else [],
            "steering": steering,
            "values": {k: json_number(v) for k, v in values.items() if type(v) is not Absent},
            "missing": sorted({p for rule in needed for p in rule[2].paths}), "notices": [NOTICE], "plan": stamp,
            "warnings": []}  # the generated population has no undeclared key (the engine checks; this does not)


def main(people: str, context: str, policy: str) -> None:
    with open(context, encoding="utf-8") as handle:
        city = json.load(handle, parse_float=Fraction)["city"]
    with open(policy, "rb") as handle:
        stamp = {"id": "shenyang-2025-draft", "version": "2025-draft", "sha256": hashlib.sha256(handle.read()).hexdigest(),
                 "title": "沈阳市医疗保障定点医药机构服务资源配置规划（2025-2027年）", "source_sha256": SOURCE_SHA256,
                 "effective": None, "draft": DRAFT}
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    write = sys.stdout.write
    with open(people, "rb") as lines:
        for number, raw in enumerate(lines, 1):
            write(dumps(line_record(number, json.loads(raw, parse_float=Fraction), city, stamp)) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
