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


def test_explain_the_dual_channel_decision_at_a_terminal():
    dual = str(ROOT / "policies" / "examples" / "heze" / "19-dual-channel-not-qualified.json")
    code, shown, _ = _at_tty(["explain", dual, "--decision", "双通道"])
    assert "Traceback" not in shown, shown
    assert code == 0 and "not_qualified" in shown and "二（二）" in shown
    code, shown, _ = _at_tty(["explain", dual, "--decision", "双通"])
    assert "Traceback" not in shown, shown
    assert code == 2 and "A010" in shown and "双通道" in shown


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


def test_explain_another_decision_at_a_terminal():
    trial = str(SHENYANG_EXAMPLES / "trial" / "04-terminated.json")
    code, shown, _ = _at_tty(["explain", "--decision", "试运行", trial])
    assert "Traceback" not in shown, shown
    assert code == 0 and "terminated" in shown and "banned_until = 2028-04-20" in shown


def test_eval_of_a_population_decision_redirected_at_a_terminal(tmp_path):
    """`policy eval --decision 年度考核 pop.jsonl > out.jsonl`: two passes, every line in the file."""
    population = SHENYANG_EXAMPLES / "review" / "institutions-2026.jsonl"
    out = tmp_path / "out.jsonl"
    code, shown, written = _at_tty(["eval", "--decision", "年度考核", str(population)], stdout_file=out)
    assert "Traceback" not in shown, shown
    assert code == 0 and "population `参评机构`" in shown
    records = [json.loads(line) for line in written.decode("utf-8").splitlines()]
    assert len(records) == len(population.read_text(encoding="utf-8").splitlines())
    assert all(isinstance(r["rank"], int) for r in records)


def test_quota_at_a_terminal():
    code, shown, _ = _at_tty(["quota", "--plan", "shenyang-2025-draft", "--context",
                              str(SHENYANG_EXAMPLES / "context-2026.json")])
    assert "Traceback" not in shown, shown
    assert code == 0 and "医保主城区 (和平区, 沈河区, 大东区, 铁西区, 皇姑区, 于洪区) · 住院: 600 bed" in shown


def test_allocate_redirected_at_a_terminal(tmp_path):
    out = tmp_path / "allocation.jsonl"
    code, shown, written = _at_tty(["allocate", "--plan", "shenyang-2025-draft",
                                    str(SHENYANG_EXAMPLES / "round-2026.jsonl")], stdout_file=out)
    assert "Traceback" not in shown, shown
    assert code == 0 and "康平县 · inpatient: 40 bed, used 35; admitted 2, waitlisted 2" in shown  # the summary, on stderr
    records = [json.loads(line) for line in written.decode("utf-8").splitlines()]
    assert records[0]["applicant"] == "SY-R26-01" and records[0]["outcome"] == "admitted"


# -- every README command at a terminal, as typed; with NO_COLOR and TERM=dumb -------------------

HEZE = ROOT / "policies" / "heze-2026.policy"
HEZE_EXAMPLE = str(ROOT / "policies" / "examples" / "heze" / "01-inpatient-county-eligible.json")
DIFF_FIXTURES = ROOT / "tests" / "fixtures" / "diff"

