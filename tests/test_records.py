"""Decision records: `explain --record` writes one, `policy verify` replays it and says `same`,
or names the first difference when any byte of its plan, facts or registry has changed."""
from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import POLICIES, SHENYANG_EXAMPLES

CASE = "11-pharmacy-registry-spacing-conflict.json"  # names its context and its registry


@pytest.fixture
def archive(tmp_path) -> Path:
    """A plan, its source, a facts file, its context and registry, and a record made from them."""
    (tmp_path / "plans" / "sources").mkdir(parents=True)
    shutil.copy(POLICIES / "shenyang-2025-draft.policy", tmp_path / "plans")
    shutil.copy(POLICIES / "sources" / "shenyang-2025-draft.txt", tmp_path / "plans" / "sources")
    (tmp_path / "case").mkdir()
    for name in (CASE, "context-2026.json", "registry.csv"):
        shutil.copy(SHENYANG_EXAMPLES / name, tmp_path / "case")
    result = CliRunner().invoke(main, ["explain", str(tmp_path / "case" / CASE), "--plan",
                                       str(tmp_path / "plans" / "shenyang-2025-draft.policy"), "--format", "json",
                                       "--record", str(tmp_path / "record.json")])
    assert result.exit_code == 0, result.output
    return tmp_path


def verify(archive: Path, *args: str):
    return CliRunner().invoke(main, ["verify", str(archive / "record.json"), *args])


def test_a_record_written_today_verifies_same(archive):
    record = json.loads((archive / "record.json").read_text(encoding="utf-8"))
    assert record["plan"]["id"] == "shenyang-2025-draft" and len(record["plan"]["sha256"]) == 64
    assert record["source_document"]["sha256"] and record["facts"]["sha256"] and record["context"]["sha256"]
    assert record["registry"]["sha256"] and record["engine"]["version"] and record["engine"]["code_sha256"]
    assert record["judged_on"] == "2026-06-01" and record["outcome"] == "spacing_conflict"
    assert record["explanation"]["trace"] and record["facts"]["path"] == f"case/{CASE}"  # relative: moves with it
    result = verify(archive)
    assert (result.exit_code, result.output) == (0, "same\n")


def test_the_facts_reformatted_are_the_same_facts(archive):
    facts = archive / "case" / CASE
    facts.write_text(json.dumps(json.loads(facts.read_text(encoding="utf-8")), ensure_ascii=False, sort_keys=True),
                     encoding="utf-8")
    assert verify(archive).output == "same\n"


@pytest.mark.parametrize("kind, path", [("plan", "plans/shenyang-2025-draft.policy"),
                                        ("source document", "plans/sources/shenyang-2025-draft.txt"),
                                        ("facts", f"case/{CASE}"), ("context", "case/context-2026.json"),
                                        ("registry", "case/registry.csv")])
def test_any_byte_changed_names_the_file(archive, kind, path):
    original = (archive / path).read_bytes()
    rng = random.Random(kind)
    for offset in sorted(rng.sample(range(len(original)), 12)):
        tampered = bytearray(original)
        tampered[offset] ^= 0x01  # flip one bit of one byte: a digit, a letter, a quote, a space
        (archive / path).write_bytes(bytes(tampered))
        result = verify(archive)
        assert result.exit_code == 1, (offset, result.output)
        assert result.output.startswith(f"different: {kind}: "), (offset, result.output)
    (archive / path).write_bytes(original)
    assert verify(archive).output == "same\n"


def test_another_engine_or_a_changed_outcome_or_trace_is_named(archive):
    path = archive / "record.json"
    original = json.loads(path.read_text(encoding="utf-8"))
    for change, expected in [(lambda r: r["engine"].update(version="0.0.1"), "different: engine: version"),
                             (lambda r: r["engine"].update(code_sha256="0" * 64), "different: engine: code_sha256"),
                             (lambda r: r.update(outcome="eligible"), "different: outcome: spacing_conflict now, "
                                                                      "eligible in the record"),
                             (lambda r: r["explanation"]["trace"][0].update(rule="x"),
                              "different: decision: the explanation differs at `trace[0].rule`")]:
        record = json.loads(json.dumps(original))
        change(record)
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        result = verify(archive)
        assert result.exit_code == 1 and result.output.startswith(expected), result.output


def test_moved_files_are_given_again(archive, tmp_path):
    moved = tmp_path / "elsewhere"
    shutil.move(archive / "case", moved)
    result = verify(archive)
    assert result.exit_code == 1 and result.output.startswith("different: facts: cannot read")
    result = verify(archive, "--facts", str(moved / CASE), "--context", str(moved / "context-2026.json"),
                    "--registry", str(moved / "registry.csv"))
    assert result.output == "same\n", result.output


def test_a_file_that_is_not_a_record_is_bad_input(tmp_path):
    (tmp_path / "x.json").write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", str(tmp_path / "x.json")])
    assert result.exit_code == 2 and "is not a decision record" in result.output


@pytest.mark.parametrize("records", ["recs", "recs.jsonl"])
def test_eval_writes_a_record_per_line_and_each_verifies(tmp_path, records):
    lines = []
    for path in sorted(SHENYANG_EXAMPLES.glob("0[1-4]*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key in ("context", "registry", "expect"):
            data.pop(key, None)
        lines.append(json.dumps(data, ensure_ascii=False))
    people = tmp_path / "people.jsonl"
    people.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "--plan", "shenyang-2025-draft", "--context",
                                       str(SHENYANG_EXAMPLES / "context-2026.json"), str(people), "--records",
                                       str(tmp_path / records), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 0, result.output
    if records == "recs":
        files = sorted((tmp_path / "recs").iterdir())
    else:
        files = []
        for number, line in enumerate((tmp_path / records).read_text(encoding="utf-8").splitlines(), 1):
            files.append(tmp_path / f"r{number}.json")
            files[-1].write_text(line, encoding="utf-8")
    assert len(files) == len(lines)
    for number, file in enumerate(files, 1):
        record = json.loads(file.read_text(encoding="utf-8"))
        assert record["facts"]["line"] == number
        assert CliRunner().invoke(main, ["verify", str(file)]).output == "same\n"
    data = [json.loads(line) for line in lines]
    data[1]["applicant"]["beds"] = 1  # change the second applicant only
    people.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in data) + "\n", encoding="utf-8")
    outputs = [CliRunner().invoke(main, ["verify", str(file)]).output for file in files]
    assert outputs[1].startswith("different: facts:") and all(o == "same\n" for i, o in enumerate(outputs) if i != 1)
