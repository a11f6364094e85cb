"""A cold `policy explain --format json` of one applicant (plan cache warm), with and without
a registry of designated institutions, against `python -c pass` on a clean interpreter: what a
case handler waits for, against what any Python program waits for.

    python bench/cold_start.py

The baseline runs in a fresh virtual environment with nothing installed. The development
venv would flatter us: an editable install puts an import hook in a `.pth` file that every
interpreter of that venv runs at start-up (about 15 ms), `python -c pass` included, so it
would pay our own start-up cost on both sides of the ratio.

Wall time is the target. On a shared machine it mostly measures the queue for a core, so the
CPU seconds of each child (user + system, best of the runs) are printed beside it: the same
ratio with the waiting left out.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _run_util import ROOT, environment, policy_command, wall  # noqa: E402

EXAMPLES = ROOT / "policies" / "examples" / "shenyang"
WITHOUT_REGISTRY = EXAMPLES / "01-inpatient-main-city-50pct.json"
WITH_REGISTRY = EXAMPLES / "11-pharmacy-registry-spacing-conflict.json"


def clean_python(folder: Path) -> str:
    """An interpreter of the same Python in a new venv: no site-packages, no .pth hooks."""
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(folder / "clean")], check=True)
    return str(folder / "clean" / "bin" / "python")


def cpu(command: list[str], env: dict[str, str], repeat: int) -> float:
    """The least CPU time (user + system) of `repeat` runs of a command."""
    best = float("inf")
    for _ in range(repeat):
        child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        if status:
            raise subprocess.CalledProcessError(status, command)
        best = min(best, usage.ru_utime + usage.ru_stime)
    return best


def measure(repeat: int = 10) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        env = environment(folder / "cache")
        result = {}
        for name, example in (("explain", WITHOUT_REGISTRY), ("explain_registry", WITH_REGISTRY)):
            command = [*policy_command(), "explain", str(example), "--format", "json"]
            result[f"{name}_first_s"] = wall(command, env, repeat=1)  # compiles the plan, fills the cache
            result[f"{name}_s"] = wall(command, env, repeat)
            result[f"{name}_cpu_s"] = cpu(command, env, repeat)
        clean = clean_python(folder)
        result["python_s"] = wall([clean, "-c", "pass"], env, repeat)
        result["python_cpu_s"] = cpu([clean, "-c", "pass"], env, repeat)
        result["dev_venv_python_s"] = wall([sys.executable, "-c", "pass"], env, repeat)
    result["ratio"] = result["explain_s"] / result["python_s"]
    result["ratio_registry"] = result["explain_registry_s"] / result["python_s"]
    result["cpu_ratio"] = result["explain_cpu_s"] / result["python_cpu_s"]
    result["cpu_ratio_registry"] = result["explain_registry_cpu_s"] / result["python_cpu_s"]
    return result


if __name__ == "__main__":
    r = measure()
    print(f"clean python -c pass: {r['python_s'] * 1000:.0f} ms, CPU {r['python_cpu_s'] * 1000:.1f} ms "
          f"(this venv's: {r['dev_venv_python_s'] * 1000:.0f} ms); load average {os.getloadavg()[0]:.1f}")
    for name, label in (("explain", "no registry"), ("explain_registry", "with a registry")):
        tail = "_registry" if "registry" in name else ""
        print(f"policy explain, {label} (warm plan cache): {r[name + '_s'] * 1000:.0f} ms, "
              f"ratio {r['ratio' + tail]:.1f} (target ≤ 6); CPU {r[name + '_cpu_s'] * 1000:.0f} ms, "
              f"ratio {r['cpu_ratio' + tail]:.1f}; first run, compiling the plan: {r[name + '_first_s'] * 1000:.0f} ms")
