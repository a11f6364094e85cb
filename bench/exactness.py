"""What exact arithmetic costs: the 沈阳 and 菏泽 plans' fast path with exact numbers (as
shipped: rationals, engine/values/numbers.py) against the same generated code run in binary floats
(the arithmetic the engine used before), on the same applicants, in the same run.

    python bench/exactness.py [--json]

The float version is built here only, to measure: the same generated functions, its
constants turned into floats, `/` as float division, and the facts' numbers as floats. It
is not offered by the engine: floats decide thresholds wrongly (tests/test_exact.py).
Before timing, both versions' outcomes are compared; how many differ is printed (inputs on
a threshold are where they do).
"""
from __future__ import annotations

import json
import math
import operator
import random
import sys
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from generate_shenyang import CONTEXT, applicant  # noqa: E402
from one_at_a_time import rate  # noqa: E402  (best of three runs, decisions per second)

from dsl.spans import Source  # noqa: E402
from engine.run import codegen, compiled  # noqa: E402
from engine.facts.validate import parse_json  # noqa: E402
from engine.facts.fastcase import FastWorkspace  # noqa: E402

POLICIES = HERE.parent / "policies"


class _FloatModule(compiled._Module):  # noqa: SLF001 (a bench-only variant of the fast path)
    """The generated functions of a plan, run in floats."""

    def __init__(self, plan, trace: bool):
        generated = codegen.generate(plan, trace)
        constants = {k: float(v) if type(v) is Fraction else v for k, v in generated.constants.items()}
        namespace = {**compiled._RUNTIME, **constants, "_div": operator.truediv, "_sum": math.fsum}
        for function in generated.functions:
            exec(compile(function, "<float fast path>", "exec"), namespace)
        self.source = generated.source
        self.rules = {name: namespace[f"Q{i}"] for i, name in enumerate(generated.rules)}


class _FloatPlan(compiled.CompiledPlan):
    def module(self, trace: bool):
        if trace not in self._modules:
            self._modules[trace] = _FloatModule(self.plan, trace)
        return self._modules[trace]


def _floats(value):
    if type(value) is Fraction:
        return float(value)
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats(v) for v in value]
    return value


def cases(count: int = 2000, seed: int = 11) -> dict[str, tuple]:
    """(plan, exact facts) per plan: generated 沈阳 applicants, and 菏泽 examples varied."""
    workspace = FastWorkspace()
    rng = random.Random(seed)
    out = {}
    shenyang = workspace.plan(str(POLICIES / "shenyang-2025-draft.policy"))
    context = json.dumps(CONTEXT, ensure_ascii=False)
    city = parse_json(context, Source("<context>", context))["city"]
    facts = []
    for i in range(count):
        data = applicant(rng, i)
        data["city"] = city
        facts.append(workspace.validate(shenyang, data, None, Source("<bench>", "")))
    out["沈阳"] = (shenyang, facts)
    heze = workspace.plan(str(POLICIES / "heze-2026.policy"))
    examples = sorted((POLICIES / "examples" / "heze").glob("[0-9]*.json"))
    facts = []
    for i in range(count):
        path = examples[i % len(examples)]
        text = path.read_text(encoding="utf-8")
        data = parse_json(text, Source(str(path), text))
        data.pop("registry", None)  # no registry: the spacing rule reads the facts' distance, or is missing
        _, checked = workspace.case(data, Source(str(path), text), path.parent)
        facts.append(checked)
    out["菏泽"] = (heze, facts)
    return out


def measure(seconds: float = 1.0) -> list[dict]:
    rows = []
    for city, (plan, exact_facts) in cases().items():
        float_facts = [_floats(f) for f in exact_facts]
        exact, floating = compiled.CompiledPlan(plan), _FloatPlan(plan)
        differ = sum(exact.decide(e).outcome != floating.decide(f).outcome for e, f in zip(exact_facts, float_facts))
        for mode, run in (("no trace", "decide"), ("with trace", "explain")):
            ours = rate(getattr(exact, run), exact_facts, seconds)
            theirs = rate(getattr(floating, run), float_facts, seconds)
            rows.append({"plan": city, "mode": mode, "exact_per_s": ours, "float_per_s": theirs,
                         "cost": theirs / ours, "outcomes_differ": differ, "cases": len(exact_facts)})
    return rows


if __name__ == "__main__":
    found = measure()
    if "--json" in sys.argv:
        print(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        for row in found:
            print(f"{row['plan']} {row['mode']:10}  exact {row['exact_per_s']:10,.0f}/s  float {row['float_per_s']:10,.0f}/s"
                  f"  exactness costs {row['cost']:.2f} x  ({row['outcomes_differ']} of {row['cases']} outcomes differ)")
