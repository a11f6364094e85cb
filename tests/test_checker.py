"""The checker's passes: each problem has its code, message, place and help."""
from __future__ import annotations

import hashlib

import pytest

from engine import check_file, compile_plan
from engine.compile.plan import CheckedPlan
from tests.conftest import MINI, SHENYANG


def errors(path):
    return [d for d in check_file(path) if d.severity == "error"]


def only_error(path):
    found = errors(path)
    assert len(found) == 1, [d.headline() for d in found]
    return found[0]


def test_the_shipped_plans_are_clean():
    assert [d.headline() for d in check_file(SHENYANG)] == []


def test_mini_plan_compiles_with_graph_in_order(mini_plan: CheckedPlan):
    order = list(mini_plan.order)
    assert order.index("input:city.rate") < order.index("define:加倍比率") < order.index("rule:药店") < order.index("decision:准入")


@pytest.mark.parametrize(
    "change, code, message, help_part",
    [
        (("比率 * 2", "比律 * 2"), "C010", "unknown name `比律`", "did you mean `比率`?"),
        (("when 距离 <= 800 m", "when 距离 <= 800"), "C019", "cannot compare `number m` with `number`", "800 m"),
        (("when 距离 <= 800 m", "when 距离 + 赤字 <= 800 m"), "C016", "expected a number, found `bool`", None),
        (("申请类别 = 零售药店", "申请类别 = 医院"), "C012", "`医院` is not a member of `类别`", None),
        (("then paused \"暂停\"", "then excluded"), "C031", "a gate rule concludes `paused`, not `excluded`", None),
        (("rule 暂停 : gate", "rule 暂停 : gates"), "C030", "unknown kind of rule `gates`", "did you mean `gate`"),
        (("precedence 暂停 > 半径", "precedence 暂停 > 半经"), "C032", "unknown rule `半经`", "did you mean `半径`?"),
        (("cites 二\n  when 赤字", "cites 九\n  when 赤字"), "C040", "article `九` is cited but not declared", None),
        (("otherwise needs_review", "otherwise needs_reveiw"), "C036", "unknown outcome `needs_reveiw`", "needs_review"),
        (("when 赤字\n", "when 比率\n"), "C015", "expected a condition (bool), found `fraction`", "x > 0"),
    ],
)
def test_checker_errors(write_policy, change, code, message, help_part):
    old, new = change
    assert old in MINI
    diagnostic = only_error(write_policy(MINI.replace(old, new, 1)))
    assert (diagnostic.code, diagnostic.message) == (code, message)
    if help_part:
        assert help_part in diagnostic.help
    assert diagnostic.span.line > 0 and diagnostic.span.path.endswith("test.policy")


def test_cycles_are_reported_with_every_hop(write_policy):
    text = MINI.replace("define 加倍比率 cites 二 = 比率 * 2",
                        "define 加倍比率 cites 二 = 乙 * 2\ndefine 乙 = 丙 + 1%\ndefine 丙 = 加倍比率 - 1%")
    diagnostic = only_error(write_policy(text))
    assert diagnostic.code == "C020"
    assert "加倍比率 -> 乙 -> 丙 -> 加倍比率" in diagnostic.message
    assert len(diagnostic.labels) == 3


def test_citing_an_informative_article_is_an_error(write_policy):
    text = MINI.replace('article 二 "', 'article 二 informative "')
    found = errors(write_policy(text))
    assert {d.code for d in found} == {"C041"}
    assert found[0].message == "article `二` is informative, so no rule may cite it"


def test_unused_rules_and_uncited_articles_warn(write_policy):
    text = MINI.replace("precedence 暂停 > 半径 > 药店", "precedence 暂停 > 半径") + '\narticle 三 "三、其他。"\n'
    codes = {(d.code, d.severity) for d in check_file(write_policy(text))}
    assert ("W001", "warning") in codes and ("W003", "warning") in codes


def _with_source(text: str, digest: str | None) -> str:
    header = 'plan "mini"\n  source "sources/doc.txt"\n' + (f'  sha256 "{digest}"\n' if digest else "")
    return text.replace('plan "mini"\n', header, 1)


DOC = "一、新增机构距离同类机构800米\n以上。\n二、基金赤字时暂停。\n"


def test_quotes_are_checked_against_the_source_ignoring_whitespace(write_policy):
    digest = hashlib.sha256(DOC.encode()).hexdigest()
    assert errors(write_policy(_with_source(MINI, digest), source=DOC)) == []


def test_a_drifted_quote_is_refused_with_where_it_stops_matching(write_policy):
    drifted = DOC.replace("800米", "500米")
    diagnostic = only_error(write_policy(_with_source(MINI, None), source=drifted))
    assert diagnostic.code == "C053"
    assert diagnostic.message == "the text quoted for article `一` is not in the source document"
    assert "…" in diagnostic.help and "新增机构距离同类机构" in diagnostic.help


def test_a_changed_source_document_is_refused(write_policy):
    diagnostic = only_error(write_policy(_with_source(MINI, "0" * 64), source=DOC))
    assert diagnostic.code == "C052" and "has changed" in diagnostic.message


def test_a_source_outside_the_policy_folder_is_refused(write_policy):
    text = MINI.replace('plan "mini"\n', 'plan "mini"\n  source "../../etc/passwd"\n', 1)
    diagnostic = only_error(write_policy(text))
    assert diagnostic.code == "C050"


def test_ellipsis_elides_text_in_a_quote(write_policy):
    text = MINI.replace('"一、新增机构距离同类机构800米以上。"', '"一、新增…800米以上。"')
    assert errors(write_policy(_with_source(text, None), source=DOC)) == []


def test_many_errors_are_all_reported_sorted_by_place(write_policy):
    text = MINI.replace("比率 * 2", "比律 * 2").replace("when 赤字\n", "when 赤子\n")
    found = errors(write_policy(text))
    assert [d.code for d in found] == ["C010", "C010"]
    assert found[0].span.line < found[1].span.line


def test_compile_plan_raises_with_all_errors(write_policy):
    from dsl import PolicyError

    with pytest.raises(PolicyError) as caught:
        compile_plan(write_policy(MINI.replace("比率 * 2", "比律 * 2")))
    assert caught.value.diagnostics[0].code == "C010"


@pytest.mark.parametrize("clause, repeat", [("precedence", "  precedence 药店\n"),
                                            ("otherwise", "  otherwise eligible\n"),
                                            ("notes", "  notes 甲\n  notes 乙\n")])
def test_a_decision_clause_given_twice_is_an_error(write_policy, clause, repeat):
    # The tree keeps one clause of each kind; a second must not silently replace the first.
    text = MINI.replace('  otherwise needs_review "无条款"\n', '  otherwise needs_review "无条款"\n' + repeat)
    found = [d for d in errors(write_policy(text)) if d.code == "C088"]
    assert [d.message for d in found] == [f"decision `准入` gives `{clause}` twice"]
    assert found[0].span.line == MINI.count("\n", 0, MINI.index("  otherwise")) + 2 + (clause == "notes")
    assert found[0].span.column == 3 and "merge them" in found[0].help


def test_each_decision_clause_once_is_clean(mini_plan):
    assert mini_plan.decisions["准入"].precedence == ("暂停", "半径", "药店")


def test_a_header_field_given_twice_is_an_error(write_policy):
    # `plan "x" version "1" version "2"` must not quietly mean version 1.
    text = MINI.replace('  version "1"\n', '  version "1"\n  version "2"\n')
    (found,) = [d for d in errors(write_policy(text)) if d.code == "C089"]
    assert found.message == "the `plan` header gives `version` twice" and found.span.line == 1
