"""The compiled fast path agrees with the reference evaluator, output for output.

Equality is checked on the JSON decision record (`explanation_to_json`), which holds the
whole trace: every step's reads, uses, value, status and missing facts. The populations are
generated (hypothesis), with facts absent, false, zero and odd, because that is where a
second implementation of three-valued logic would go wrong.
"""
from __future__ import annotations

import dataclasses
import inspect
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl.diagnostics import PolicyError
from dsl.spans import Source
from engine import compile_plan, evaluate
from engine.compile import ir
from engine.facts.case import Workspace
from engine.run.codegen import HANDLED, generate
from engine.run.compiled import Decision, fast_path
from engine.run.records import builder
from engine.facts.validate import validate_facts
from engine.run.trace import Explanation, Step
from render.json_view import explanation_to_json
from render.values import jsonable
from tests.conftest import POLICIES, ROOT, SHENYANG

EVERY_NODE = ROOT / "tests" / "fixtures" / "fastpath" / "every-node.policy"
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ABSENT = object()  # a key left out of the facts file


def both(plan, facts, decision=None, registry=None):
    """The reference's and the fast path's JSON records (or the error each raised)."""
    out = []
    for run in (lambda: evaluate(plan, facts, decision, registry=registry),
                lambda: fast_path(plan).explain(facts, decision, registry)):
        try:
            out.append(explanation_to_json(run()))
        except PolicyError as error:
            out.append(("error", [(d.code, d.message, d.span.line, d.span.column) for d in error.diagnostics]))
    return out


def assert_same(plan, facts, decision=None, registry=None):
    reference, fast = both(plan, facts, decision, registry)
    assert fast == reference
    if isinstance(reference, dict):  # the same text too: key order is part of the record
        assert json.dumps(fast, ensure_ascii=False) == json.dumps(reference, ensure_ascii=False)
        assert_decide_agrees(plan, facts, reference, decision, registry)


def assert_decide_agrees(plan, facts, reference: dict, decision=None, registry=None):
    """The no-trace mode gives what the trace gives, field for field."""
    decided = fast_path(plan).decide(facts, decision, registry)
    by = reference["decided_by"]
    assert decided.outcome == reference["outcome"]
    assert (decided.rule or ("otherwise" if decided.by_otherwise else None)) == (by and by["rule"])
    assert decided.by_otherwise == (by is not None and by["rule"] == "otherwise")
    assert list(decided.articles) == ([a["id"] for a in by["articles"]] if by else [])
    assert decided.reason == reference["reason"]
    assert {k: jsonable(v) for k, v in decided.terms} == reference["terms"]
    assert [k for k, _ in decided.terms] == list(reference["terms"])
    assert {k: jsonable(v) for k, v in decided.values} == reference["values"]  # no institution shows as "none"
    assert [k for k, _ in decided.values] == list(reference["values"])
    assert list(decided.missing) == reference["missing"]
    assert list(decided.priorities) == [p["rule"] for p in reference["priorities"]]
    assert list(decided.priorities_unknown) == [p["rule"] for p in reference["priorities_unknown"]]
    assert list(decided.notices) == reference["notices"]
    assert list(decided.steering) == [s["rule"] for s in reference["steering"]]
    assert (decided.applicant_id, decided.as_of) == (reference["applicant"]["id"], reference["as_of"])


class Subject(tuple):
    """A fixture's (plan, …) with a short repr: hypothesis prints it with a failing example."""

    def __repr__(self) -> str:
        return f"<plan {self[0].stamp.id}>"


def drop_absent(value):
    if isinstance(value, dict):
        return {k: drop_absent(v) for k, v in value.items() if v is not ABSENT}
    if isinstance(value, list):
        return [drop_absent(v) for v in value]
    return value


def maybe(strategy):
    """Mostly present; sometimes absent, sometimes null (which also means absent)."""
    return st.integers(0, 9).flatmap(lambda i: strategy if i < 8 else st.sampled_from([ABSENT, None]))


NUMBER = st.one_of(st.integers(-3, 3), st.integers(0, 5_000_000),
                   st.floats(-1e4, 1e10, allow_nan=False, allow_infinity=False))
DIVISOR = st.integers(0, 24).flatmap(lambda i: st.just(0) if i == 24 else st.one_of(st.integers(1, 5_000_000),
                                                                                     st.floats(0.01, 1e7)))


# ---- every shipped example, both plans

