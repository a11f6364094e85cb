"""The fast facts checker never disagrees with the pydantic model: it gives the same facts, or
steps aside (and then pydantic judges). On well-formed facts it must not step aside."""
from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl.spans import Source
from engine import compile_plan
from engine.facts.case import Workspace
from engine.facts.validate import FactsError, merge_context, validate_facts
from engine.facts.fastcase import FastWorkspace
from engine.facts.fastfacts import FactsChecker
from tests.conftest import POLICIES, ROOT, SHENYANG
from tests.test_fastpath import DISTRICTS, Subject, drop_absent, every_node_facts, shenyang_facts

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONTEXT = json.loads((POLICIES / "examples" / "shenyang" / "context-2026.json").read_text(encoding="utf-8"))
JSON = st.recursive(st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=4),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                    max_leaves=6)


def shape(value):
    """A value with its key order made visible, so equality checks the order too."""
    if isinstance(value, dict):
        return [(k, shape(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [shape(v) for v in value]
    return (type(value).__name__, value)


def reference(plan, model, data, context):
    try:
        return validate_facts(plan, merge_context(data, context), Source("<t>", ""), model)
    except FactsError:
        return FactsError


def assert_agrees(plan, model, checker, data, context=None, well_formed=False):
    fast = checker.check(data, context)
    expected = reference(plan, model, data, context)
    if well_formed:
        assert fast is not None, "the fast checker stepped aside on well-formed facts"
    if fast is not None:
        assert expected is not FactsError, "the fast checker accepted facts pydantic refuses"
        assert shape(fast) == shape(expected)


@pytest.fixture(scope="module")
def shenyang():
    plan = compile_plan(SHENYANG)
    return Subject((plan, Workspace().model(plan), FactsChecker(plan)))


@pytest.fixture(scope="module")
def every_node():
    plan = compile_plan(ROOT / "tests" / "fixtures" / "fastpath" / "every-node.policy")
    return Subject((plan, Workspace().model(plan), FactsChecker(plan)))


def corrupt(draw, data: dict) -> dict:
    """Replace one value somewhere with arbitrary JSON, or add an undeclared field."""
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append(path + (k,))
                walk(v, path + (k,))

    walk(data, ())
    if not paths:
        return data
    path = draw(st.sampled_from(paths))
    node = data
    for part in path[:-1]:
        node = node[part]
    if draw(st.booleans()):
        node[path[-1]] = draw(JSON)
    else:
        node[draw(st.text(min_size=1, max_size=3))] = draw(JSON)
    return data


@SETTINGS
@given(data=shenyang_facts, with_context=st.booleans())
def test_well_formed_shenyang_facts_are_checked_fast_and_the_same(shenyang, data, with_context):
    plan, model, checker = shenyang
    data = drop_absent(data)
    if with_context:
        data.pop("city")
    assert_agrees(plan, model, checker, data, CONTEXT if with_context else None, well_formed=True)


@SETTINGS
@given(data=shenyang_facts, with_context=st.booleans(), draw=st.data())
def test_odd_shenyang_facts_are_the_same_or_left_to_pydantic(shenyang, data, with_context, draw):
    plan, model, checker = shenyang
    data = corrupt(draw.draw, drop_absent(data))
    assert_agrees(plan, model, checker, data, CONTEXT if with_context else None)


@SETTINGS
@given(data=every_node_facts, draw=st.data())
def test_every_type_of_fact_is_the_same_or_left_to_pydantic(every_node, data, draw):
    plan, model, checker = every_node
    data = drop_absent(data)
    assert_agrees(plan, model, checker, data, well_formed=True)
    assert_agrees(plan, model, checker, corrupt(draw.draw, data))


@pytest.mark.parametrize("value, fast", [("2026-06-01", True), ("2026-02-30", False), ("20260601", False),
                                         ("2026-06-01T00:00:00", False), (20260601, False)])
def test_dates_other_than_plain_iso_are_left_to_pydantic(every_node, value, fast):
    plan, model, checker = every_node
    data = {"applicant": {"since": value}}
    assert (checker.check(data) is not None) == fast
    assert_agrees(plan, model, checker, data)


def test_labels_become_codes_and_undeclared_fields_stay(shenyang):
    plan, model, checker = shenyang
    data = {"applicant": {"category": "零售药店", "district": DISTRICTS[0], "extra": [1, {"x": None}]}, "note": "n"}
    facts = checker.check(data, CONTEXT)
    assert facts["applicant"]["category"] == "pharmacy" and facts["applicant"]["extra"] == [1, {"x": None}]
    assert facts["note"] == "n" and facts["city"]["regions"]["医保主城区"]["designated_beds"] == 36000
    assert_agrees(plan, model, checker, data, CONTEXT)


def test_a_line_with_its_own_city_statistics_is_merged_as_pydantic_merges(shenyang):
    plan, model, checker = shenyang
    data = {"applicant": {"category": "inpatient"}, "city": {"fund": {"warning_letter": True}}}
    facts = checker.check(data, CONTEXT)
    assert facts["city"]["fund"]["warning_letter"] is True and facts["city"]["fund"]["pooled_income"] == 20000000000
    assert_agrees(plan, model, checker, data, CONTEXT)


def test_the_fast_workspace_decides_the_shipped_examples_as_the_plain_one(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICY_CACHE_DIR", str(tmp_path))
    for path in sorted((POLICIES / "examples").glob("*/[0-9]*.json")):
        plain, fast = Workspace().case_from_file(str(path)), FastWorkspace().case_from_file(str(path))
        assert fast[0].stamp == plain[0].stamp
        assert shape(fast[1]) == shape(plain[1])


def test_bad_facts_get_the_plain_workspace_message(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICY_CACHE_DIR", str(tmp_path))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"plan": "shenyang-2025-draft", "applicant": {"district": "西城区", "beds": "many"}}),
                   encoding="utf-8")
    messages = []
    for workspace in (Workspace(), FastWorkspace()):
        with pytest.raises(FactsError) as error:
            workspace.case_from_file(str(bad))
        messages.append([d.text() for d in error.value.diagnostics])
    assert messages[0] == messages[1] and any("applicant.district" in m for m in messages[0])


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_a_number_fact_that_is_not_finite_makes_the_checker_step_aside(bad):
    plan = compile_plan(ROOT / "bench" / "reference" / "reference.policy")
    checker = FactsChecker(plan)
    good = {"region": {"beds_per_thousand": 6.25}, "applicant": {"kind": "hospital"}}
    assert checker.check(good)["region"]["beds_per_thousand"] == Fraction(25, 4)
    assert checker.check({**good, "region": {"beds_per_thousand": bad}}) is None
    assert reference(plan, Workspace().model(plan), {"region": {"beds_per_thousand": bad}}, None) is FactsError
