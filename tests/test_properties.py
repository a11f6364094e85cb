"""Properties, checked on generated inputs (hypothesis; few examples each, so the suite stays
fast: `python tools/fuzz.py --seconds 600` runs the same oracles for as long as asked):

- mutated facts and mutated plans give a decision or a coded error, never an exception;
- the fast path (fast-checked facts, compiled explain and decide) equals the reference
  (pydantic-checked facts, engine.evaluate) on every generated input, unknown keys under
  `city` (at every level) included;
- parse(fmt(x)) == parse(x), for generated expressions and for mutated plans that parse.
"""
from __future__ import annotations

import json
import random
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl import format_policy, parse_policy
from dsl.diagnostics import PolicyError
from tests.conftest import MINI, POLICIES
from tools.fuzz import SHIPPED, check_plan_text, decide_both, load_examples, mutate_facts, mutate_plan

FEW = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10 ** 6, 10 ** 6) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8)


def _plan(plan_id: str):
    return str(POLICIES / f"{plan_id}.policy")


def _enums(plan_id: str):
    from engine.compile.pipeline import compile_plan

    plan = compile_plan(_plan(plan_id))
    return [member for enum in plan.enums.values() for member in enum.members]


@pytest.fixture(scope="module")
def shipped():
    return {plan_id: (load_examples(plan_id), _enums(plan_id)) for plan_id in SHIPPED}


@pytest.mark.parametrize("plan_id", sorted(SHIPPED))
@FEW
@given(seed=st.integers(0, 2 ** 32))
def test_mutated_facts_give_a_decision_or_a_coded_error_alike_on_both_paths(shipped, plan_id, seed):
    (folder, examples), enums = shipped[plan_id]
    rng = random.Random(seed)
    data = mutate_facts(rng, rng.choice(examples), enums)
    decide_both(_plan(plan_id), data, folder)  # raises on a traceback or on any disagreement


@pytest.mark.parametrize("plan_id", sorted(SHIPPED))
@FEW
@given(data=st.data(), key=st.text(min_size=1, max_size=8), value=json_values)
def test_an_unknown_key_anywhere_under_city_changes_nothing_between_the_paths(shipped, plan_id, data, key, value):
    (folder, examples), _ = shipped[plan_id]
    facts = json.loads(json.dumps(data.draw(st.sampled_from([e for e in examples if isinstance(e.get("city"), dict)]))))
    records = [node for node in _dicts(facts["city"])]
    target = data.draw(st.sampled_from(records))
    target.setdefault(key, value)
    (kind, _), _ = decide_both(_plan(plan_id), facts, folder)
    assert kind == "ok" or kind == "refused"


def _dicts(value):
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


# ---- generated valid facts for a small plan: every path agrees with the reference

MINI_FACTS = st.fixed_dictionaries({
    "applicant": st.fixed_dictionaries({}, optional={
        "id": st.text(max_size=5), "category": st.sampled_from(["pharmacy", "clinic", "零售药店", "诊所"]),
        "distance": st.one_of(st.integers(0, 2000), st.floats(0, 2000, allow_nan=False))}),
    "city": st.fixed_dictionaries({}, optional={
        "deficit": st.booleans(), "rate": st.floats(-1, 1, allow_nan=False), "unknown": json_values}),
})


@pytest.fixture(scope="module")
def mini_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mini")
    (folder / "mini.policy").write_text(MINI, encoding="utf-8")
    return folder


@FEW
@given(facts=MINI_FACTS)
def test_fast_path_equals_reference_on_generated_valid_facts(mini_folder, facts):
    (kind, _), _ = decide_both(str(mini_folder / "mini.policy"), facts, mini_folder)
    assert kind == "ok"


# ---- plans: mutated ones never crash; what parses formats back to the same tree

@pytest.fixture(scope="module")
def plan_folders(tmp_path_factory):
    folders = {}
    for plan_id, city in SHIPPED.items():
        folder = tmp_path_factory.mktemp(city)
        shutil.copytree(POLICIES / "sources", folder / "sources")
        for extra in (POLICIES / "examples" / city).iterdir():
            if not extra.name[0].isdigit() and extra.is_file():
                shutil.copy(extra, folder / extra.name)
        folders[plan_id] = folder
    return folders


@pytest.mark.parametrize("plan_id", sorted(SHIPPED))
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2 ** 32))
def test_a_mutated_plan_is_checked_or_refused_with_codes_never_a_crash(plan_folders, plan_id, seed):
    text = (POLICIES / f"{plan_id}.policy").read_text(encoding="utf-8")
    examples = load_examples(plan_id)[1][:4]
    assert check_plan_text(mutate_plan(random.Random(seed), text), plan_folders[plan_id], examples)


NAMES = ["比率", "加倍比率", "距离", "2", "0.5", "800 m", "10%"]


def _expressions():
    leaf = st.sampled_from(NAMES)
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "×"]), inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        inner.map(lambda e: f"({e})"),
        inner.map(lambda e: f"-{e}"),
        st.tuples(inner, inner).map(lambda t: f"if 赤字 then {t[0]} else {t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"max({t[0]}, {t[1]})"),
    ), max_leaves=10)


@FEW
@given(expression=_expressions())
def test_parse_of_fmt_is_parse(expression):
    text = MINI.replace("define 加倍比率 cites 二 = 比率 * 2",
                        f"define 加倍比率 cites 二 = 比率 * 2\ndefine 生成 cites 二 = {expression}")
    try:
        tree = parse_policy(text)
    except PolicyError as error:
        assert all(d.code for d in error.diagnostics)
        return
    assert parse_policy(format_policy(text)) == tree


@pytest.mark.parametrize("plan_id", sorted(SHIPPED))
@FEW
@given(seed=st.integers(0, 2 ** 32))
def test_parse_of_fmt_is_parse_on_mutated_plans(plan_id, seed):
    text = mutate_plan(random.Random(seed), (POLICIES / f"{plan_id}.policy").read_text(encoding="utf-8"))
    try:
        tree = parse_policy(text)
        formatted = format_policy(text)
    except PolicyError as error:  # refused to parse, or the formatter refused: coded either way
        assert all(d.code for d in error.diagnostics)
        return
    assert parse_policy(formatted) == tree


def test_the_fuzz_script_runs_for_its_budget_and_counts(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    result = subprocess.run([sys.executable, str(ROOT / "tools" / "fuzz.py"), "--seconds", "3", "--seed", "1",
                             "--out", str(tmp_path / "failures")], capture_output=True, text=True, timeout=300)
    last = result.stdout.strip().splitlines()[0]
    assert last.endswith(" failures") and " inputs, " in last, result.stdout + result.stderr
    assert result.returncode == (0 if last.endswith(" 0 failures") else 1)
    assert last.endswith(" 0 failures"), result.stdout
