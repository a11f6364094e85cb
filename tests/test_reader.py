"""The one reader of input files (engine/reading/reader.py), through every command that reads one."""
from __future__ import annotations

import json
import os
import shutil

import pytest
from click.testing import CliRunner

from cli import main
from engine.reading.reader import MAX_DEPTH, InputError, parse_json, read_source
from tests.conftest import SHENYANG, SHENYANG_EXAMPLES

EXAMPLE = SHENYANG_EXAMPLES / "01-inpatient-main-city-50pct.json"


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def example() -> dict:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["context"] = str(SHENYANG_EXAMPLES / data["context"])
    return data


def diagnostics(text: str) -> list:
    from dsl.spans import Source

    with pytest.raises(InputError) as error:
        parse_json(Source("f.json", text))
    return list(error.value.diagnostics)


def test_bom_and_crlf_are_accepted_everywhere(tmp_path):
    facts = tmp_path / "bom.json"
    facts.write_bytes(b"\xef\xbb\xbf" + json.dumps(example(), ensure_ascii=False, indent=1).replace("\n", "\r\n")
                      .encode("utf-8"))
    result = run("explain", facts, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["outcome"] == "eligible"
    plan = tmp_path / "crlf.policy"
    plan.write_bytes(b"\xef\xbb\xbf" + SHENYANG.read_bytes().replace(b"\n", b"\r\n"))
    shutil.copytree(SHENYANG.parent / "sources", tmp_path / "sources")
    result = run("check", plan)
    assert result.exit_code == 0, result.output


def test_gbk_is_named_and_refused_with_save_as_utf8(tmp_path):
    facts = tmp_path / "gbk.json"
    facts.write_bytes(json.dumps(example(), ensure_ascii=False).encode("gbk"))
    result = run("explain", facts)
    assert result.exit_code == 2 and "Traceback" not in result.output
    headline = result.output.splitlines()[0]
    assert headline.startswith(f"{facts}:1:") and "error[F004]: facts file is not valid UTF-8" in headline
    assert "GBK/GB18030" in result.output and "save the file as UTF-8" in result.output
    registry = tmp_path / "reg.csv"
    registry.write_bytes("id,name,category,lat,lon\nA,药店,零售药店,41.8,123.4\n".encode("gbk"))
    result = run("explain", EXAMPLE, "--registry", registry)
    assert result.exit_code == 2 and "error[R002]" in result.output and "GBK/GB18030" in result.output


@pytest.mark.parametrize("make", ["fifo", "folder", "device"])
def test_special_files_are_refused_before_reading(tmp_path, make):
    if make == "fifo":
        path = tmp_path / "fifo.json"
        os.mkfifo(path)  # opening it would block: nobody writes
    elif make == "folder":
        path = tmp_path / "folder.json"
        path.mkdir()
    else:
        path = "/dev/zero"  # reading it would never end
    for args in (["explain", path], ["eval", "--plan", SHENYANG, path], ["explain", EXAMPLE, "--context", path],
                 ["explain", EXAMPLE, "--registry", path], ["check", path], ["fmt", "--check", path],
                 ["diff", path, SHENYANG]):
        result = run(*args)
        assert result.exit_code in (1, 2), (args, result.output)
        assert "Traceback" not in result.output
        assert ("not a regular file" in result.output or "is a directory" in result.output), (args, result.output)


def test_invalid_utf8_in_a_jsonl_line_spoils_only_that_line(tmp_path):
    line = json.dumps(example(), ensure_ascii=False).encode("utf-8")
    population = tmp_path / "pop.jsonl"
    population.write_bytes(line + b"\n" + line.replace("沈阳".encode(), b"\xff\xfe") + b"\n" + line + b"\n")
    result = run("eval", "--plan", SHENYANG, population)
    records = [json.loads(r) for r in result.stdout.splitlines()]
    assert result.exit_code == 2 and len(records) == 3
    assert "outcome" in records[0] and "outcome" in records[2]
    assert records[1]["error"]["code"] == "F004"


@pytest.mark.parametrize("value, code, words", [
    ("9" * 5000, "F005", "5000 digits"),
    ("-" + "9" * 4301, "F005", "4301 digits"),
    ("1e400", "F005", "too large"),
    ("-1e400", "F005", "too large"),
    ("NaN", "F005", "`NaN` is not a number"),
    ("Infinity", "F005", "`Infinity` is not a number"),
    ('"\\ud800"', "F007", "lone surrogate"),
])
def test_numbers_and_strings_no_reader_should_take(value, code, words):
    (found,) = diagnostics('{"applicant": {"beds": %s}}' % value)
    assert found.code == code and words in found.message
    assert found.path == "applicant.beds" and found.span.line == 1 and found.span.column == 16


def test_nesting_is_bounded_without_recursion_error():
    (found,) = diagnostics('{"a":' * 100_000 + "1" + "}" * 100_000)
    assert found.code == "F006" and found.span.column == 5 * MAX_DEPTH + 1
    assert diagnostics("[" * 10 + "]" * 10)[0].message == "a facts file is one JSON object {…}"
    deep_but_fine = '{"a":' * (MAX_DEPTH - 1) + "1" + "}" * (MAX_DEPTH - 1)
    assert parse_json(read_source_text(deep_but_fine))["a"]


def read_source_text(text: str):
    from dsl.spans import Source

    return Source("ok.json", text)


def test_bad_numbers_in_the_cli_and_in_eval(tmp_path):
    data = example()
    facts = tmp_path / "big.json"
    facts.write_text(json.dumps(data, ensure_ascii=False).replace('"beds": 150', '"beds": 1e400'), encoding="utf-8")
    assert '1e400' in facts.read_text(encoding="utf-8")
    result = run("explain", facts)
    assert result.exit_code == 2 and "error[F005]: applicant.beds: `1e400` is too large to hold" in result.output
    population = tmp_path / "pop.jsonl"
    population.write_text(facts.read_text(encoding="utf-8").replace("\n", " ") + "\n", encoding="utf-8")
    result = run("eval", "--plan", SHENYANG, population)
    (record,) = [json.loads(r) for r in result.stdout.splitlines()]
    assert record["error"]["code"] == "F005" and record["error"]["path"] == "applicant.beds"
    assert record["error"]["message"] == "`1e400` is too large to hold"


def test_an_over_long_plan_name_is_a_clean_error(tmp_path):
    facts = tmp_path / "f.json"
    facts.write_text(json.dumps({"plan": "x" * 5000}), encoding="utf-8")
    for args in (["explain", "--plan", "x" * 5000, EXAMPLE], ["explain", facts], ["schema", "y" * 5000]):
        result = run(*args)
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert len(result.output.splitlines()[0]) < 400


def test_read_source_of_stdin_is_named_stdin(monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbf{}\r\n")))
    source = read_source("-")
    assert source.path == "<stdin>" and source.text == "{}\n"


def test_a_gbk_source_document_is_named_in_check(tmp_path):
    from tests.conftest import POLICIES

    (tmp_path / "sources").mkdir()
    shutil.copy(POLICIES / "heze-2026.policy", tmp_path)
    text = (POLICIES / "sources" / "heze-2026.txt").read_text(encoding="utf-8")
    (tmp_path / "sources" / "heze-2026.txt").write_bytes(text.encode("gb18030"))
    result = run("check", tmp_path / "heze-2026.policy")
    assert result.exit_code == 1 and "error[C051]" in result.output and "GBK/GB18030" in result.output


def test_a_gbk_plan_is_refused_with_its_place(tmp_path):
    plan = tmp_path / "gbk.policy"
    plan.write_bytes(SHENYANG.read_text(encoding="utf-8").encode("gb18030"))
    result = run("check", plan)
    assert result.exit_code == 1 and "not valid UTF-8" in result.output and f"{plan}:" in result.output
    assert "GBK/GB18030" in result.output