README_COMMANDS = {  # the README's table, one line each, and the exit codes it promises
    "check": (["check", str(SHENYANG), str(HEZE)], (0,)),
    "coverage": (["coverage", str(SHENYANG)], (0,)),
    "explain": (["explain", EXAMPLE], (0,)),
    "explain-json": (["explain", EXAMPLE, "--format", "json"], (0,)),
    "explain-md": (["explain", HEZE_EXAMPLE, "--format", "md"], (0,)),
    "explain-html": (["explain", HEZE_EXAMPLE, EXAMPLE, "--format", "html"], (0,)),
    "eval": (["eval", "--plan", str(SHENYANG), "--context", str(SHENYANG_EXAMPLES / "context-2026.json"),
              str(DIFF_FIXTURES / "applicants.jsonl")], (0, 2)),
    "diff": (["diff", str(DIFF_FIXTURES / "draft.policy"), str(DIFF_FIXTURES / "final.policy")], (0, 1)),
    "diff-population": (["diff", str(DIFF_FIXTURES / "draft.policy"), str(DIFF_FIXTURES / "final.policy"),
                         "--population", str(DIFF_FIXTURES / "applicants.jsonl")], (0, 1)),
    "test": (["test"], (0,)),
    "schema": (["schema", "heze-2026"], (0,)),
    "graph": (["graph", str(SHENYANG)], (0,)),
    "fmt": (["fmt", "--check", str(SHENYANG), str(HEZE)], (0,)),
    "errors": (["errors", "F008"], (0,)),
    "quota": (["quota", "--plan", "shenyang-2025-draft", "--context", str(SHENYANG_EXAMPLES / "context-2026.json")],
              (0,)),
    "allocate": (["allocate", "--plan", "shenyang-2025-draft", str(SHENYANG_EXAMPLES / "round-2026.jsonl")], (0,)),
    "doc": (["doc", "heze-2026", "-o", "{tmp}"], (0,)),
    "help": (["--help"], (0,)),
}
TERMINALS = {"colour": {}, "no-color": {"NO_COLOR": "1"}, "dumb": {"TERM": "dumb"}}


def _run(args: list[str], env: dict, stdout_pipe: bool = False, timeout: float = 120) -> tuple[int, str, bytes]:
    """`policy ARGS` with stderr (and stdout unless `stdout_pipe`) on a pty; (code, screen, piped stdout)."""
    master, slave = pty.openpty()
    full = {**os.environ, "COLUMNS": "100", "LINES": "40", "TERM": "xterm-256color", **env}
    if "NO_COLOR" not in env:
        full.pop("NO_COLOR", None)
    process = subprocess.Popen(POLICY + args, stdin=slave, stdout=subprocess.PIPE if stdout_pipe else slave,
                               stderr=slave, cwd=ROOT, env=full, close_fds=True)
    os.close(slave)
    shown, piped = bytearray(), bytearray()
    streams = [master] + ([process.stdout.fileno()] if stdout_pipe else [])
    while streams:
        ready, _, _ = select.select(streams, [], [], timeout)
        if not ready:
            process.kill()
            pytest.fail(f"policy {' '.join(args)} hung at a terminal")
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                streams.remove(fd)
            elif fd == master:
                shown += chunk
            else:
                piped += chunk
    os.close(master)
    return process.wait(timeout), shown.decode("utf-8", "replace"), bytes(piped)


STYLED = ("check", "coverage", "explain", "eval", "diff")  # the commands that style what they print
CASES = [(name, "colour") for name in README_COMMANDS] + [(n, t) for n in STYLED for t in TERMINALS if t != "colour"]


@pytest.mark.parametrize("name, terminal", CASES)
def test_every_readme_command_at_a_terminal(name, terminal, tmp_path):
    args, codes = README_COMMANDS[name]
    args = [a.replace("{tmp}", str(tmp_path / "site")) for a in args]
    code, shown, _ = _run(args, TERMINALS[terminal])
    assert "Traceback" not in shown, shown[-2000:]
    assert code in codes, shown[-2000:]
    if terminal != "colour":
        assert "\x1b[" not in shown.replace("\x1b[?25l", "").replace("\x1b[?25h", ""), repr(shown[:400])


@pytest.mark.parametrize("name", ["explain-json", "schema", "graph", "explain-html"])
def test_piped_stdout_carries_only_the_product(name):
    args, _ = README_COMMANDS[name]
    code, shown, piped = _run(args, {}, stdout_pipe=True)
    assert code == 0, shown
    text = piped.decode("utf-8")
    assert "\x1b[" not in text
    if name in ("explain-json", "schema"):
        json.loads(text)  # nothing but the document
    elif name == "graph":
        assert text.lstrip().startswith(("digraph", "strict digraph"))
    else:
        assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")


