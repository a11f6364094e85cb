"""What a plan may read (its own source document, inside its folder: `..`, absolute paths and
symlinks out refused; never a FIFO or a device), and plan lookup that a stray `x.policy`
(a folder, a FIFO, bytes that are not UTF-8) cannot hang or crash."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import MINI, ROOT, SHENYANG_EXAMPLES

DOC = "一、新增机构距离同类机构800米以上。\n二、基金赤字时暂停。\n"


def plan_with_source(folder: Path, source: str, sha: str | None = None) -> Path:
    header = f'plan "mini"\n  title "小规划"\n  version "1"\n  source "{source}"\n'
    if sha:
        header += f'  sha256 "{sha}"\n'
    path = folder / "plan.policy"
    path.write_text(MINI.replace('plan "mini"\n  title "小规划"\n  version "1"\n', header), encoding="utf-8")
    return path


def check(path: Path):
    return CliRunner().invoke(main, ["check", str(path)])


def test_the_plans_own_source_inside_its_folder_is_read(tmp_path):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "doc.txt").write_text(DOC, encoding="utf-8")
    result = check(plan_with_source(tmp_path, "sources/doc.txt", hashlib.sha256(DOC.encode()).hexdigest()))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("source", ["../outside.txt", "sources/../../outside.txt", "/etc/passwd", "link/outside.txt",
                                    "sources/escape.txt"])
def test_nothing_outside_the_plans_folder_is_read(tmp_path, source):
    folder = tmp_path / "plan"
    (folder / "sources").mkdir(parents=True)
    (tmp_path / "outside.txt").write_text(DOC, encoding="utf-8")
    (folder / "link").symlink_to(tmp_path)  # a folder link out
    (folder / "sources" / "escape.txt").symlink_to(tmp_path / "outside.txt")  # a file link out
    result = check(plan_with_source(folder, source))
    assert result.exit_code == 1
    assert "error[C050]" in result.output and "outside the policy's folder" in result.output


@pytest.mark.parametrize("make", ["fifo", "folder", "gbk"])
def test_a_source_that_is_no_text_file_is_refused_without_hanging(tmp_path, make):
    (tmp_path / "sources").mkdir()
    target = tmp_path / "sources" / "doc.txt"
    if make == "fifo":
        os.mkfifo(target)
    elif make == "folder":
        target.mkdir()
    else:
        target.write_bytes(DOC.encode("gbk"))
    plan = plan_with_source(tmp_path, "sources/doc.txt")
    # a subprocess with a timeout: a FIFO read would block this test forever, not fail it
    result = subprocess.run([sys.executable, "-m", "cli", "check", str(plan)], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "error[C051]" in result.stderr + result.stdout


@pytest.mark.parametrize("make", ["fifo", "folder", "gbk"])
def test_a_stray_policy_file_does_not_stop_plan_lookup(tmp_path, make):
    policies = tmp_path / "policies"
    policies.mkdir()
    stray = policies / "x.policy"
    if make == "fifo":
        os.mkfifo(stray)
    elif make == "folder":
        stray.mkdir()
    else:
        stray.write_bytes('plan "x"\n  title "住院：定点"\n'.encode("gbk"))  # 0xa3 0xba is no UTF-8
    facts = SHENYANG_EXAMPLES / "04-pharmacy-eligible.json"
    env = {**os.environ, "POLICY_CACHE_DIR": str(tmp_path / "cache")}
    run = [sys.executable, str(ROOT / "cli.py")]
    found = subprocess.run([*run, "explain", str(facts), "--format", "json"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=60, env=env)
    assert found.returncode == 0, found.stderr  # the shipped plan is found past the stray file
    missing = subprocess.run([*run, "explain", str(facts), "--plan", "no-such-plan"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60, env=env)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "unknown plan `no-such-plan`" in missing.stderr


def test_a_plan_name_too_long_for_a_path_is_an_unknown_plan(tmp_path):
    facts = SHENYANG_EXAMPLES / "04-pharmacy-eligible.json"
    result = CliRunner().invoke(main, ["explain", str(facts), "--plan", "p" * 5000])
    assert result.exit_code == 2 and result.exception.__class__ is SystemExit
    assert "error[" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("named", ["../outside.json", "/etc/hostname", "link/outside.json"])
def test_a_confined_facts_file_names_nothing_outside_its_folder(tmp_path, monkeypatch, named):
    import json

    folder = tmp_path / "case"
    folder.mkdir()
    (tmp_path / "outside.json").write_text((SHENYANG_EXAMPLES / "context-2026.json").read_text(encoding="utf-8"),
                                           encoding="utf-8")
    (folder / "link").symlink_to(tmp_path)
    facts = json.loads((SHENYANG_EXAMPLES / "04-pharmacy-eligible.json").read_text(encoding="utf-8"))
    facts["context"] = named
    path = folder / "facts.json"
    path.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    facts["context"] = "context-2026.json"
    (folder / "context-2026.json").write_text((SHENYANG_EXAMPLES / "context-2026.json").read_text(encoding="utf-8"),
                                              encoding="utf-8")
    inside = folder / "inside.json"
    inside.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("POLICY_CONFINE_FACTS", "1")
    refused = CliRunner().invoke(main, ["explain", str(path)])
    assert refused.exit_code == 2 and "error[F020]" in refused.output and "outside the facts file's folder" in refused.output
    assert CliRunner().invoke(main, ["explain", str(inside)]).exit_code == 0


@pytest.mark.parametrize("named", ["\u0000", "a\u0000b", "", " "])
@pytest.mark.parametrize("what", ["context", "registry"])
def test_a_named_file_that_is_no_file_name_is_bad_facts_not_a_crash(tmp_path, what, named):
    import json

    facts = json.loads((SHENYANG_EXAMPLES / "04-pharmacy-eligible.json").read_text(encoding="utf-8"))
    facts[what] = named
    shutil.copy(SHENYANG_EXAMPLES / "context-2026.json", tmp_path)
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts), encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", str(path)])
    assert result.exit_code == 2 and result.exception.__class__ is SystemExit
    assert f"{what}: `" in result.output and "is not a file name" in result.output
