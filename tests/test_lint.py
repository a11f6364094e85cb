"""Pyflakes over the code: an undefined name or a stale import fails the suite, not a user."""
from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_no_undefined_names_or_unused_imports():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
