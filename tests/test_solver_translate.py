"""The solver's translation agrees with the reference evaluator: the same outcome and the same
deciding rule for the shipped examples and for many variants of them (facts dropped, flags
flipped, numbers moved, categories and districts changed), missing facts included."""
from __future__ import annotations

import copy
import random

import pytest
import z3

from engine import evaluate
from engine.facts.case import Workspace
from engine.solver.spaces import ConcreteSpace
from engine.solver.translate import Translation
from tests.conftest import POLICIES

EXAMPLES = sorted(p for p in (POLICIES / "examples").glob("*/[0-9]*.json") if "registry" not in p.name)


def leaves(tree, path=()):
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from leaves(v, (*path, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from leaves(v, (*path, i))
    else:
        yield path, tree


def put(tree, path, value):
    for p in path[:-1]:
        tree = tree[p]
    if value is None and isinstance(tree, dict):
        tree.pop(path[-1], None)
    else:
        tree[path[-1]] = value


def variant(facts: dict, plan, rng: random.Random) -> dict:
    out = copy.deepcopy(facts)
    for path, value in list(leaves(out)):
        if path[:1] not in (("applicant",), ("city",)) or rng.random() > 0.15:
            continue
        if isinstance(value, bool):
            put(out, path, not value)
        elif isinstance(value, (int, float)) and value is not None:
            put(out, path, rng.choice([0, value, round(value * rng.uniform(0.5, 1.5), 3), value + 1]))
        elif rng.random() < 0.3 and path[-1] not in ("category", "district"):
            put(out, path, None)
    applicant = out.setdefault("applicant", {})
    if rng.random() < 0.3:
        applicant["category"] = rng.choice([c for c, _ in plan.enums["机构类别"].members])
    districts = plan.inputs["applicant.district"].type.name
    if rng.random() < 0.3:
        applicant["district"] = rng.choice([c for c, _ in plan.enums[districts].members])
    return out


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_translation_agrees_with_the_evaluator(example):
    case = Workspace().open_case_file(str(example))
    rng = random.Random(example.name)
    for n in range(25):
        facts = case.facts if n == 0 else variant(case.facts, case.plan, rng)
        try:
            result = evaluate(case.plan, facts)
        except Exception:  # a variant the evaluator refuses (a zero divisor): nothing to compare
            continue
        space = ConcreteSpace(facts)
        d = Translation(case.plan, space).decision()
        outcome = z3.simplify(d.outcome)
        rule = z3.simplify(d.rule)
        assert space.text(outcome.as_long()) == result.outcome, (example.name, n)
        decided = result.decided_by.name if result.decided_by is not None and result.outcome != "undetermined" else None
        assert (d.rules[rule.as_long()] if rule.as_long() >= 0 else None) == decided, (example.name, n)
