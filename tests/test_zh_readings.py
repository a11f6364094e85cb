"""A reading in Chinese beside the English one (`interpretation ID "…" zh "…"`, issue 15).

A Chinese case document showed each reading in English in the middle of Chinese text. Each
reading of a shipped plan now carries its Chinese text: the zh views show it, the English
views the English one, JSON keeps the English field and adds the Chinese, `policy diff`
reports a changed Chinese text, and `policy check` warns (W007) of a reading without one.
"""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

import i18n
from cli import main
from dsl import format_policy, parse_policy
from dsl import ast
from dsl.codes import BASE
from engine import compile_plan, diff_plans
from engine.diff.changes import InterpretationChineseReworded
from tests.conftest import POLICIES, ROOT

SHIPPED = sorted(POLICIES.glob("*.policy"))
EXAMPLE = ROOT / "policies" / "examples" / "shenyang" / "01-inpatient-main-city-50pct.json"
ENGLISH = "「高于」 gives 50% and 「低于」 gives 择优 within the preconditions"
CHINESE = "「高于」适用50%，「低于」适用在不突破前置条件下择优纳入"

TWO = BASE + '''
interpretation 一
  "「赤字」 is the deficit " "of the last year."
  zh "「赤字」指上一年度的" "基金赤字。"
'''


@pytest.fixture(autouse=True)
def english_after():
    """`--lang zh` in a CliRunner run changes this process's language: the next test gets English back."""
    yield
    i18n.activate("en")


def _readings(text: str) -> list[ast.Interpretation]:
    return list(parse_policy(text, "plan.policy").of_type(ast.Interpretation))


def test_a_reading_parses_with_its_chinese_text_each_text_of_several_strings():
    [reading] = _readings(TWO)
    assert reading.text == "「赤字」 is the deficit of the last year."
    assert reading.zh == "「赤字」指上一年度的基金赤字。"
    [plain] = _readings(BASE + 'interpretation 一 "only English."\n')
    assert plain.zh is None


def test_fmt_keeps_the_chinese_text_on_its_own_line_and_round_trips():
    packed = BASE + '\ninterpretation 一 "「赤字」 is the deficit." zh "「赤字」指基金赤字。"\n'
    out = format_policy(packed, "plan.policy")
    assert '\ninterpretation 一 "「赤字」 is the deficit."\n  zh "「赤字」指基金赤字。"\n' in out
    assert format_policy(out, "plan.policy") == out
    long = BASE + '\ninterpretation 一 "x"\n  zh "' + "基金出现赤字的，暂停新增定点。" * 12 + '"\n'
    once = format_policy(long, "plan.policy")
    assert format_policy(once, "plan.policy") == once
    [before], [after] = _readings(long), _readings(once)
    assert after.zh == before.zh and after.text == before.text
    zh_lines = once.split('\n  zh "', 1)[1].splitlines()
    assert len([line for line in zh_lines if line.startswith('  "')]) >= 1  # split, not one long line


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_reading_of_a_shipped_plan_has_a_faithful_chinese_text(path):
    readings = _readings(path.read_text(encoding="utf-8"))
    assert readings
    for reading in readings:
        assert reading.zh, f"{path.name}: the reading of {reading.article.id} has no Chinese text"
        assert re.search(r"[\u4e00-\u9fff]", reading.zh)
        # The article's own words the English quotes are quoted the same in Chinese.
        for quoted in re.findall(r"「[^」]*」", reading.text):
            assert quoted in reading.zh, (path.name, reading.article.id, quoted)


def test_the_shipped_plans_check_without_w007():
    result = CliRunner().invoke(main, ["check", *map(str, SHIPPED)])
    assert result.exit_code == 0, result.output
    assert "W007" not in result.output