EXAMPLES = sorted((POLICIES / "examples").glob("*/[0-9]*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_shipped_example_gives_the_same_explanation(path):
    case = Workspace().open_case_file(str(path))  # with the registry the example names, if any
    assert_same(case.plan, case.facts, registry=case.registry)
    assert (fast_path(case.plan).explain(case.facts, registry=case.registry)
            == evaluate(case.plan, case.facts, registry=case.registry))  # the records themselves, too
    assert_same(case.plan, case.facts)  # and without a registry: its questions are missing


# ---- registry questions: first_known, nearest, count_within

REGISTRY_PLAN = """\
plan "registry-questions"
  title "registry questions"
  version "1"
article 一 "一、测试。"
enum 类别 { pharmacy "零售药店" clinic "门诊统筹" hospital "住院" }
input applicant.id : text
input applicant.category : 类别 as 类别值
input applicant.location : { lat: number deg, lon: number deg }
input applicant.distance : metres as 给定距离
registry 名录 cites 一 {
  same_type pharmacy: 零售药店
  same_type clinic: 门诊统筹
}
define 距离 cites 一 = first_known(给定距离, nearest(名录))
define 附近 cites 一 = count_within(名录, 1500 m)
rule 太近 : spacing cites 一
  when 距离 <= 800 m or 附近 >= 3
  then spacing_conflict
rule 其他 : admission cites 一
  when 类别值 != 住院
  then eligible with 附近数 = 附近
decision 准入 {
  precedence 太近 > 其他
  otherwise needs_review
}
"""


@pytest.fixture(scope="module")
def registry_case(tmp_path_factory):
    from engine.registry.load import load_registry

    folder = tmp_path_factory.mktemp("registry")
    (folder / "plan.policy").write_text(REGISTRY_PLAN, encoding="utf-8")
    plan = compile_plan(folder / "plan.policy")
    registry = load_registry(POLICIES / "examples" / "shenyang" / "registry.csv")
    return Subject((plan, Workspace().model(plan), registry))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.fixed_dictionaries({"applicant": st.fixed_dictionaries({
    "id": maybe(st.sampled_from(["SY-ZY-0001", "X"])),
    "category": maybe(st.sampled_from(["pharmacy", "clinic", "hospital"])),
    "location": maybe(st.fixed_dictionaries({"lat": maybe(st.floats(41.70, 41.90)),
                                             "lon": maybe(st.floats(123.30, 123.55))})),
    "distance": st.one_of(st.just(ABSENT), st.integers(0, 2000)),
})}), with_registry=st.booleans())
def test_registry_questions_give_the_same_explanation(registry_case, data, with_registry):
    plan, model, registry = registry_case
    facts = validate_facts(plan, drop_absent(data), Source("<generated>", ""), model)
    assert_same(plan, facts, registry=registry if with_registry else None)


# ---- generated 沈阳 populations

@pytest.fixture(scope="module")
def shenyang():
    plan = compile_plan(SHENYANG)
    return Subject((plan, Workspace().model(plan)))


REGION_NAMES = ["医保主城区", "医保城郊区", "辽中区", "新民市", "康平县", "法库县"]
DISTRICTS = ["和平区", "沈河区", "大东区", "铁西区", "皇姑区", "于洪区", "浑南区", "苏家屯区", "沈北新区",
             "辽中区", "新民市", "康平县", "法库县"]
CATEGORIES = ["inpatient", "outpatient_pooling", "outpatient_chronic", "personal_account", "pharmacy", "dental",
              "住院", "门诊统筹", "零售药店"]
FLAGS = ["key_project", "public_community_health_center", "elderly_care_embedded", "integrated_village_clinic",
         "university_embedded"]
CONDITIONS = ["staffing", "departments", "equipment", "information_system", "safety_facilities",
              "accessibility_facilities", "elderly_facilities"]
REGION_FIELDS = ["insured_population", "designated_beds", "beds_released", "outpatient_released",
                 "institution_agglomeration", "population_agglomeration"]
BOOL = maybe(st.booleans())


def bools(names, usual: bool):
    """Either every flag at its usual value, or each one true, false or absent."""
    return st.integers(0, 3).flatmap(lambda i: st.just({n: usual for n in names}) if i < 3
                                     else st.fixed_dictionaries({n: BOOL for n in names}))


region = st.fixed_dictionaries({f: maybe(DIVISOR if f == "insured_population" else NUMBER) for f in REGION_FIELDS})
shenyang_facts = st.fixed_dictionaries({
    "applicant": st.fixed_dictionaries({
        "id": st.text(max_size=6),
        "category": maybe(st.sampled_from(CATEGORIES)),
        "district": maybe(st.sampled_from(DISTRICTS)),
        "nearest_same_category_m": maybe(st.one_of(st.integers(801, 5000), st.integers(0, 800), st.floats(0, 3000))),
        "flags": maybe(bools(FLAGS, False)),
        "conditions": maybe(bools(CONDITIONS, True)),
    }),
    "city": st.fixed_dictionaries({
        "fund": st.builds(lambda flags, amounts: {**flags, **amounts},
                          bools(["deficit_last_year", "expected_deficit", "warning_letter"], False),
                          st.fixed_dictionaries({"pooled_income": maybe(NUMBER), "surplus_rate": maybe(st.floats(0, 1)),
                                                 "reimbursement_ratio": maybe(DIVISOR)})),
        "insured_population": maybe(DIVISOR),
        "cost_per_bed": maybe(DIVISOR),
        "regions": maybe(st.one_of(st.fixed_dictionaries({r: region for r in REGION_NAMES}),
                                   st.dictionaries(st.sampled_from(REGION_NAMES), region))),
    }),
})


@SETTINGS
@given(data=shenyang_facts)
def test_generated_shenyang_applicants_give_the_same_explanation(shenyang, data):
    plan, model = shenyang
    facts = validate_facts(plan, drop_absent(data), Source("<generated>", ""), model)
    assert_same(plan, facts)


# ---- every IR node, on a plan written to use them all

@pytest.fixture(scope="module")
def every_node():
    plan = compile_plan(EVERY_NODE)
    return Subject((plan, Workspace().model(plan)))


group = st.fixed_dictionaries({"rate": maybe(NUMBER), "n": maybe(NUMBER), "on": BOOL})
every_node_facts = st.fixed_dictionaries({
    "as_of": maybe(st.sampled_from(["2024-06-01", "2025-02-28", "2025-08-31", "2026-12-01"])),
    "applicant": st.fixed_dictionaries({
        "category": maybe(st.sampled_from(["a", "b", "c", "甲", "丙"])),
        "county": maybe(st.sampled_from(["甲县", "乙县", "丙县", "丁县"])),
        "x": maybe(NUMBER), "y": maybe(st.one_of(NUMBER, st.just(2))),
        "name": maybe(st.sampled_from(["甲乙", "丙", "丁", ""])),
        "since": maybe(st.sampled_from(["2024-01-01", "2025-02-28", "2025-03-01", "2026-06-01", "2024-08-31"])),
        "flag": BOOL,
        "point": maybe(st.fixed_dictionaries({"lat": maybe(NUMBER), "lon": maybe(NUMBER)})),
    }),
    "city": st.fixed_dictionaries({
        "groups": maybe(st.lists(group, max_size=4)),
        "regions": maybe(st.dictionaries(st.sampled_from(["东区", "西区", "甲县", "乙县", "丙县"]),
                                         st.fixed_dictionaries({"quota": maybe(NUMBER), "gap": maybe(NUMBER)}))),
    }),
})


@SETTINGS
@given(data=every_node_facts, decision=st.sampled_from([None, "准入", "次要", "状态"]))
def test_every_node_type_gives_the_same_explanation(every_node, data, decision):
    plan, model = every_node
    facts = validate_facts(plan, drop_absent(data), Source("<generated>", ""), model)
    assert_same(plan, facts, decision)


def test_the_compiler_handles_every_node_type_of_the_ir():
    declared = {cls for _, cls in inspect.getmembers(ir, inspect.isclass)
                if dataclasses.is_dataclass(cls) and cls.__module__ == ir.__name__}
    missing = declared - HANDLED
    assert not missing, f"engine/run/codegen.py has no case for {sorted(c.__name__ for c in missing)}"
    assert HANDLED <= declared


# ---- deep nesting is split into functions, not refused by Python

def test_deep_expressions_compile_and_agree(write_policy):
    deep_if = "1"
    for i in range(60):
        deep_if = f"(if X > {i} then {deep_if} + 1 else X)"
    wide_or = " or ".join(f"X = {i}" for i in range(150))
    plan = compile_plan(write_policy(f"""\
        plan "deep"
          title "deep"
          version "1"
        article 一 "一、测试。"
        input applicant.x : number as X
        define 深 cites 一 = {deep_if}
        rule 宽 : exclusion cites 一
          when {wide_or}
          then excluded
        rule 高 : admission cites 一
          when 深 > 30
          then eligible with 值 = 深
        decision 准入 {{
          precedence 宽 > 高
          otherwise needs_review
        }}
        """))
    for x in (None, 0, 7, 45, 149, 150, 500):
        assert_same(plan, {"applicant": {"x": x}})


# ---- the generated source carries no user text

def test_generated_source_holds_no_policy_text(write_policy):
    hostile = r'\"); __import__(\"os\").system(\"echo pwned\"); (\"'
    plan = compile_plan(write_policy(f"""\
        plan "hostile"
          title "{hostile}"
          version "1"
        article 一 "{hostile}"
        enum kind {{ x__import__ "{hostile}" y }}
        input applicant.os_system : kind as os_system
        input applicant.note : text as note
        rule exec_rule : exclusion cites 一
          when os_system = x__import__ or note = "{hostile}"
          then excluded "{hostile}"
        decision 准入 {{
          precedence exec_rule
          otherwise needs_review "{hostile}"
        }}
        """))
    for trace in (True, False):
        source = generate(plan, trace).source
        assert source.isascii()
        for text in ("os_system", "x__import__", "exec_rule", "pwned", "system", "import"):
            assert text not in source
    assert_same(plan, {"applicant": {"os_system": "x__import__", "note": 'x'}})
    assert fast_path(plan).decide({"applicant": {"note": hostile.replace("\\", "")}}).outcome == "excluded"


def test_shipped_plans_compile_to_ascii_source():
    for path in POLICIES.glob("*.policy"):
        plan = compile_plan(path)
        for trace in (True, False):
            assert generate(plan, trace).source.isascii()


def test_fast_records_equal_what_their_classes_build():
    step = Step("rule", "n", None, (), (("a", 1),), (), True, "gate", "decided", "paused", "r", (), (), 3)
    assert builder(Step)(*(getattr(step, f.name) for f in dataclasses.fields(Step))) == step
    for cls in (Decision, Explanation):  # every field, those left out of == too (labels, units)
        values = [f"v{i}" for i, _ in enumerate(dataclasses.fields(cls))]
        built, made = builder(cls)(*values), cls(*values)
        assert [getattr(built, f.name) for f in dataclasses.fields(cls)] == values
        assert [getattr(made, f.name) for f in dataclasses.fields(cls)] == values
        assert type(built) is cls and built == made and hash(built) == hash(made)
        with pytest.raises(dataclasses.FrozenInstanceError):
            built.decision = "changed"


def test_division_by_zero_is_the_same_error(write_policy):
    plan = compile_plan(write_policy("""\
        plan "div"
          title "div"
          version "1"
        article 一 "一、测试。"
        input applicant.x : number as X
        define 商 cites 一 = 1 / X
        rule 高 : admission cites 一
          when 商 > 0
          then eligible
        decision 准入 {
          precedence 高
          otherwise needs_review
        }
        """))
    reference, fast = both(plan, {"applicant": {"x": 0}})
    assert reference[0] == "error" and fast == reference
    with pytest.raises(PolicyError):
        fast_path(plan).decide({"applicant": {"x": 0}})


def test_the_bench_reference_policy_traced_fast_is_the_reference_on_a_population():
    """The bench's plan has no registry: its traced decisions take engine/run/lean.py's assembly,
    facts checked by the generated checker as the CLI checks them."""
    import random

    from engine.facts.fastfacts import FactsChecker

    plan = compile_plan(ROOT / "bench" / "reference" / "reference.policy")
    checker, rng = FactsChecker(plan), random.Random(19)
    kinds = ["hospital", "clinic", "pharmacy", "village_clinic", "university_clinic", "医院", "药店"]
    for i in range(300):
        data = {"fund": {"deficit": rng.random() < 0.1, "expected_deficit": rng.random() < 0.1},
                "applicant": {"id": f"B{i}", "kind": rng.choice(kinds), "meets_conditions": rng.random() < 0.9,
                              "nearest_same_kind_m": rng.choice([rng.randrange(0, 3000), 800, 799.5, None])},
                "region": {"beds_per_thousand": rng.uniform(4, 9), "fundable_beds_per_thousand": rng.choice([6.5, 7]),
                           "released_quota": rng.randrange(0, 500), "agglomeration_gap": rng.choice([0, 0.0, -0.1, 0.25])}}
        if rng.random() < 0.2:
            del data["region"][rng.choice(list(data["region"]))]
        facts = checker.check(data)
        assert facts is not None
        assert_same(plan, facts)
        assert fast_path(plan).explain(facts) == evaluate(plan, facts)
