"""`policy allocate` over a round of 100,000 generated 沈阳 applicants, against `policy eval` of the same.

    python bench/allocate_round.py [N]

The population of bench/generate_shenyang.py, each applicant with a 择优 score (to one decimal,
so ties occur) and the pharmacies without a given distance, so the 800 m rule asks a seeded
registry of 3,000 institutions and the round's admitted pharmacies become each other's
neighbours. Both commands run as subprocesses on the same files, best of two runs each, timed in CPU
seconds of the child (user + system), which a machine shared with other work disturbs far
less than wall time (printed too):
allocation decides every line as eval does, then ranks, fills the quotas and asks the
spacing rule again where a neighbour of this round is near; the ratio says what that costs.
"""
from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _run_util import ROOT, environment, policy_command, wall  # noqa: E402
from generate_shenyang import generate  # noqa: E402

POLICY = ROOT / "policies" / "shenyang-2025-draft.policy"
REGISTRY_CATEGORIES = ["住院", "门诊统筹", "门诊慢特病", "个人账户", "零售药店", "口腔门诊"]


def round_files(folder: Path, count: int, seed: int = 14) -> tuple[Path, Path, Path]:
    people, context = generate(folder, count)
    rng = random.Random(seed)
    lines = people.read_text(encoding="utf-8").splitlines()
    with open(people, "w", encoding="utf-8") as out:
        for line in lines:
            data = json.loads(line)
            applicant = data["applicant"]
            applicant["score"] = round(rng.uniform(50, 100), 1)
            if applicant["category"] == "pharmacy":
                applicant.pop("nearest_same_category_m", None)
            out.write(json.dumps(data, ensure_ascii=False) + "\n")
    registry = folder / "registry.csv"
    with open(registry, "w", encoding="utf-8") as out:
        out.write("id,name,category,lat,lon\n")
        for number in range(3000):
            out.write(f"R{number:05d},机构{number},{rng.choice(REGISTRY_CATEGORIES)},"
                      f"{rng.uniform(41.6, 42.0):.5f},{rng.uniform(123.2, 123.6):.5f}\n")
    return people, context, registry


def cpu(command: list[str], env: dict, repeat: int = 2) -> tuple[float, float]:
    """The best (CPU seconds, wall seconds) of `repeat` runs of a child process."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = min(best, (used, elapsed))
    return best


def measure(count: int = 100_000) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        people, context, registry = round_files(folder, count)
        env = environment(folder / "cache")
        common = ["--plan", str(POLICY), "--context", str(context), "--registry", str(registry), str(people)]
        evaluate = [*policy_command(), "eval", *common, "-o", str(folder / "eval.jsonl")]
        allocate = [*policy_command(), "allocate", *common, "-o", str(folder / "allocate.jsonl")]
        wall(evaluate, env, repeat=1)  # warm the plan cache and the bytecode
        eval_s, eval_wall = cpu(evaluate, env)
        allocate_s, allocate_wall = cpu(allocate, env)
        records = [json.loads(line) for line in (folder / "allocate.jsonl").read_text(encoding="utf-8").splitlines()]
        assert len(records) == count
        outcomes = Counter(r["outcome"] for r in records)
        decided = Counter(json.loads(line)["outcome"] for line in (folder / "eval.jsonl").read_text(encoding="utf-8").splitlines())
    assert decided["eligible"] == sum(1 for r in records if r.get("decision") == "eligible")  # the same decisions
    return {"applicants": count, "eval_s": eval_s, "allocate_s": allocate_s, "ratio": allocate_s / eval_s,
            "eval_wall_s": eval_wall, "allocate_wall_s": allocate_wall, "outcomes": dict(outcomes)}


if __name__ == "__main__":
    result = measure(*(int(a) for a in sys.argv[1:2]))
    print(f"policy allocate, {result['applicants']:,} applicants: {result['allocate_s']:.2f} s CPU "
          f"({result['allocate_wall_s']:.2f} s wall); policy eval of the same: {result['eval_s']:.2f} s CPU "
          f"({result['eval_wall_s']:.2f} s wall); ratio {result['ratio']:.2f} (target ≤ 3)")
    print("outcomes: " + ", ".join(f"{k} {v:,}" for k, v in sorted(result["outcomes"].items())))
