"""Text -> AST: shapes of the nodes, and syntax errors with their place, message and hint."""
from __future__ import annotations

import pytest

from dsl import PolicyError, ast, parse_policy, render_all


def parse_one(text: str):
    return parse_policy(text, "t.policy").items[0]


def test_article_ids_are_read_as_the_source_numbers_them():
    item = parse_one('article 二(二)3 informative "abc" "def"')
    assert item == ast.Article("二（二）3", "informative", "abcdef")


def test_deferred_article_keeps_its_reason():
    item = parse_one('article 三（六） deferred "own issue" "（六）定点试运行。"')
    assert (item.status, item.reason, item.text) == ("deferred", "own issue", "（六）定点试运行。")


def test_rule_with_terms_and_reason():
    rule = parse_one('rule r : ratio cites 三（一） when a > b then eligible "x" with s = 50%, q = floor(m[k].n * 50%)')
    assert rule.kind == "ratio" and rule.outcome == "eligible" and rule.reason == "x"
    assert [a.name for a in rule.assignments] == ["s", "q"]
    assert rule.assignments[0].expr == ast.Percent(0.5, "50%")


def test_operator_precedence_and_chinese_operators():
    define = parse_one("define x = a + b × c ÷ d")
    assert isinstance(define.expr, ast.Arith) and define.expr.rest[0][0] == "+"
    product = define.expr.rest[0][1]
    assert [op for op, _ in product.rest] == ["*", "/"]


def test_logic_binds_and_tighter_than_or():
    define = parse_one("define x = a or b and not c")
    assert define.expr.op == "or" and define.expr.operands[1].op == "and"


def test_number_with_unit_date_and_sets():
    define = parse_one("define x = if d < 2025-03-01 then k in {a, b} else m not in 医保县市区")
    assert define.expr.condition.right.value.isoformat() == "2025-03-01"
    assert define.expr.then.members == (ast.Name("a"), ast.Name("b"))
    assert define.expr.otherwise.negated and define.expr.otherwise.set_name == "医保县市区"
    assert parse_one("define y = 800 m").expr == ast.Number(800.0, "m", "800")


def test_spans_do_not_count_for_equality():
    a = parse_policy("define x = 1 + 2", "a.policy")
    b = parse_policy("# comment\ndefine   x =\n  1 +   2\n", "b.policy")
    assert a == b
    assert a.items[0].span.line == 1 and b.items[0].span.line == 2


@pytest.mark.parametrize(
    "text, code, message, snippet, hint",
    [
        ("rule r : gate cites 三 when a b then paused", "P002", "unexpected `b`",
         "   1 | rule r : gate cites 三 when a b then paused\n     |                               ^",
         "a rule reads `when <condition> then <outcome>`"),
        ("rule r : gate cites 三 when then paused", "P002", "unexpected `paused`",
         "   1 | rule r : gate cites 三 when then paused\n     |                                  ^^^^^^",
         "the condition after `when` is empty"),
        ("define x = 3 %", "P001", "unexpected character `%`", "     |              ^",
         "write a percentage right after its number"),
        ("define x = “a”", "P001", "unexpected character `“`", "     |            ^", "straight double quotes"),
        ("define x = 2025-13-01", "P004", "`2025-13-01` is not a calendar date", "     |            ^^^^^^^^^^",
         "YYYY-MM-DD"),
        ('article 三 "未闭合的引文\n"下一行"', "P005", "this string is not closed on its line",
         "     |            ^", "several strings, one per line"),
        ("rule r : gate cites 三 when a", "P003", "the file ends in the middle of an item", "", "expected"),
    ],
)
def test_syntax_errors_name_the_place_and_help(text, code, message, snippet, hint):
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "bad.policy")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == code
    assert diagnostic.message == message
    assert hint in (diagnostic.help or "")
    rendered = render_all(caught.value.diagnostics)
    assert rendered.startswith("bad.policy:1:")
    assert snippet in rendered


def test_caret_lines_up_under_chinese_text():
    with pytest.raises(PolicyError) as caught:
        parse_policy("define 医保 = 甲 乙", "bad.policy")
    lines = render_all(caught.value.diagnostics).splitlines()
    caret = lines[2]
    # 乙 starts after `define 医保 = 甲 `: CJK characters are two columns wide.
    assert caret.index("^") == len("   1 | define ") + 4 + len(" = ") + 2 + 1
