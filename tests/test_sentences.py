"""Citing one sentence of an article (issue 13): `cites 一第2句` quotes that sentence alone in
the trace and the case document, brings that sentence's readings (and the whole article's)
but not its neighbours', and covers the article."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main
from dsl import parse_policy
from dsl.clauses import split_clause
from engine import check_file, compile_plan, diff_plans, evaluate
from engine.compile.clauses import sentences
from engine.compile.coverage import coverage
from tests.conftest import ROOT
from tests.test_fastpath import assert_same

NEWCITY = ROOT / "tests" / "fixtures" / "newcity"
PLAN = NEWCITY / "sentences.policy"
FIRST = "一、新增定点零售药店与最近的定点零售药店距离原则上不少于500米。"
SECOND = "门诊慢特病定点药店不受此限。"
THIRD = "基金出现赤字时，暂停新增定点零售药店。"


def run(*args, input_json=None):
    stdin = json.dumps(input_json, ensure_ascii=False) if input_json is not None else None
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin)


def _facts(category="pharmacy", distance=800, deficit=False):
    return {"city": {"deficit": deficit}, "applicant": {"category": category, "distance": distance}}


def _copy(tmp_path, text: str):
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / "sentences.txt").write_text((NEWCITY / "sources" / "sentences.txt").read_text(encoding="utf-8"),
                                                        encoding="utf-8")
    path = tmp_path / "sentences.policy"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sentences_plan_is_clean_and_formatted():
    assert not [d for d in check_file(PLAN) if d.severity in ("error", "warning")]
    assert run("fmt", "--check", PLAN).exit_code == 0


def test_a_sentence_is_cited_by_its_number_in_digits_or_in_words():
    assert split_clause("二（二）第2句") == ("二（二）", 2)
    assert split_clause("一第十二句") == ("一", 12)
    assert split_clause("二（一）2") == ("二（一）2", None)
    text = PLAN.read_text(encoding="utf-8").replace("cites 一第3句", "cites 一第三句")
    policy = parse_policy(text, "x.policy")
    rule = next(item for item in policy.items if getattr(item, "name", None) == "基金赤字暂停")
    assert [ref.id for ref in rule.cites] == ["一第3句"]  # one spelling: two rules citing one sentence agree


def test_an_article_splits_into_its_sentences():
    plan = compile_plan(PLAN)
    assert sentences(plan.articles["一"].text) == [FIRST, SECOND, THIRD]
    assert sentences("甲“乙。”丙！丁") == ["甲“乙。”", "丙！", "丁"]


@pytest.mark.parametrize("facts, rule, quoted", [
    (_facts(deficit=True), "基金赤字暂停", THIRD),
    (_facts("chronic", 100), "门慢药店不受间距限制", SECOND),
    (_facts(distance=100), "药店间距", FIRST),
])
def test_the_decisive_step_quotes_its_sentence_only(facts, rule, quoted):
    plan = compile_plan(PLAN)
    result = evaluate(plan, facts)
    assert result.decided_by.name == rule
    [article] = result.decided_by.articles
    assert article.text == quoted
    assert_same(plan, facts)  # the fast path quotes the same


def test_a_sentence_brings_its_readings_and_the_whole_articles_not_its_neighbours():
    plan = compile_plan(PLAN)
    [article] = evaluate(plan, _facts(deficit=True)).decided_by.articles
    texts = [r.text for r in article.readings]
    assert any("赤字" in r for r in texts)
    assert any("定点零售药店」 are" in r for r in texts)  # the reading of the whole article
    assert not any("不受此限" in r or "500" in r for r in texts)
    assert "「赤字」指上一年度的基金赤字，即 city.deficit。" in [r.zh for r in article.readings]


def test_a_reading_of_the_whole_article_is_listed_once():
    record = json.loads(run("explain", "--plan", PLAN, "--format", "json", "-", input_json=_facts()).output)
    texts = [r["text"] for r in record["interpretations"]]
    assert len(texts) == len(set(texts))


def test_the_text_and_markdown_views_quote_the_sentence_alone():
    for fmt in ("text", "md"):
        output = run("explain", "--plan", PLAN, "--format", fmt, "-", input_json=_facts(deficit=True)).output
        assert "一第3句" in output and THIRD in output
        assert SECOND not in output, fmt


def test_citing_sentences_covers_the_article():
    rows = {row.id: row for row in coverage(compile_plan(PLAN))}
    assert rows["一"].status == "operative"
    assert set(rows["一"].rules) == {"基金赤字暂停", "门慢药店不受间距限制", "药店间距", "药店准入"}
    result = run("coverage", PLAN)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("old, new, code", [
    ("cites 一第3句", "cites 一第4句", "C125"),
    ("cites 一第3句", "cites 二第1句", "C041"),
    ("cites 一第3句", "cites 九第1句", "C040"),
    ('interpretation 一第2句 "', 'interpretation 一第9句 "', "C125"),
])
def test_a_sentence_the_article_does_not_have_is_refused(tmp_path, old, new, code):
    path = _copy(tmp_path, PLAN.read_text(encoding="utf-8").replace(old, new))
    codes = [d.code for d in check_file(path) if d.severity == "error"]
    assert codes == [code]


def test_a_sentence_after_an_elision_cannot_be_counted(tmp_path):
    text = PLAN.read_text(encoding="utf-8").replace(
        '"一、新增定点零售药店与最近的定点零售药店距离原则上不少于500米。门诊慢特病定点药店不受此限。"',
        '"一、新增定点零售药店…不少于500米。门诊慢特病定点药店不受此限。"')
    path = _copy(tmp_path, text)
    codes = [d.code for d in check_file(path) if d.severity == "error"]
    # 第1句 (two rules), 第2句, 第3句 and their three readings: the `…` may hide a sentence's end
    assert codes == ["C126"] * 7


def test_a_citation_moved_to_another_sentence_is_a_diff(tmp_path):
    old = PLAN.read_text(encoding="utf-8")
    new = old.replace("rule 药店准入 : admission cites 一第1句", "rule 药店准入 : admission cites 一")
    changes = diff_plans(parse_policy(old, "a.policy"), parse_policy(new, "b.policy"))
    assert changes and "一第1句" in str(changes.changes)


def test_an_expected_article_is_met_by_a_sentence_of_it(tmp_path):
    facts = {**_facts(deficit=True), "expect": {"outcome": "paused", "article": "一"}}
    (tmp_path / "e.json").write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    from engine.run.expectations import differences
    result = evaluate(compile_plan(PLAN), _facts(deficit=True))
    assert differences(result, facts["expect"]) == []
    assert differences(result, {"outcome": "paused", "article": "一第3句"}) == []
    assert differences(result, {"outcome": "paused", "article": "二"})


def test_the_editor_goes_from_a_sentence_cited_to_its_article():
    from editor.describe import describe
    from editor.index import build_index
    text = PLAN.read_text(encoding="utf-8")
    index = build_index(text, str(PLAN))
    start = text.index("cites 一第3句") + len("cites ")
    line = text[:start].count("\n") + 1
    found = index.at(line, start - text[:start].rfind("\n"))
    assert found.key == ("article", "一")
    assert {"基金赤字暂停", "药店间距"} <= set(describe(index, found.key).split("encoded by: ")[1].replace("`", "").split(", "))
    hover = describe(index, ("rule", "基金赤字暂停"))
    assert THIRD in hover and SECOND not in hover and "赤字」 is" in hover and "不受此限」" not in hover
