"""A cold `policy explain --format json` of one applicant (plan cache warm), with and without
a registry of designated institutions, against `python -c pass` on a clean interpreter: what a
case handler waits for, against what any Python program waits for.

    python bench/cold_start.py

The baseline runs in a fresh virtual environment with nothing installed. The development
venv would flatter us: an editable install puts an import hook in a `.pth` file that every
interpreter of that venv runs at start-up (about 15 ms), `python -c pass` included, so it
would pay our own start-up cost on both sides of the ratio.
"""
from __future__ import annotations

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


def measure(repeat: int = 10) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        env = environment(folder / "cache")
        result = {}
        for name, example in (("explain", WITHOUT_REGISTRY), ("explain_registry", WITH_REGISTRY)):
            command = [*policy_command(), "explain", str(example), "--format", "json"]
            result[f"{name}_first_s"] = wall(command, env, repeat=1)  # compiles the plan, fills the cache
            result[f"{name}_s"] = wall(command, env, repeat)
        result["python_s"] = wall([clean_python(folder), "-c", "pass"], env, repeat)
        result["dev_venv_python_s"] = wall([sys.executable, "-c", "pass"], env, repeat)
    result["ratio"] = result["explain_s"] / result["python_s"]
    result["ratio_registry"] = result["explain_registry_s"] / result["python_s"]
    return result


if __name__ == "__main__":
    r = measure()
    print(f"clean python -c pass: {r['python_s'] * 1000:.0f} ms (this venv's: {r['dev_venv_python_s'] * 1000:.0f} ms)")
    for name, label in (("explain", "no registry"), ("explain_registry", "with a registry")):
        print(f"policy explain, {label} (warm plan cache): {r[name + '_s'] * 1000:.0f} ms, "
              f"ratio {r['ratio' + ('_registry' if 'registry' in name else '')]:.1f} (target ≤ 6); "
              f"first run, compiling the plan: {r[name + '_first_s'] * 1000:.0f} ms")
