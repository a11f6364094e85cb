"""The compiled-plan cache: hits skip the parser, anything changed misses, a bad entry is
rebuilt, and a warm `policy explain --format json` imports neither lark nor networkx."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from dsl.diagnostics import PolicyError
from engine.compile import pipeline as compile_module
from engine.facts import plancache
from engine.facts.plancache import artefact, cache_dir, load_plan, plan_key
from tests.conftest import POLICIES, ROOT, SHENYANG, SHENYANG_EXAMPLES


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("POLICY_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def policy_copy(tmp_path) -> Path:
    """The 沈阳 plan and its source document, copied where a test may edit them."""
    folder = tmp_path / "plans"
    shutil.copytree(POLICIES / "sources", folder / "sources")
    shutil.copy(SHENYANG, folder / SHENYANG.name)
    return folder / SHENYANG.name


def entries(folder: Path) -> list[str]:
    """The plan entries and any temporary file; not the engine fingerprint's memo."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("engine-")) if folder.exists() else []


def refuse_compiling(monkeypatch):
    def refuse(path):
        raise AssertionError("compiled although the cache holds the plan")

    monkeypatch.setattr(compile_module, "compile_plan", refuse)


def test_the_second_load_comes_from_the_cache(cache, policy_copy, monkeypatch):
    first = load_plan(policy_copy)
    assert entries(cache) == [f"{plan_key(policy_copy)}.pickle"]
    refuse_compiling(monkeypatch)
    second = load_plan(policy_copy)
    assert second.stamp == first.stamp and second.graph is None
    assert list(second.rules) == list(first.rules) and second.rules == first.rules


def test_a_cached_plan_keeps_each_reading_in_both_languages(cache, policy_copy, monkeypatch):
    first = load_plan(policy_copy)
    refuse_compiling(monkeypatch)
    second = load_plan(policy_copy)
    assert second.interpretations == first.interpretations
    readings = [r for texts in second.interpretations.values() for r in texts]
    assert readings and all(r.zh for r in readings)  # a zh document from a cached plan shows the Chinese text
    assert second.readings("三（一）")[0].in_language("zh").startswith("「高于」适用50%")


def test_what_a_run_derives_from_the_plan_is_kept_with_it(cache, policy_copy, monkeypatch):
    plan = load_plan(policy_copy)
    made = []
    assert artefact(plan, "answer", lambda: made.append("first") or 42) == 42
    assert artefact(plan, "answer", lambda: made.append("again") or 0) == 42
    monkeypatch.setattr(plancache, "_ENTRIES", weakref.WeakKeyDictionary())  # as in another process
    refuse_compiling(monkeypatch)
    assert artefact(load_plan(policy_copy), "answer", lambda: made.append("later") or 0) == 42
    assert made == ["first"]
    assert entries(cache) == [f"{plan_key(policy_copy)}.pickle"]  # one entry, rewritten in place


def test_a_plan_compiled_without_the_cache_derives_afresh(policy_copy):
    from engine.compile.pipeline import compile_plan

    plan = compile_plan(policy_copy)
    assert [artefact(plan, "answer", lambda: n) for n in (1, 2)] == [1, 2]


