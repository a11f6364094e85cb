"""Shared fixtures: the repo's paths, and a small policy written inline for focused tests."""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

# Snapshots and messages asserted by the tests are English whatever the machine's locale; a test
# of Chinese asks for it (`--lang zh`, `i18n.activate("zh")`, or POLICY_LANG in a subprocess).
os.environ["POLICY_LANG"] = "en"
# A case document's "generated at" is this moment (render/case.py), so snapshots do not move.
os.environ["SOURCE_DATE_EPOCH"] = "1780000000"

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
SHENYANG = POLICIES / "shenyang-2025-draft.policy"
SHENYANG_EXAMPLES = POLICIES / "examples" / "shenyang"


@pytest.fixture(autouse=True)
def _private_plan_cache(tmp_path_factory, monkeypatch):
    """Tests never read or write the user's cache of compiled plans (engine/facts/plancache.py)."""
    monkeypatch.setenv("POLICY_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "plan-cache"))


@pytest.fixture
def write_policy(tmp_path):
    """Write a policy (and optionally its source document) into a temp folder; return its path."""

    def write(text: str, source: str | None = None, name: str = "test.policy") -> Path:
        if source is not None:
            (tmp_path / "sources").mkdir(exist_ok=True)
            (tmp_path / "sources" / "doc.txt").write_text(source, encoding="utf-8")
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


MINI = """\
plan "mini"
  title "小规划"
  version "1"

article 一 "一、新增机构距离同类机构800米以上。"
article 二 "二、基金赤字时暂停。"
interpretation 一 "800 m itself is within." zh "恰为800米的在范围之内。"

enum 类别 { pharmacy "零售药店" clinic "诊所" }
input applicant.category : 类别 as 申请类别
input applicant.distance : metres as 距离
input city.deficit : bool as 赤字
input city.rate : fraction as 比率

define 加倍比率 cites 二 = 比率 * 2

rule 暂停 : gate cites 二
  when 赤字
  then paused "暂停"

rule 半径 : spacing cites 一
  when 距离 <= 800 m
  then spacing_conflict

rule 药店 : admission cites 一
  when 申请类别 = 零售药店 and 加倍比率 > 10%
  then eligible with 份额 = 加倍比率

decision 准入 {
  precedence 暂停 > 半径 > 药店
  otherwise needs_review "无条款"
}
"""


@pytest.fixture
def mini_plan(write_policy):
    from engine import compile_plan

    return compile_plan(write_policy(MINI))


def wait_until_writing(folder: Path, seconds: float = 60) -> None:
    """Until a run writing into `folder` has put bytes into its partial file (`*.part`), so a
    signal sent next finds it mid-write."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        parts = [p for p in folder.iterdir() if p.name.endswith(".part")]
        if parts and parts[0].stat().st_size > 0:
            return
        time.sleep(0.05)
