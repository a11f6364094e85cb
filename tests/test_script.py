"""The `policy` script decides a plain `policy explain` without click (commands/script.py):
the same bytes on stdout and stderr, and the same exit code, as click's way; anything it is
not sure to read as click does goes to click."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from commands.script import plain_explain
from tests.conftest import ROOT, SHENYANG, SHENYANG_EXAMPLES

EXAMPLE = str(SHENYANG_EXAMPLES / "01-inpatient-main-city-50pct.json")
REGISTRY_EXAMPLE = str(SHENYANG_EXAMPLES / "11-pharmacy-registry-spacing-conflict.json")
CONTEXT = str(SHENYANG_EXAMPLES / "context-2026.json")
SCRIPT = "import sys; sys.argv[0] = 'policy'; from commands.script import run; run()"
CLICK = "import sys; sys.argv[0] = 'policy'; from cli import main; main()"


@pytest.mark.parametrize("argv, expected", [
    (["explain", "a.json"], {"facts": ("a.json",)}),
    (["explain", "a.json", "-", "--format", "json"], {"facts": ("a.json", "-"), "fmt": "json"}),
    (["explain", "--format=md", "a.json", "--strict", "--width", "72"],
     {"facts": ("a.json",), "fmt": "md", "strict": True, "width": 72}),
    (["explain", "a.json", "--plan", "p", "--context", "c.json", "--registry", "r.csv", "--decision", "试运行"],
     {"facts": ("a.json",), "plan_ref": "p", "context_path": "c.json", "registry_path": "r.csv", "decision": "试运行"}),
])
def test_a_plain_explain_is_read_without_click(argv, expected):
    assert plain_explain(argv) == expected


@pytest.mark.parametrize("argv", [
    [], ["eval", "a.jsonl"], ["--lang", "zh", "explain", "a.json"], ["explain"], ["explain", "--help"],
    ["explain", "a.json", "-h"], ["explain", "a.json", "--what-if"], ["explain", "a.json", "--record", "r.json"],
    ["explain", "a.json", "--format", "yaml"], ["explain", "a.json", "--format", "JSON"],
    ["explain", "a.json", "--format"], ["explain", "a.json", "--plan", "--strict"],
    ["explain", "a.json", "--width", "7x"], ["explain", "a.json", "--width", "٣"],
    ["explain", "a.json", "--strict", "--strict"], ["explain", "a.json", "--plan", "a", "--plan", "b"],
    ["explain", "--", "a.json"], ["explain", "a.json", "--strict=yes"], ["explain", "a.json", "--unknown"],
])
def test_anything_less_plain_goes_to_click(argv):
    assert plain_explain(argv) is None


def _run(code: str, argv: list[str]) -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, env=env, cwd=ROOT, timeout=120)
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


@pytest.mark.parametrize("argv", [
    ["explain", EXAMPLE, "--format", "json"],
    ["explain", EXAMPLE],
    ["explain", EXAMPLE, "--format=md", "--width", "60"],
    ["explain", EXAMPLE, "--format", "doc", "--plan", "shenyang-2025-draft"],
    ["explain", REGISTRY_EXAMPLE, "--format", "json", "--context", CONTEXT],
    ["explain", EXAMPLE, REGISTRY_EXAMPLE, "--plan", str(SHENYANG), "--decision", "准入"],
    ["explain", EXAMPLE, "no-such-file.json", "--format", "json"],  # one decided, one bad: exit 2 at the end
    ["explain", "no-such-file.json"],
    ["explain", EXAMPLE, "--decision", "no-such-decision"],
])
def test_the_plain_way_says_what_click_says(argv):
    assert plain_explain(argv) is not None
    assert _run(SCRIPT, argv) == _run(CLICK, argv)


# A bug planted where each path of the script decides: `explain_files` for the click-free
# explain, the plan lookup for a command under click.
_BUG = ("import sys; sys.argv[0] = 'policy'; import {module} as m; "
        "m.{name} = lambda *a, **k: (_ for _ in ()).throw(TypeError('planted')); "
        "from commands.script import run; run()")


@pytest.mark.parametrize("module, name, argv", [
    ("commands.explain_files", "explain_files", ["explain", EXAMPLE]),
    ("engine.compile.pipeline", "compile_plan", ["check", str(SHENYANG)]),
])
def test_a_bug_is_one_coded_line_not_a_traceback(module, name, argv):
    env = {**os.environ, "POLICY_LANG": "en"}
    env.pop("POLICY_TRACEBACK", None)
    done = subprocess.run([sys.executable, "-c", _BUG.format(module=module, name=name), *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "error[X000]: internal error: TypeError: planted" in done.stderr.splitlines()[0]
    assert "please report it with the command line" in done.stderr
    shown = subprocess.run([sys.executable, "-c", _BUG.format(module=module, name=name), *argv], cwd=ROOT,
                           env={**env, "POLICY_TRACEBACK": "1"}, capture_output=True, text=True)
    assert "Traceback" in shown.stderr and "planted" in shown.stderr  # for whoever fixes it
