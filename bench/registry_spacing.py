"""Benchmark: the cost of the 沈阳 plan's spacing question asked of the registry, per decision.

Not a test: it prints figures and exits 0. Run from the repository root:

    python -m bench.registry_spacing            # 20,000 registry rows, 5,000 pharmacies
    python bench/registry_spacing.py --rows 50000 --applicants 10000

The same pharmacies are decided twice by each path (reference `evaluate`, fast path
`explain` with trace, fast path `decide` without): once with `applicant.nearest_same_category_m`
given, so `first_known` never asks the registry, and once without it, so every decision asks
`nearest(定点医药机构)` of a seeded synthetic registry spread over 沈阳's built-up area. The
indexes are built before timing, as a run builds them once, on first use. Before timing,
the fast path is checked to decide every registry case as the reference does.
"""
from __future__ import annotations

import argparse
import copy
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # so `python bench/registry_spacing.py` works

from engine import evaluate  # noqa: E402
from engine.facts.case import Workspace  # noqa: E402
from engine.run.compiled import fast_path  # noqa: E402
from engine.registry.load import Institution, Registry  # noqa: E402

EXAMPLE = Path(__file__).resolve().parent.parent / "policies/examples/shenyang/11-pharmacy-registry-spacing-conflict.json"
CATEGORIES = ("住院", "门诊统筹", "门诊慢特病", "个人账户", "零售药店", "口腔门诊")
BOX = (41.70, 41.90, 123.30, 123.55)  # lat min, lat max, lon min, lon max: 沈阳's built-up area, roughly


def place(rng: random.Random) -> tuple[float, float]:
    return rng.uniform(BOX[0], BOX[1]), rng.uniform(BOX[2], BOX[3])


def rate(decide, rows) -> float:
    decide(rows[0])  # warm: compile, first index use
    start = time.perf_counter()
    for row in rows:
        decide(row)
    return len(rows) / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000, help="registry rows (default 20000)")
    parser.add_argument("--applicants", type=int, default=5_000, help="pharmacies decided (default 5000)")
    parser.add_argument("--seed", type=int, default=20260601)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    case = Workspace().open_case_file(str(EXAMPLE))
    plan, base = case.plan, case.facts
    registry = Registry(Institution(f"R{k:06d}", f"机构{k}", rng.choice(CATEGORIES), *place(rng), k + 2)
                        for k in range(args.rows))
    for category in CATEGORIES:
        registry.index(category)
    asked, given = [], []
    for k in range(args.applicants):
        facts = copy.deepcopy(base)
        lat, lon = place(rng)
        facts["applicant"].update(id=f"A{k:06d}", location={"lat": lat, "lon": lon})
        asked.append(facts)
        known = copy.deepcopy(facts)
        known["applicant"]["nearest_same_category_m"] = rng.uniform(0, 2000)
        given.append(known)

    fast = fast_path(plan)
    for facts in asked[:500]:
        assert fast.decide(facts, registry=registry).outcome == evaluate(plan, facts, registry=registry).outcome

    print(f"registry: {len(registry):,} rows in {len(CATEGORIES)} categories; {len(asked):,} pharmacies")
    print(f"{'decisions per second':<36}{'distance given':>16}{'from the registry':>20}")
    paths = (("reference evaluate (trace)", lambda f, r: evaluate(plan, f, registry=r)),
             ("fast path explain (trace)", lambda f, r: fast.explain(f, registry=r)),
             ("fast path decide (no trace)", lambda f, r: fast.decide(f, registry=r)))
    for name, decide in paths:
        with_given = rate(lambda f: decide(f, None), given)
        with_registry = rate(lambda f: decide(f, registry), asked)
        print(f"{name:<36}{with_given:>16,.0f}{with_registry:>20,.0f}")
    start = time.perf_counter()
    for facts in asked:
        where = facts["applicant"]["location"]
        registry.nearest(where["lat"], where["lon"], ["零售药店"], facts["applicant"]["id"])
    print(f"{'Registry.nearest alone':<36}{'':>16}{len(asked) / (time.perf_counter() - start):>20,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
