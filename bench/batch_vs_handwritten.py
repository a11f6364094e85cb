"""`policy eval` over 20,000 generated 沈阳 applicants against bench/handwritten_shenyang.py.

    python bench/batch_vs_handwritten.py [N] [REPEAT]

All run as subprocesses on the same JSON Lines and context file: the hand-written script,
`policy eval --jobs 1` (one process) and `policy eval` as a user runs it (`--jobs` left at
its default, the cores). Before timing, the outputs are compared line by line (as JSON: they
must say the same thing, or the comparison would mean nothing), and the two runs of `policy
eval` byte for byte. The three are then run in turn, REPEAT times (default 5), and the best
wall-clock time of each is taken, so that each met the machine's load of the same moments;
the CPU seconds of each (its workers included) are given beside it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _run_util import ROOT, environment, policy_command, python  # noqa: E402
from generate_shenyang import generate  # noqa: E402

POLICY = ROOT / "policies" / "shenyang-2025-draft.policy"


def timed(command: list[str], env: dict[str, str], stdout=subprocess.DEVNULL) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and the children it waited for) of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=stdout, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed")
    return wall, usage.ru_utime + usage.ru_stime


def measure(count: int = 20_000, repeat: int = 5) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        people, context = generate(folder, count)
        env = environment(folder / "cache")
        engine = [*policy_command(), "eval", "--plan", str(POLICY), "--context", str(context), str(people)]
        contenders = {
            "handwritten": [python(), str(HERE / "handwritten_shenyang.py"), str(people), str(context), str(POLICY)],
            "jobs_1": [*engine, "--jobs", "1", "-o", str(folder / "one.jsonl")],
            "engine": [*engine, "-o", str(folder / "engine.jsonl")],
        }
        timed(contenders["engine"], env)  # warm the plan cache and the bytecode
        with open(folder / "hand.jsonl", "w") as out:
            timed(contenders["handwritten"], env, stdout=out)
        timed(contenders["jobs_1"], env)
        engine_lines = (folder / "engine.jsonl").read_text(encoding="utf-8").splitlines()
        hand_lines = (folder / "hand.jsonl").read_text(encoding="utf-8").splitlines()
        differ = sum(json.loads(a) != json.loads(b) for a, b in zip(engine_lines, hand_lines))
        assert len(engine_lines) == len(hand_lines) == count and differ == 0, f"{differ} lines differ"
        assert (folder / "one.jsonl").read_bytes() == (folder / "engine.jsonl").read_bytes(), "--jobs changed the bytes"
        best = {name: (float("inf"), float("inf")) for name in contenders}
        for _ in range(repeat):
            for name, command in contenders.items():
                wall, cpu = timed(command, env)
                best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    hand_s = best["handwritten"][0]
    return {"applicants": count, "jobs": default_jobs(), "handwritten_s": hand_s, "handwritten_cpu_s": best["handwritten"][1],
            "engine_s": best["engine"][0], "engine_cpu_s": best["engine"][1], "ratio": best["engine"][0] / hand_s,
            "jobs_1_s": best["jobs_1"][0], "jobs_1_cpu_s": best["jobs_1"][1], "ratio_jobs_1": best["jobs_1"][0] / hand_s,
            "load": os.getloadavg()[0]}


def default_jobs() -> int:
    from engine.batch.parallel import default_jobs as cores

    return cores()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    r = measure(*args)
    print(f"{r['applicants']:,} applicants, load average {r['load']:.1f}; best wall time (CPU seconds)")
    print(f"  hand-written script:        {r['handwritten_s']:.2f} s ({r['handwritten_cpu_s']:.2f} s)")
    print(f"  policy eval --jobs 1:       {r['jobs_1_s']:.2f} s ({r['jobs_1_cpu_s']:.2f} s)  "
          f"ratio {r['ratio_jobs_1']:.2f}")
    print(f"  policy eval ({r['jobs']} jobs, default): {r['engine_s']:.2f} s ({r['engine_cpu_s']:.2f} s)  "
          f"ratio {r['ratio']:.2f} (target ≤ 1)")