def test_the_engine_fingerprint_follows_the_engine_text(cache, tmp_path, monkeypatch):
    source = tmp_path / "x.py"
    source.write_text("A = 1\n", encoding="utf-8")
    monkeypatch.setattr(plancache, "_engine_files", lambda: [("engine/x.py", str(source))])

    def fresh() -> str:  # as a new process computes it
        monkeypatch.setattr(plancache, "_fingerprint", None)
        return plancache.engine_fingerprint()

    first = fresh()
    memo = [p for p in cache.iterdir() if p.name.startswith("engine-")]
    assert len(memo) == 1 and memo[0].read_text(encoding="ascii") == first
    assert fresh() == first  # read back while the file's size and time stay
    memo[0].write_text("not a digest", encoding="ascii")
    assert fresh() == first  # a bad memo is ignored: the text is hashed again
    source.write_text("A = 22\n", encoding="utf-8")
    assert fresh() != first


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("POLICY_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "policy"
    monkeypatch.setenv("POLICY_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"


def test_an_edited_policy_misses(cache, policy_copy):
    load_plan(policy_copy)
    before = plan_key(policy_copy)
    policy_copy.write_text(policy_copy.read_text(encoding="utf-8").replace("800 m", "500 m"), encoding="utf-8")
    assert plan_key(policy_copy) != before
    assert "500" in str(load_plan(policy_copy).rules["服务半径800米"].when)


def test_an_edited_source_document_misses_and_its_quotes_are_checked_again(cache, policy_copy):
    load_plan(policy_copy)
    before = plan_key(policy_copy)
    document = policy_copy.parent / "sources" / "shenyang-2025-draft.txt"
    document.write_text(document.read_text(encoding="utf-8").replace("800米", "500米"), encoding="utf-8")
    assert plan_key(policy_copy) != before
    with pytest.raises(PolicyError) as error:
        load_plan(policy_copy)  # the header's sha256 no longer matches: the checker says so
    assert "C052" in {d.code for d in error.value.diagnostics}


def test_a_change_of_engine_code_misses(cache, policy_copy, monkeypatch):
    before = plan_key(policy_copy)
    monkeypatch.setattr(plancache, "_fingerprint", "another engine")
    assert plan_key(policy_copy) != before


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", b"\x80\x04K\x01.", b"\x80\x04\x95\xff\xff"])
def test_a_corrupt_entry_is_ignored_and_rebuilt(cache, policy_copy, garbage):
    load_plan(policy_copy)
    entry = cache / f"{plan_key(policy_copy)}.pickle"
    entry.write_bytes(garbage)
    assert load_plan(policy_copy).stamp.id == "shenyang-2025-draft"
    assert entry.read_bytes() != garbage  # written anew
    assert entries(cache) == [entry.name]  # and no temporary file left


def test_an_unwritable_cache_only_costs_time(tmp_path, monkeypatch, policy_copy):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("POLICY_CACHE_DIR", str(blocker / "cache"))
    assert load_plan(policy_copy).stamp.id == "shenyang-2025-draft"


def test_a_bad_policy_is_reported_not_cached(cache, write_policy):
    bad = write_policy('plan "x"\nrule r : gate cites 一 when nothing then paused\n')
    with pytest.raises(PolicyError):
        load_plan(bad)
    assert entries(cache) == []


PROBE = """\
import atexit, json, sys
HEAVY = ("lark", "networkx", "pydantic", "rich", "numpy", "scipy")
atexit.register(lambda: print("MODULES " + json.dumps(sorted(m for m in sys.modules if m in HEAVY or m == "click"
                                                             or m.startswith(("commands.", "engine.run.codegen")))),
                                         file=sys.stderr))
from commands.script import run  # the installed `policy` script
sys.argv[0] = "policy"
run()
"""


def explain_in_a_fresh_process(cache: Path, example: Path) -> tuple[dict, list[str]]:
    env = {**os.environ, "POLICY_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", PROBE, "explain", str(example), "--format", "json"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    line = next(l for l in done.stderr.splitlines() if l.startswith("MODULES "))
    return json.loads(done.stdout), json.loads(line.removeprefix("MODULES "))


def test_a_warm_explain_imports_neither_the_parser_nor_the_graph(cache):
    example = SHENYANG_EXAMPLES / "01-inpatient-main-city-50pct.json"
    cold, cold_modules = explain_in_a_fresh_process(cache, example)
    warm, warm_modules = explain_in_a_fresh_process(cache, example)
    assert {"lark", "networkx", "engine.run.codegen"} <= set(cold_modules)  # the first run compiled the plan
    assert "lark" not in warm_modules and "networkx" not in warm_modules
    assert "engine.run.codegen" not in warm_modules  # the fast path's code came with the plan
    assert "rich" not in warm_modules and "pydantic" not in warm_modules  # nor the text view, nor pydantic
    assert warm == cold


HEAVY = {"lark", "networkx", "pydantic", "rich", "numpy", "scipy"}


def test_a_warm_explain_imports_nothing_heavy_and_no_other_command(cache):
    # What a cold `policy explain` waits for (issue 19): with the plan cached, none of the
    # parser, the graph, pydantic, the text view or the k-d tree's numpy and scipy, and of
    # the command modules only its own; a plain explain not even click (commands/script.py).
    example = SHENYANG_EXAMPLES / "01-inpatient-main-city-50pct.json"
    explain_in_a_fresh_process(cache, example)
    _, modules = explain_in_a_fresh_process(cache, example)
    assert not HEAVY & set(modules), modules
    assert "click" not in modules
    assert [m for m in modules if m.startswith("commands.")] == ["commands.explain_files", "commands.output",
                                                                 "commands.script"]


def test_a_warm_explain_that_measures_in_a_small_registry_imports_no_numpy(cache):
    # The example's registry is small: its one spacing question is answered by a scan in plain
    # Python (engine/registry/spatial.py SmallIndex), not by a k-d tree that would import numpy and scipy.
    example = SHENYANG_EXAMPLES / "11-pharmacy-registry-spacing-conflict.json"
    cold, _ = explain_in_a_fresh_process(cache, example)
    warm, modules = explain_in_a_fresh_process(cache, example)
    assert not HEAVY & set(modules), modules
    assert warm == cold
    asked = [step["reads"]["registry.nearest"] for step in warm["trace"] if "registry.nearest" in step.get("reads", {})]
    assert asked and asked[0]["id"], "the registry was asked"
