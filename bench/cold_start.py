"""A cold `policy explain --format json` of one applicant (plan cache warm) against bare
`python -c pass`: what a case handler waits for, against what any Python program waits for.

    python bench/cold_start.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _run_util import ROOT, environment, policy_command, python, wall  # noqa: E402

EXAMPLE = ROOT / "policies" / "examples" / "shenyang" / "01-inpatient-main-city-50pct.json"


def measure(repeat: int = 10) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        env = environment(Path(folder) / "cache")
        explain = [*policy_command(), "explain", str(EXAMPLE), "--format", "json"]
        first = wall(explain, env, repeat=1)  # compiles the plan and fills the cache
        explain_s = wall(explain, env, repeat)
        bare_s = wall([python(), "-c", "pass"], env, repeat)
    return {"first_s": first, "explain_s": explain_s, "python_s": bare_s, "ratio": explain_s / bare_s}


if __name__ == "__main__":
    r = measure()
    print(f"policy explain (warm cache): {r['explain_s'] * 1000:.0f} ms; python -c pass: {r['python_s'] * 1000:.0f} ms; "
          f"ratio {r['ratio']:.1f} (target ≤ 8); first run, compiling the plan: {r['first_s'] * 1000:.0f} ms")
