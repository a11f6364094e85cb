"""The command line at a real terminal, not only through click's runner.

A pseudo-terminal is what a person types into: click's test runner never is one, which is
how a crash that only a tty takes (`click.get_terminal_size`, gone since click 8.1) reached
users. Each command here runs as a child process whose stdout, stderr or both are a pty.
"""
from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHENYANG, SHENYANG_EXAMPLES

EXAMPLE = str(SHENYANG_EXAMPLES / "01-inpatient-main-city-50pct.json")
POLICY = [sys.executable, "-c", "import sys; from cli import main; sys.argv[0] = 'policy'; main()"]


def _at_tty(args: list[str], stdout_file: Path | None = None, timeout: float = 60) -> tuple[int, str, bytes]:
    """Run `policy ARGS` with stderr (and stdout unless `stdout_file`) on a pty.

    Returns the exit code, what the terminal showed, and what went to `stdout_file`."""
    master, slave = pty.openpty()
    out = open(stdout_file, "wb") if stdout_file else slave
    env = {**os.environ, "COLUMNS": "100", "LINES": "40", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(POLICY + args, stdin=slave, stdout=out, stderr=slave, cwd=ROOT, env=env,
                               close_fds=True)
    os.close(slave)
    if stdout_file:
        out.close()
    shown = bytearray()
    while True:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            process.kill()
            pytest.fail(f"policy {' '.join(args)} hung at a terminal")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed its side
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    code = process.wait(timeout)
    written = stdout_file.read_bytes() if stdout_file else b""
    return code, shown.decode("utf-8", "replace"), written


def test_explain_at_a_terminal_prints_the_decision():
    code, shown, _ = _at_tty(["explain", EXAMPLE])
    assert "Traceback" not in shown, shown
    assert code == 0 and "eligible" in shown and "三（一）" in shown


def test_explain_another_decision_at_a_terminal():
    dual = str(ROOT / "policies" / "examples" / "heze" / "19-dual-channel-not-qualified.json")
    code, shown, _ = _at_tty(["explain", dual, "--decision", "双通道"])
    assert "Traceback" not in shown, shown
    assert code == 0 and "not_qualified" in shown and "二（二）" in shown
    code, shown, _ = _at_tty(["explain", dual, "--decision", "双通"])
    assert "Traceback" not in shown, shown
    assert code == 2 and "A003" in shown and "双通道" in shown


def test_readme_first_command_at_a_terminal():
    examples = sorted(str(p) for p in (ROOT / "policies" / "examples").glob("*/[0-9]*.json"))
    code, shown, _ = _at_tty(["explain", *examples])
    assert "Traceback" not in shown, shown[-2000:]
    assert code == 0


def test_diff_at_a_terminal():
    final = ROOT / "tests" / "fixtures" / "diff" / "final.policy"
    draft = ROOT / "tests" / "fixtures" / "diff" / "draft.policy"
    code, shown, _ = _at_tty(["diff", str(draft), str(final)])
    assert "Traceback" not in shown, shown[-2000:]
    assert code in (0, 1)


def test_doc_at_a_terminal_writes_the_site(tmp_path):
    code, shown, _ = _at_tty(["doc", "heze-2026", "-o", str(tmp_path / "site")])
    assert "Traceback" not in shown, shown[-2000:]
    assert code == 0 and "index.html" in shown
    assert (tmp_path / "site" / "article-二（一）1.html").is_file()


def test_eval_redirected_at_a_terminal_writes_every_line_to_the_file(tmp_path):
    """`policy eval pop.jsonl > out.jsonl` typed at a terminal: stdout is the file, stderr the tty."""
    facts = json.loads(Path(EXAMPLE).read_text(encoding="utf-8"))
    facts.pop("expect", None)
    population = tmp_path / "pop.jsonl"
    lines = 600  # more than one progress redraw
    out = tmp_path / "out.jsonl"
    context = str(SHENYANG_EXAMPLES / facts.pop("context"))
    population.write_text("".join(json.dumps(facts, ensure_ascii=False) + "\n" for _ in range(lines)),
                          encoding="utf-8")
    code, shown, written = _at_tty(["eval", "--plan", str(SHENYANG), "--context", context, str(population)],
                                   stdout_file=out)
    assert code == 0, shown
    records = [json.loads(line) for line in written.decode("utf-8").splitlines()]
    assert len(records) == lines and all(r["outcome"] == "eligible" for r in records)
    assert '"outcome"' not in shown  # the decisions went to the file, not the screen
    assert f"{lines} lines" in shown  # the summary is on the terminal (stderr)


def test_errors_at_a_terminal_explains_a_code():
    code, shown, _ = _at_tty(["errors", "C088"])
    assert code == 0
    assert "### C088" in shown and "error[C088]: decision `其他` gives `otherwise` twice" in shown
