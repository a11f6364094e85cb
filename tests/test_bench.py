"""The benchmarks still run and their contenders still agree (bench/run.py --quick).

Each benchmark checks, before it times anything, that what it compares says the same thing:
the hand-written script and `policy eval` write the same records, `--jobs` does not change a
byte, allocation decides as eval does, every contender of one-at-a-time agrees with the
hand-written function. A plan that changes its citations, or a limit that refuses a generated
plan, breaks a benchmark silently until someone runs it; this runs all of them on small
inputs, once. It says nothing of speed: the ratios are judged by `python bench/run.py`.
"""
from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_every_benchmark_runs_on_small_inputs_and_its_contenders_agree():
    env = {k: v for k, v in os.environ.items() if k != "POLICY_LANG"}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    table = done.stdout.splitlines()
    assert any(line.startswith("benchmark") and line.endswith("met") for line in table), done.stdout