def test_eval_at_a_terminal_piped_writes_every_line_to_the_pipe(tmp_path):
    """`policy eval pop.jsonl | jq` typed at a terminal: stdout is a pipe, stderr the tty."""
    facts = json.loads(Path(EXAMPLE).read_text(encoding="utf-8"))
    facts.pop("expect", None)
    facts["context"] = str(SHENYANG_EXAMPLES / facts["context"])
    population = tmp_path / "pop.jsonl"
    lines = 600
    population.write_text("".join(json.dumps(facts, ensure_ascii=False) + "\n" for _ in range(lines)),
                          encoding="utf-8")
    code, shown, piped = _run(["eval", "--plan", str(SHENYANG), str(population)], {}, stdout_pipe=True)
    assert code == 0, shown
    records = [json.loads(line) for line in piped.decode("utf-8").splitlines()]
    assert len(records) == lines and all(r["outcome"] == "eligible" for r in records)
    assert '"outcome"' not in shown and f"{lines} lines" in shown


def test_a_bad_input_at_a_terminal_is_one_reason_not_a_traceback(tmp_path):
    fifo = tmp_path / "facts.json"
    os.mkfifo(fifo)
    for args in (["explain", str(fifo)], ["explain", "--plan", "x" * 5000, EXAMPLE]):
        code, shown, _ = _run(args, {})
        assert code == 2 and "Traceback" not in shown and "error[" in shown


def test_semantic_diff_at_a_terminal(tmp_path):
    draft = ROOT / "tests" / "fixtures" / "diff" / "draft.policy"
    radius = ROOT / "tests" / "fixtures" / "diff" / "radius-500.policy"
    code, shown, _ = _at_tty(["diff", str(draft), str(radius), "--semantic", "--witness-dir", str(tmp_path)])
    assert "Traceback" not in shown, shown[-2000:]
    assert code == 1 and "pharmacy, every district: looser" in shown and "witness: {" in shown


def test_explain_what_if_and_check_lints_at_a_terminal():
    spacing = str(SHENYANG_EXAMPLES / "07-pharmacy-spacing-conflict.json")
    code, shown, _ = _at_tty(["explain", spacing, "--what-if"])
    assert "Traceback" not in shown, shown[-2000:]
    assert code == 0 and "more than 800 (strict), e.g. 800.1 -> eligible" in shown
    code, shown, _ = _at_tty(["check", str(SHENYANG)])
    assert "Traceback" not in shown, shown[-2000:]
    assert code == 0 and "warning[W104]" in shown


def test_errors_at_a_terminal_explains_a_code():
    code, shown, _ = _at_tty(["errors", "C088"])
    assert code == 0
    assert "### C088" in shown and "error[C088]: decision `其他` gives `otherwise` twice" in shown


def test_record_and_verify_at_a_terminal(tmp_path):
    record = tmp_path / "record.json"
    code, shown, _ = _at_tty(["explain", EXAMPLE, "--record", str(record)])
    assert code == 0 and "Traceback" not in shown and record.exists()
    code, shown, _ = _at_tty(["verify", str(record)])
    assert code == 0 and shown.strip() == "same", shown


def test_a_plan_too_deep_at_a_terminal_is_one_coded_error(tmp_path):
    from tests.conftest import MINI

    deep = "define 深 cites 二 =\n" + "  if 赤字 then\n" * 800 + "  1\n" + "  else 2\n" * 800
    plan = tmp_path / "deep.policy"
    plan.write_text(MINI.replace("define 加倍比率 cites 二 = 比率 * 2", "define 加倍比率 cites 二 = 比率 * 2\n" + deep),
                    encoding="utf-8")
    code, shown, _ = _at_tty(["check", str(plan)])
    assert code == 1 and "error[L004]" in shown and "Traceback" not in shown and "RecursionError" not in shown
