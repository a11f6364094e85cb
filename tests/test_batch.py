"""`policy eval`: one record per line, in order; bad lines reported and skipped over, never
silently; the exit code says so at the end; `-o` is all or nothing, even on Ctrl-C."""
from __future__ import annotations

import json
from collections import Counter
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from engine import evaluate
from engine.facts.case import Workspace
from engine.facts.fastcase import FastWorkspace
from render.json_view import explanation_to_json
from tests.conftest import SHENYANG_EXAMPLES, wait_until_writing

CONTEXT = SHENYANG_EXAMPLES / "context-2026.json"
EXAMPLES = sorted(SHENYANG_EXAMPLES.glob("0*.json")) + sorted(SHENYANG_EXAMPLES.glob("1*.json"))


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICY_CACHE_DIR", str(tmp_path / "cache"))


def example_lines() -> list[str]:
    lines = []
    for path in EXAMPLES:
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("context", None)
        data.pop("registry", None)
        lines.append(json.dumps(data, ensure_ascii=False))
    return lines


def write_jsonl(tmp_path: Path, lines: list[str | bytes], name: str = "people.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join((l if isinstance(l, bytes) else l.encode("utf-8")) + b"\n" for l in lines))
    return path


def run(*args, input=None):
    return CliRunner().invoke(main, ["eval", "--plan", "shenyang-2025-draft", "--context", str(CONTEXT),
                                     *[str(a) for a in args]], input=input)


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def test_one_decision_per_line_in_order_with_everything_an_analyst_needs(tmp_path):
    result = run(write_jsonl(tmp_path, example_lines()))
    assert result.exit_code == 0, result.stderr
    out = records(result.stdout)
    assert [r["line"] for r in out] == list(range(1, len(EXAMPLES) + 1))
    assert [r["applicant"] for r in out] == [json.loads(p.read_text(encoding="utf-8"))["applicant"]["id"] for p in EXAMPLES]
    first = out[0]
    assert first["outcome"] == "eligible"
    assert first["decided_by"] == {"rule": "住院_千人床位数高于可承担", "article": "三（一）第3句"}  # the sentence it encodes
    assert first["terms"] == {"纳入比例": 0.5, "可新增医保床位": 600}
    assert first["priorities"] == ["同等条件优先纳入"]
    assert first["values"]["区域医保千人床位数"] == 9.0
    assert first["plan"]["id"] == "shenyang-2025-draft" and len(first["plan"]["sha256"]) == 64
    assert "trace" not in first


def test_each_record_says_what_the_reference_evaluator_says(tmp_path):
    out = records(run(write_jsonl(tmp_path, example_lines())).stdout)
    workspace = Workspace(None, str(CONTEXT))
    for line, record in zip(example_lines(), out):
        data = json.loads(line)
        plan, facts = workspace.case(data, None, tmp_path)
        reference = explanation_to_json(evaluate(plan, facts))
        assert record["outcome"] == reference["outcome"]
        assert record["values"] == reference["values"] and record["terms"] == reference["terms"]
        assert record["missing"] == reference["missing"]
        assert record["decided_by"] == (reference["decided_by"] and {
            "rule": reference["decided_by"]["rule"],
            "article": reference["decided_by"]["article"] and reference["decided_by"]["article"]["id"]})


def test_trace_adds_the_explain_record_and_changes_nothing_else(tmp_path):
    people = write_jsonl(tmp_path, example_lines())
    plain, traced = records(run(people).stdout), records(run(people, "--trace").stdout)
    for a, b in zip(plain, traced):
        assert {k: v for k, v in b.items() if k not in ("trace", "why")} == a
        assert b["trace"] and b["why"]
    data = json.loads(example_lines()[0])
    plan, facts = Workspace(None, str(CONTEXT)).case(data, None, tmp_path)
    assert traced[0]["trace"] == explanation_to_json(evaluate(plan, facts))["trace"]


def test_bad_lines_give_error_records_and_the_rest_go_on(tmp_path):
    good = example_lines()
    lines = [good[0], "{not json", json.dumps({"applicant": {"id": "X-1", "beds": "many", "district": "西城区"}},
                                              ensure_ascii=False),
             "", "[1, 2]", b"{\"applicant\": {\"id\": \"\xff\"}}", json.dumps({"plan": "no-such-plan"}), good[1]]
    result = CliRunner().invoke(main, ["eval", "--context", str(CONTEXT), str(write_jsonl(tmp_path, [
        json.dumps({**json.loads(l), "plan": "shenyang-2025-draft"}, ensure_ascii=False) if i in (0, 2, 7) else l
        for i, l in enumerate(lines)]))])
    assert result.exit_code == 2
    out = records(result.stdout)
    assert [r["line"] for r in out] == list(range(1, 9))
    assert out[0]["outcome"] == "eligible" and out[7]["outcome"] == "eligible"
    broken = out[1]["error"]
    assert broken["code"] == "F001" and broken["path"] is None and broken["column"] == 2
    assert "invalid JSON" in broken["message"]
    invalid = out[2]
    assert invalid["applicant"] == "X-1"
    assert {e["path"] for e in invalid["errors"]} == {"applicant.beds", "applicant.district"}
    assert "expected a number" in next(e["message"] for e in invalid["errors"] if e["path"] == "applicant.beds")
    assert out[3]["error"]["message"].startswith("empty line")
    assert out[4]["error"]["code"] == "F001"
    assert "UTF-8" in out[5]["error"]["message"]
    assert out[6]["error"]["code"] == "A002" and "no-such-plan" in out[6]["error"]["message"]
    assert "8 lines" in result.stderr and "error 6" in result.stderr and "eligible 2" in result.stderr


def test_standard_input(tmp_path):
    lines = example_lines()[:3]
    result = run("-", input="\n".join(lines) + "\n")
    assert result.exit_code == 0
    assert [r["applicant"] for r in records(result.stdout)] == ["SY-2026-0001", "SY-2026-0002", "SY-2026-0003"]


def test_the_summary_counts_outcomes_on_stderr_only(tmp_path):
    result = run(write_jsonl(tmp_path, example_lines()))
    counts = Counter(r["outcome"] for r in records(result.stdout))
    assert counts["undetermined"] >= 1  # the registry example has no registry here
    assert result.stderr.strip().splitlines() == [
        f"{len(EXAMPLES)} lines: " + ", ".join(f"{outcome} {n}" for outcome, n in sorted(counts.items()))]
    assert "lines:" not in result.stdout


def test_output_file_is_written_whole(tmp_path):
    people = write_jsonl(tmp_path, example_lines())
    target = tmp_path / "out" / "decisions.jsonl"
    target.parent.mkdir()
    result = run(people, "-o", target)
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8") == run(people).stdout
    assert sorted(p.name for p in target.parent.iterdir()) == ["decisions.jsonl"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not the temporary file's 0600


def test_an_interrupted_run_leaves_nothing_behind(tmp_path, monkeypatch):
    people = write_jsonl(tmp_path, example_lines())
    target = tmp_path / "out" / "decisions.jsonl"
    target.parent.mkdir()
    target.write_text("the previous run's decisions\n", encoding="utf-8")
    original = FastWorkspace.case
    seen = []

    def interrupted(self, data, source, base_dir):
        seen.append(1)
        if len(seen) == 3:
            raise KeyboardInterrupt
        return original(self, data, source, base_dir)

    monkeypatch.setattr(FastWorkspace, "case", interrupted)
    result = run(people, "-o", target)
    assert result.exit_code != 0 and len(seen) == 3
    assert target.read_text(encoding="utf-8") == "the previous run's decisions\n"  # untouched
    assert sorted(p.name for p in target.parent.iterdir()) == ["decisions.jsonl"]  # no temporary file


def test_an_unknown_plan_or_unreadable_input_is_one_error_and_no_output(tmp_path):
    target = tmp_path / "decisions.jsonl"
    result = CliRunner().invoke(main, ["eval", "--plan", "nowhere", str(write_jsonl(tmp_path, example_lines())),
                                       "-o", str(target)])
    assert result.exit_code == 2 and "unknown plan" in result.stderr and not target.exists()
    result = run(tmp_path / "missing.jsonl", "-o", target)
    assert result.exit_code == 2 and "cannot read" in result.stderr and not target.exists()
    assert list(tmp_path.glob(".*.part")) == []


def test_a_line_without_context_uses_its_own_city(tmp_path):
    data = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    data.pop("context")
    data["city"] = json.loads(CONTEXT.read_text(encoding="utf-8"))["city"]
    data["city"]["fund"]["warning_letter"] = True
    result = CliRunner().invoke(main, ["eval", "--plan", "shenyang-2025-draft",
                                       str(write_jsonl(tmp_path, [json.dumps(data, ensure_ascii=False)]))])
    assert records(result.stdout)[0]["outcome"] == "paused"


class _Terminal:
    """A stand-in standard error that says it is a terminal, and keeps what is written."""

    def __init__(self):
        self.parts: list[str] = []

    def isatty(self) -> bool:
        return True

    def write(self, text: str | bytes) -> int:  # click.echo may hand it bytes
        self.parts.append(text if isinstance(text, str) else text.decode("utf-8"))
        return len(text)

    def flush(self) -> None:
        pass


def test_a_progress_bar_only_on_a_terminal_and_never_in_the_output(tmp_path, monkeypatch):
    from commands.eval import eval_

    people = write_jsonl(tmp_path, example_lines() * 30)
    target = tmp_path / "decisions.jsonl"
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with pytest.raises(SystemExit) as end:
        eval_.main(["--plan", "shenyang-2025-draft", "--context", str(CONTEXT), "-o", str(target), str(people)],
                   standalone_mode=False)
    assert end.value.code == 0
    drawn = "".join(terminal.parts)
    assert "\x1b[" in drawn  # rich drew (and cleared) its bar on the terminal
    assert drawn.rstrip().endswith("undetermined 60")  # then the summary
    assert len(target.read_text(encoding="utf-8").splitlines()) == len(EXAMPLES) * 30
    assert "\x1b" not in target.read_text(encoding="utf-8")


def test_an_output_that_cannot_be_written_is_an_error_not_a_traceback(tmp_path):
    people = write_jsonl(tmp_path, example_lines())
    result = run(people, "-o", tmp_path / "no-such-folder" / "out.jsonl")
    assert result.exit_code == 2 and "cannot write" in result.stderr and result.exception.__class__ is SystemExit
    result = run(people, "-o", tmp_path)  # a folder: click itself refuses it
    assert result.exit_code == 2 and result.exception.__class__ is SystemExit
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "people.jsonl"]


def test_the_json_path_is_a_field_of_the_error_not_part_of_its_message(tmp_path):
    result = CliRunner().invoke(main, ["eval", str(write_jsonl(tmp_path, [json.dumps({"plan": 5})]))])
    assert result.exit_code == 2
    (error,) = records(result.stdout)[0]["errors"]
    assert (error["code"], error["path"], error["message"]) == ("F002", "plan", "expected a plan id in quotes")


def test_a_message_that_names_its_path_itself_is_not_given_it_twice():
    from dsl.diagnostics import Diagnostic

    assert Diagnostic("F002", "expected a number", path="applicant.beds").text() == "applicant.beds: expected a number"
    assert Diagnostic("F002", "applicant.beds: expected a number", path="applicant.beds").text() == \
        "applicant.beds: expected a number"


# ---- poison lines and signals (issue 16): one bad line costs one record, a signal costs nothing

def test_a_lone_surrogate_or_an_overlong_line_costs_one_record_not_the_run(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICY_MAX_JSONL_LINE_BYTES", "5000")
    good = example_lines()
    surrogate_id = json.loads(good[0])
    surrogate_id["applicant"]["id"] = "\ud800"
    surrogate_district = json.loads(good[1])
    surrogate_district["applicant"]["district"] = "西城\udfff区"
    lines = [good[0], json.dumps(surrogate_id), json.dumps(surrogate_district), "{" + " " * 20_000 + "}", good[1]]
    target = tmp_path / "out.jsonl"
    result = run(write_jsonl(tmp_path, lines), "-o", target)
    assert result.exit_code == 2 and "Traceback" not in result.output
    text = target.read_text(encoding="utf-8")  # strict UTF-8: nothing unwritable got in
    out = records(text)
    assert [r["line"] for r in out] == [1, 2, 3, 4, 5]
    assert out[0]["outcome"] == out[4]["outcome"] == "eligible"
    assert out[1]["applicant"] is None and out[2]["error"]["code"].startswith("F") and "surrogate" in out[2]["error"]["message"]
    assert out[3]["error"]["code"] == "L008" and "20,002 bytes" in out[3]["error"]["message"]
    assert "5 lines" in result.stderr and "error 3" in result.stderr


def _stop_a_run(tmp_path, signum) -> tuple[int, str, Path]:
    import subprocess
    import sys

    people = write_jsonl(tmp_path, example_lines() * 4000)
    target = tmp_path / "out.jsonl"
    target.write_text("the old decisions\n", encoding="utf-8")
    env = {**os.environ, "POLICY_CACHE_DIR": str(tmp_path / "cache")}
    process = subprocess.Popen([sys.executable, "-m", "cli", "eval", "--plan", "shenyang-2025-draft", "--context",
                                str(CONTEXT), "-o", str(target), str(people)], cwd=Path(__file__).parent.parent,
                               env=env, stderr=subprocess.PIPE, text=True)
    wait_until_writing(tmp_path)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr, target


@pytest.mark.parametrize("name, code", [("SIGTERM", 143), ("SIGHUP", 129), ("SIGINT", 130)])
def test_a_signal_ends_the_run_with_no_partial_file_and_the_old_target_intact(tmp_path, name, code):
    import signal

    returncode, stderr, target = _stop_a_run(tmp_path, getattr(signal, name))
    assert returncode == code, stderr
    assert target.read_text(encoding="utf-8") == "the old decisions\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    note = stderr.strip().splitlines()
    assert len(note) == 1 and note[0].startswith(f"policy eval: stopped by {name} after ") and "Traceback" not in stderr
    assert int(note[0].split(" after ")[1].split(" lines")[0].replace(",", "")) > 0
