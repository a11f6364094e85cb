"""Helpers for timing subprocesses the way a user runs them."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def python() -> str:
    return sys.executable


def policy_command() -> list[str]:
    """The installed `policy` script beside this interpreter (not a pyenv shim, whose bash
    wrapper alone costs more than Python's start), else `python -m cli`."""
    found = shutil.which("policy", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "cli"]


def environment(cache: Path) -> dict[str, str]:
    """The user's environment with a private plan cache, and bytecode caching on, as an
    installed package has it (a sandbox may switch it off with PYTHONDONTWRITEBYTECODE)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["POLICY_CACHE_DIR"] = str(cache)
    return env


def wall(command: list[str], env: dict[str, str], repeat: int = 5, stdout=subprocess.DEVNULL) -> float:
    """The best wall-clock time of `repeat` runs (the least disturbed by other work)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, env=env, cwd=ROOT, stdout=stdout, stderr=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - start)
    return best
