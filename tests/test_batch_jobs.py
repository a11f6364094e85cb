"""`policy eval --jobs N`: the same bytes, the same summary and the same exit code as one
process, bad lines, warnings and traces included; a worker that dies stops the run with an
error, not a hang."""
from __future__ import annotations

import json
import os

import pytest

from tests.conftest import wait_until_writing
from click.testing import CliRunner

from cli import main
from engine.batch import parallel
from tests.test_batch import CONTEXT, example_lines, write_jsonl

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="--jobs needs fork")


@pytest.fixture(autouse=True)
def small_chunks(tmp_path, monkeypatch):
    """Chunks of three lines, so that a test file of a few dozen lines is many chunks, spread
    over the workers and coming back out of order."""
    monkeypatch.setenv("POLICY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(parallel, "CHUNK_LINES", 3)


def mixed_lines() -> list[str | bytes]:
    """Good lines, and every kind of bad one a population can hold."""
    good = example_lines()
    undeclared = json.loads(good[0])
    undeclared["applicant"]["bedz"] = 12  # a warning: the plan declares `beds`
    surrogate = json.loads(good[1])
    surrogate["applicant"]["district"] = "西城\udfff区"
    lines: list[str | bytes] = []
    for i in range(4):
        lines += good
        lines += ["{not json", json.dumps({"applicant": {"id": f"X-{i}", "beds": "many"}}, ensure_ascii=False),
                  "", "[1, 2]", b"{\"applicant\": {\"id\": \"\xff\"}}", json.dumps({"plan": "no-such-plan"}),
                  json.dumps(undeclared, ensure_ascii=False), json.dumps(surrogate), '{"applicant": {"beds": NaN}}',
                  "{" + " " * 6000 + "}"]
    return lines


def run(*args):
    result = CliRunner().invoke(main, ["eval", "--plan", "shenyang-2025-draft", "--context", str(CONTEXT),
                                       *[str(a) for a in args]])
    assert "Traceback" not in result.output, result.output
    return result


@pytest.mark.parametrize("extra", [(), ("--trace",), ("--strict",)], ids=["plain", "trace", "strict"])
def test_many_workers_write_the_bytes_one_process_writes(tmp_path, monkeypatch, extra):
    monkeypatch.setenv("POLICY_MAX_JSONL_LINE_BYTES", "5000")
    people = write_jsonl(tmp_path, mixed_lines())
    one = run(people, "--jobs", "1", *extra)
    assert one.exit_code == 2 and one.stdout.count("\n") == len(mixed_lines())
    for jobs in ("2", "3"):
        many = run(people, "--jobs", jobs, *extra)
        assert many.stdout == one.stdout
        assert many.stderr == one.stderr  # the summary: the same counts, warnings included
        assert many.exit_code == one.exit_code


def test_the_output_file_is_the_same_and_the_line_count_of_the_summary_is_every_line(tmp_path):
    people = write_jsonl(tmp_path, example_lines() * 5)
    one, many = tmp_path / "one.jsonl", tmp_path / "many.jsonl"
    assert run(people, "--jobs", "1", "-o", one).exit_code == 0
    result = run(people, "--jobs", "2", "-o", many)
    assert result.exit_code == 0 and result.stdout == ""
    assert many.read_bytes() == one.read_bytes()
    assert result.stderr.startswith(f"{len(example_lines()) * 5} lines: ")
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".part") == []


def test_a_population_decision_is_the_same_over_many_workers(tmp_path):
    from tests.test_population import POPULATION

    people = write_jsonl(tmp_path, POPULATION.read_text(encoding="utf-8").splitlines() * 3, "institutions.jsonl")
    args = ["eval", "--decision", "年度考核", str(people)]
    one = CliRunner().invoke(main, [*args, "--jobs", "1"])
    many = CliRunner().invoke(main, [*args, "--jobs", "3"])
    assert one.exit_code == many.exit_code and one.stdout and many.stdout == one.stdout and many.stderr == one.stderr


def test_a_worker_that_dies_stops_the_run_with_an_error_and_no_file(tmp_path, monkeypatch):
    from commands import eval as eval_command

    def dies(*args):
        os._exit(7)  # as if the machine killed it

    monkeypatch.setattr(eval_command, "_decide_chunk", dies)
    target = tmp_path / "out.jsonl"
    target.write_text("the old decisions\n", encoding="utf-8")
    result = run(write_jsonl(tmp_path, example_lines() * 3), "--jobs", "2", "-o", target)
    assert result.exit_code == 2 and "X000" in result.stderr and "worker" in result.stderr
    assert target.read_text(encoding="utf-8") == "the old decisions\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_jobs_must_be_a_positive_number(tmp_path):
    result = run(write_jsonl(tmp_path, example_lines()), "--jobs", "0")
    assert result.exit_code == 2 and "--jobs" in result.output


def test_records_are_written_by_one_process_whatever_jobs_says(tmp_path):
    people = write_jsonl(tmp_path, example_lines() * 2)
    result = run(people, "--jobs", "2", "-o", tmp_path / "out.jsonl", "--records", tmp_path / "records.jsonl")
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "records.jsonl").read_text(encoding="utf-8").splitlines()) == len(example_lines()) * 2

def test_each_line_is_exactly_the_json_text_of_its_record(tmp_path, monkeypatch):
    # A run encodes each plan's stamp once and splices the text in: the line must still be what
    # json.dumps writes of the whole record, key order and spacing included.
    monkeypatch.setenv("POLICY_MAX_JSONL_LINE_BYTES", "5000")
    out = run(write_jsonl(tmp_path, mixed_lines()), "--jobs", "1").stdout
    lines = out.splitlines()
    assert sum('"plan": {"id": "shenyang-2025-draft"' in line for line in lines) >= len(example_lines()) * 4
    for line in lines:
        assert json.dumps(json.loads(line), ensure_ascii=False) == line


@pytest.mark.parametrize("name, code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_ctrl_c_at_a_terminal_reaches_every_worker_and_still_leaves_nothing(tmp_path, name, code):
    # A terminal signals the whole process group, workers included: they must neither print
    # nor linger, and the run ends as a run of one process does.
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    people = write_jsonl(tmp_path, example_lines() * 4000)
    target = tmp_path / "out.jsonl"
    target.write_text("the old decisions\n", encoding="utf-8")
    env = {**os.environ, "POLICY_CACHE_DIR": str(tmp_path / "cache")}
    process = subprocess.Popen([sys.executable, "-m", "cli", "eval", "--plan", "shenyang-2025-draft", "--context",
                                str(CONTEXT), "--jobs", "2", "-o", str(target), str(people)],
                               cwd=Path(__file__).parent.parent, env=env, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    wait_until_writing(tmp_path)
    os.killpg(process.pid, getattr(signal, name))
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    note = stderr.strip().splitlines()
    assert len(note) == 1 and note[0].startswith(f"policy eval: stopped by {name} after "), stderr
    assert target.read_text(encoding="utf-8") == "the old decisions\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)  # no worker of the run is left in its group
