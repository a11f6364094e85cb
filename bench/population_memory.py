"""`policy eval --decision 年度考核` over 10,000 and 100,000 institutions: peak memory and time.

    python bench/population_memory.py [SIZES...]     (default: 10000 100000)

The annual review (沈阳 三（七）) ranks every institution against all the others, so `policy
eval` reads the file twice: pass 1 keeps only the aggregates (counts, and the sorted scores
at 8 bytes a line), pass 2 decides one line at a time. Each size runs in its own process and
the peak resident memory of that process (os.wait4) is printed. Memory that grows with the
population is the aggregates' share: 10× the lines should cost far less than 10× the memory;
the last column says what the growth is per line.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from _run_util import ROOT, environment, policy_command  # noqa: E402

KINDS = ("public_community_health_center", "integrated_village_clinic", "university_embedded", "elderly_care_embedded")


def population(path: Path, size: int, seed: int = 12) -> None:
    """A year's review: scores mostly 60-100, a few below 60, some ties, every kind of institution."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(size):
            kind = rng.choice(KINDS) if rng.random() < 0.2 else None
            line = {"plan": "shenyang-2025-draft", "decision": "年度考核",
                    "institution": {"id": f"SY-R-{i:06d}", "name": f"机构{i}", "category": "inpatient",
                                    "inpatient_qualified": rng.random() < 0.5,
                                    "flags": {k: k == kind for k in KINDS}},
                    "review": {"year": 2026, "score": round(rng.gauss(78, 9), 1)}}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


def measure(size: int, work: Path, env: dict) -> tuple[float, float, dict]:
    """(peak RSS in MiB, seconds, outcome counts) of one `policy eval` over `size` lines."""
    facts, out = work / f"pop-{size}.jsonl", work / f"out-{size}.jsonl"
    population(facts, size)
    start = time.perf_counter()
    process = subprocess.Popen([*policy_command(), "eval", "--decision", "年度考核", str(facts), "-o", str(out)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    stderr = process.stderr.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"policy eval failed over {size} lines:\n{stderr}")
    counts: dict = {}
    with out.open(encoding="utf-8") as handle:
        for line in handle:
            outcome = json.loads(line)["outcome"]
            counts[outcome] = counts.get(outcome, 0) + 1
    return usage.ru_maxrss / 1024, seconds, counts  # ru_maxrss is in KiB on Linux


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = environment(work / "cache")
        measure(100, work, env)  # warm the plan cache, so every size starts alike
        print(f"{'institutions':>12}  {'peak RSS':>10}  {'seconds':>8}  outcomes")
        rows = []
        for size in sizes:
            rss, seconds, counts = measure(size, work, env)
            rows.append((size, rss))
            shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            print(f"{size:>12,}  {rss:>7.1f} MiB  {seconds:>8.1f}  {shown}")
        (small, small_rss), (large, large_rss) = rows[0], rows[-1]
        if large > small:
            per_line = (large_rss - small_rss) * 1024 * 1024 / (large - small)
            print(f"{large / small:.0f}× the lines, {large_rss / small_rss:.2f}× the peak memory "
                  f"({per_line:.0f} bytes a line more)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