def _explain(lang: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["--lang", lang, "explain", str(EXAMPLE), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("fmt", ["text", "md", "html", "doc"])
def test_a_chinese_document_shows_the_chinese_reading_of_the_decisive_article(fmt):
    wide = ("--width", "5000") if fmt in ("text", "doc") else ()  # a reading on one line, however long
    zh = _explain("zh", "--format", fmt, *wide)
    assert CHINESE in zh and ENGLISH not in zh
    en = _explain("en", "--format", fmt, *wide)
    assert ENGLISH in en and CHINESE not in en


def test_json_keeps_the_english_reading_and_adds_the_chinese_in_either_language():
    records = [json.loads(_explain(lang, "--format", "json")) for lang in ("zh", "en")]
    assert records[0] == records[1]
    record = records[0]
    decisive = next(s for s in record["trace"] if s["rule"] == record["decided_by"]["rule"])
    assert any(r.startswith(ENGLISH) for r in decisive["readings"])
    assert len(decisive["readings_zh"]) == len(decisive["readings"])
    pairs = dict(zip(decisive["readings"], decisive["readings_zh"]))
    assert next(z for e, z in pairs.items() if e.startswith(ENGLISH)).startswith(CHINESE)
    entry = next(i for i in record["interpretations"] if i["text"].startswith(ENGLISH))
    assert entry["zh"].startswith(CHINESE) and set(entry) == {"article", "text", "zh"}


def _plan_without_chinese(tmp_path, zh: str = "") -> str:
    plan = tmp_path / "plan.policy"
    reading = '\ninterpretation 一 "「赤字」 is the deficit of the last year."\n' + (f'  zh "{zh}"\n' if zh else "")
    plan.write_text(BASE + reading, encoding="utf-8")
    return str(plan)


def test_a_reading_without_chinese_is_a_warning_and_zh_views_show_the_english(tmp_path):
    plan = _plan_without_chinese(tmp_path)
    result = CliRunner().invoke(main, ["--lang", "en", "check", plan])
    assert result.exit_code == 0, result.output  # a warning: an older plan still runs
    line = len(BASE.splitlines()) + 2  # the reading's line, below a blank one
    assert f"plan.policy:{line}:16: warning[W007]: the reading of `一` has no Chinese text" in result.output
    assert 'help: give it after the English text: `zh "…"`, in the same meaning' in result.output
    assert "W007" in CliRunner().invoke(main, ["--lang", "zh", "check", plan]).output
    facts = tmp_path / "facts.json"
    facts.write_text('{"city": {"deficit": true}, "applicant": {"id": "A-1", "beds": 10, "staff": 8}}',
                     encoding="utf-8")
    for fmt in ("md", "text"):
        shown = CliRunner().invoke(main, ["--lang", "zh", "explain", str(facts), "--plan", plan, "--format", fmt,
                                          "--width", "5000"] if fmt == "text" else
                                   ["--lang", "zh", "explain", str(facts), "--plan", plan, "--format", fmt])
        assert shown.exit_code == 0, shown.output
        assert "「赤字」 is the deficit of the last year." in shown.output, fmt
    with_zh = _plan_without_chinese(tmp_path / "..", "「赤字」指上一年度的基金赤字。")
    assert "W007" not in CliRunner().invoke(main, ["check", with_zh]).output


def test_diff_reports_a_changed_chinese_text():
    old = parse_policy(TWO, "old.policy")
    new = parse_policy(TWO.replace("「赤字」指上一年度的", "「赤字」指本年度的"), "new.policy")
    [change] = diff_plans(old, new).changes
    assert isinstance(change, InterpretationChineseReworded)
    assert (change.old_text, change.new_text) == ("「赤字」指上一年度的基金赤字。", "「赤字」指本年度的基金赤字。")
    dropped = parse_policy(TWO.replace('  zh "「赤字」指上一年度的" "基金赤字。"\n', ""), "new.policy")
    [change] = diff_plans(old, dropped).changes
    assert change.new_text == ""
    assert diff_plans(old, parse_policy(TWO, "same.policy")).changes == ()


def test_diff_command_shows_the_chinese_change(tmp_path):
    old, new = tmp_path / "old.policy", tmp_path / "new.policy"
    old.write_text(TWO, encoding="utf-8")
    new.write_text(TWO.replace("「赤字」指上一年度的", "「赤字」指本年度的"), encoding="utf-8")
    en = CliRunner().invoke(main, ["--lang", "en", "diff", str(old), str(new)]).output
    assert "1 Chinese reading reworded" in en and "Chinese text of the reading reworded" in en
    assert "「赤字」指[-上一-]{+本+}年度的基金赤字。" in en
    zh = CliRunner().invoke(main, ["--lang", "zh", "diff", str(old), str(new)]).output
    assert "解读的中文文本措辞修改" in zh


def test_the_checked_plan_and_the_site_carry_both_texts(tmp_path):
    plan = compile_plan(str(SHIPPED[0]))
    readings = [r for texts in plan.interpretations.values() for r in texts]
    assert readings and all(r.zh and r.text for r in readings)
    assert readings[0].in_language("zh") == readings[0].zh and readings[0].in_language("en") == readings[0].text
    result = CliRunner().invoke(main, ["doc", str(SHIPPED[0]), "-o", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert readings[0].zh.replace("“", "").split("，")[0][:8] in index


def test_a_reading_added_shows_its_chinese_text_in_a_chinese_report(tmp_path):
    old, new = tmp_path / "old.policy", tmp_path / "new.policy"
    old.write_text(BASE, encoding="utf-8")
    new.write_text(TWO, encoding="utf-8")
    zh = CliRunner().invoke(main, ["--lang", "zh", "diff", str(old), str(new)]).output
    assert "「赤字」指上一年度的基金赤字。" in zh and "is the deficit" not in zh
    en = CliRunner().invoke(main, ["--lang", "en", "diff", str(old), str(new)]).output
    assert "「赤字」 is the deficit of the last year." in en and "指上一年度" not in en
    back = CliRunner().invoke(main, ["--lang", "zh", "diff", str(new), str(old)]).output  # removed
    assert "「赤字」指上一年度的基金赤字。" in back
