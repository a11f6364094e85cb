"""One decision at a time on a small reference policy: the engine's compiled fast path (with
and without trace) against the same rules written by hand, and against zen-engine (GoRules)
when it is installed (`pip install -e '.[bench]'`).

    python bench/one_at_a_time.py [--json]

Each contender decides the same 2,000 generated applicants over and over for about a second;
the rate is decisions per second. Before timing, every contender's outcome (and quota) is
checked against the hand-written function on every applicant.

Fairness, as a sceptic would have it: the engine's facts are checked inside the timed call,
as `policy explain` and `policy eval` check them; zen-engine is called as its own docs show,
in memory: `ZenEngine.create_decision`, and a loader handing back a pre-compiled
`ZenDecisionContent` (the docs' "optimal performance" pattern). Both are timed and zen is
credited with the faster of the two, so the ratio never flatters us.
"""
from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE / "reference")]

from handwritten import decide as by_hand  # noqa: E402

KINDS = ["hospital", "clinic", "pharmacy", "village_clinic", "university_clinic"]


def population(count: int = 2000, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    return [{
        "fund": {"deficit": rng.random() < 0.03, "expected_deficit": rng.random() < 0.03,
                 "warning_letter": rng.random() < 0.03},
        "applicant": {"id": f"B{i}", "kind": rng.choices(KINDS, [30, 30, 30, 5, 5])[0], "level": rng.choice([1, 2, 3]),
                      "district": rng.choice(["和平区", "沈河区", "辽中区"]), "key_project": rng.random() < 0.1,
                      "meets_conditions": rng.random() < 0.95, "nearest_same_kind_m": rng.randrange(0, 3000)},
        "region": {"beds_per_thousand": rng.uniform(4, 9), "fundable_beds_per_thousand": rng.uniform(4, 9),
                   "released_quota": rng.randrange(0, 500), "agglomeration_gap": rng.uniform(-0.3, 0.3)},
    } for i in range(count)]


def rate(decide, cases: list[dict], seconds: float = 1.0) -> float:
    """Decisions per second, best of three runs of about `seconds` / 3 each."""
    best = 0.0
    for _ in range(3):
        done, start = 0, time.perf_counter()
        while True:
            for case in cases:
                decide(case)
            done += len(cases)
            elapsed = time.perf_counter() - start
            if elapsed > seconds / 3:
                break
        best = max(best, done / elapsed)
    return best


def contenders(cases: list[dict]) -> dict:
    from engine.run.compiled import fast_path
    from engine.facts.fastcase import FastWorkspace

    workspace = FastWorkspace()
    plan = workspace.plan(str(HERE / "reference" / "reference.policy"))
    compiled = fast_path(plan)
    checker = workspace.checker(plan)
    checked = [checker.check(case) for case in cases]
    assert all(c is not None for c in checked)

    def engine(outcome, quota):
        return lambda case: (outcome(case), quota(case))

    found = {
        "hand-written Python function": (lambda case: by_hand(case), cases),
        "engine, no trace": (lambda case: compiled.decide(checker.check(case)), cases),
        "engine, with trace": (lambda case: compiled.explain(checker.check(case)), cases),
        "engine, no trace, facts checked beforehand": (compiled.decide, checked),
    }
    agree = {
        "engine, no trace": lambda case, d: (d.outcome, dict(d.terms).get("名额")),
        "engine, with trace": lambda case, e: (e.outcome, dict(e.terms).get("名额")),
        "engine, no trace, facts checked beforehand": lambda case, d: (d.outcome, dict(d.terms).get("名额")),
    }
    try:
        import zen
    except ImportError:
        zen = None
    if zen is not None:
        content = (HERE / "reference" / "zen.json").read_text(encoding="utf-8")
        decision = zen.ZenEngine().create_decision(content)
        precompiled = zen.ZenDecisionContent(content)
        judge = zen.ZenEngine({"loader": lambda key: precompiled})
        trace = {"trace": True}
        found["zen-engine, no trace, create_decision"] = (lambda case: decision.evaluate(case), cases)
        found["zen-engine, with trace, create_decision"] = (lambda case: decision.evaluate(case, trace), cases)
        found["zen-engine, no trace, loader"] = (lambda case: judge.evaluate("reference", case), cases)
        found["zen-engine, with trace, loader"] = (lambda case: judge.evaluate("reference", case, trace), cases)
        for name in list(found):
            if name.startswith("zen-engine"):
                agree[name] = lambda case, r: (r["result"]["outcome"], r["result"].get("quota"))
    for name, (decide, inputs) in found.items():  # every contender decides every case as the hand-written one
        if name in agree:
            for case, given in zip(cases, inputs):
                expected = by_hand(case)
                got = agree[name](case, decide(given))
                assert got == (expected["outcome"], expected.get("quota")), (name, case, got, expected)
    return found


def measure(seconds: float = 1.0) -> dict[str, float]:
    """Decisions per second of every contender; `zen-engine, MODE` is the faster of zen's two
    documented ways of being called, when zen-engine is installed."""
    cases = population()
    rates = {name: rate(decide, inputs, seconds) for name, (decide, inputs) in contenders(cases).items()}
    for mode in ("no trace", "with trace"):
        ways = [v for k, v in rates.items() if k.startswith(f"zen-engine, {mode}, ")]
        if ways:
            rates[f"zen-engine, {mode}"] = max(ways)
    return rates


if __name__ == "__main__":
    rates = measure()
    if "--json" in sys.argv:
        print(json.dumps(rates))
    else:
        for name, value in rates.items():
            print(f"{name:44} {value:>12,.0f} decisions/s")
