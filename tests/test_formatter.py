"""`policy fmt`: the house layout, comments kept, meaning never changed, and the command around it."""
from __future__ import annotations

import random
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from dsl import PolicyError, format_policy, parse_policy
from dsl.layout import WIDTH
from dsl.parser import parse_with_lexemes
from dsl.printer import display_width
from tests.conftest import POLICIES, ROOT

SHIPPED = sorted(POLICIES.glob("*.policy"))
FIXTURES = SHIPPED + sorted((ROOT / "tests" / "fixtures" / "diff").glob("*.policy")) + [
    ROOT / "bench" / "reference" / "reference.policy"]


def fmt(text: str) -> str:
    return format_policy(textwrap.dedent(text), "test.policy")


def refusal(text: str):
    with pytest.raises(PolicyError) as raised:
        fmt(text)
    return raised.value.diagnostics


def comments(text: str) -> Counter:
    return Counter(lx.text.rstrip() for lx in parse_with_lexemes(text)[1] if lx.type == "COMMENT")


# ---- the shipped plans and the fixtures


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_plans_are_in_the_house_layout(path):
    text = path.read_text(encoding="utf-8")
    assert format_policy(text, str(path)) == text, f"run `policy fmt {path.relative_to(ROOT)}`"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_formatting_is_idempotent_and_keeps_the_tree_and_comments(path):
    text = path.read_text(encoding="utf-8")
    once = format_policy(text, str(path))
    assert format_policy(once, str(path)) == once
    assert parse_policy(once) == parse_policy(text)
    assert comments(once) == comments(text)


def test_the_reformatted_fixture_comes_back_to_the_draft_layout_with_its_comments():
    fixtures = ROOT / "tests" / "fixtures" / "diff"
    out = format_policy((fixtures / "draft-reformatted.policy").read_text(encoding="utf-8"))
    assert "  precedence 不予纳入\n           > 村卫生室与高校内设不受限\n           > 基金安全暂停\n" in out
    assert "统筹基金收入 × (1 - 结余率) / 实际报销比  # 附件 1\n" in out
    assert "  when 最近同类型定点机构距离 <= 800 m\n  # the radius of 三\n  then spacing_conflict" in out


def _relayout(text: str, rng: random.Random) -> str:
    """The same tokens (comments dropped) with random whitespace between them: the same tree."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    pieces = []
    for lexeme in parse_with_lexemes(text)[1]:
        if lexeme.type == "COMMENT":
            continue
        start = starts[lexeme.line - 1] + lexeme.column - 1
        end = starts[lexeme.end_line - 1] + lexeme.end_column - 1
        gap = rng.choice([" ", " ", "  ", "\n", "\n  ", "\n\n    "]) if pieces else ""
        pieces.append(gap + text[start:end])
    return "".join(pieces) + "\n"


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_any_layout_of_the_same_tokens_formats_to_a_fixed_point(path, seed):
    messy = _relayout(path.read_text(encoding="utf-8"), random.Random(seed))
    once = format_policy(messy)
    assert format_policy(once) == once
    assert parse_policy(once) == parse_policy(messy)
    assert max(display_width(line) for line in once.splitlines() if '"' not in line) <= WIDTH


# ---- the layout


MESSY = """\
# A small plan, written in a hurry.
plan "mini"   title "小规划"
    version   "1"
article 一 "一、新增机构距离同类机构800米以上。"
article 二(一) operative
        "二、基金赤字时暂停。"
interpretation 一 "800 m itself is within."
enum 类别 { pharmacy "零售药店" clinic "诊所" }
zones 区域 of 区县 { 主城: 甲区, 乙区
  郊区: 丙区 }
input applicant.category:类别 as 申请类别
input applicant.distance : metres as 距离   # from the facts file
input city.deficit: bool as 赤字
input city.rate : fraction as 比率
input city.regions : map of { beds: number bed "床位数", people: number person }
# ---- formulas ----
define 加倍比率 cites 二（一） = 比率×2÷(1+比率)
define 区域床位 cites 一 =
    city.regions[主城].beds
rule 暂停 : gate cites 二（一） when 赤字 then paused "暂停"
rule 半径 : spacing cites 一
  when 距离 <= 800 m
     # also when the rate is high
     or 加倍比率 > 10%  then spacing_conflict
rule 药店 : admission cites 一 when 申请类别 = 零售药店 and 加倍比率 > 10% then eligible with 份额 = 加倍比率, 床位 = 区域床位
decision 准入 {  otherwise needs_review "无条款"
  precedence 暂停 > 半径   # the fund first
  # then the distance
  > 药店 }
"""

GOLDEN = """\
# A small plan, written in a hurry.
plan "mini"
  title   "小规划"
  version "1"

article 一 operative "一、新增机构距离同类机构800米以上。"
article 二（一） operative
  "二、基金赤字时暂停。"

interpretation 一 "800 m itself is within."

enum 类别 {
  pharmacy "零售药店"
  clinic   "诊所"
}

zones 区域 of 区县 {
  主城: 甲区, 乙区
  郊区: 丙区
}

input applicant.category : 类别 as 申请类别
input applicant.distance : metres as 距离  # from the facts file
input city.deficit       : bool as 赤字
input city.rate          : fraction as 比率
input city.regions       : map of { beds: number bed "床位数", people: number person }


# ---- formulas ----
define 加倍比率 cites 二（一） = 比率 × 2 ÷ (1 + 比率)

define 区域床位 cites 一 =
  city.regions[主城].beds

rule 暂停 : gate cites 二（一）
  when 赤字
  then paused "暂停"

rule 半径 : spacing cites 一
  when 距离 <= 800 m
    # also when the rate is high
    or 加倍比率 > 10%
  then spacing_conflict

rule 药店 : admission cites 一
  when 申请类别 = 零售药店 and 加倍比率 > 10%
  then eligible
  with 份额 = 加倍比率, 床位 = 区域床位

decision 准入 {
  precedence 暂停
           > 半径  # the fund first
           # then the distance
           > 药店
  otherwise needs_review "无条款"
}
"""


def test_a_messy_plan_formats_to_the_house_layout():
    assert format_policy(MESSY) == GOLDEN
    assert format_policy(GOLDEN) == GOLDEN


def test_operators_and_parentheses_stay_as_written():
    out = fmt("""\
        define a cites 一 = (x × 1000) / (y * z) ÷ w
        define b cites 一 = (p and q) or not (r < s) or ((t))
        """)
    assert "define a cites 一 = (x × 1000) / (y * z) ÷ w\n" in out
    assert "define b cites 一 = (p and q) or not (r < s) or (t)\n" in out


def test_a_long_text_is_split_between_characters_and_never_changed():
    sentence = "为科学合理配置医疗保障定点医药机构资源，现将《沈阳市医疗保障定点医药机构服务资源配置规划（2025-2027年）》印发给你们，"
    text = f'article 通知 informative "{sentence * 3}请认真遵照执行…完。"\n'
    out = fmt(text)
    lines = out.splitlines()
    assert lines[0] == "article 通知 informative"
    assert all(line.startswith('  "') and display_width(line) <= WIDTH for line in lines[1:])
    assert all(line.endswith('，"') for line in lines[1:-1])  # cut after punctuation, not mid-clause
    assert parse_policy(out).items[0].text == sentence * 3 + "请认真遵照执行…完。"


def test_escapes_and_an_empty_label_survive():
    out = fmt('article 三 deferred "why \\"quoted\\" \\\\ back" "a\\tb"\nenum E { a "" b "x" }\n')
    assert 'article 三 deferred "why \\"quoted\\" \\\\ back" "a\\tb"\n' in out
    assert '  a ""\n' in out


def test_long_condition_breaks_before_or_with_a_four_space_continuation():
    names = " or ".join(f"条件{i:02}满足与否的标志" for i in range(12))
    out = fmt(f"rule r : gate cites 一 when {names} then paused\n")
    when = out.splitlines()[1:-1]
    assert when[0].startswith("  when 条件00") and all(line.startswith("    or ") for line in when[1:])
    assert all(display_width(line) <= WIDTH for line in when)


# ---- comments


def test_comments_in_a_decision_block_keep_their_places():
    source = """\
        decision d "准入" {
          # the order matters
          precedence a   # first
            > b
            # c only when b does not apply
            > c
          notes p  # shown with eligible
          otherwise needs_review "无条款"
          # nothing after otherwise
        }
        """
    assert fmt(source) == textwrap.dedent("""\
        decision d "准入" {
          # the order matters
          precedence a  # first
                   > b
                   # c only when b does not apply
                   > c
          notes p  # shown with eligible
          otherwise needs_review "无条款"
          # nothing after otherwise
        }
        """)


def test_comments_inside_a_multi_line_expression_keep_their_places():
    source = """\
        rule r : exclusion cites 一
          when not a  # staffing
            or not b or   # departments
            # the facilities
            not c
          then excluded
        define d cites 一 =  # 附件1
          x
            × y  # the scale
        """
    assert fmt(source) == textwrap.dedent("""\
        rule r : exclusion cites 一
          when not a  # staffing
            or not b  # departments
            # the facilities
            or not c
          then excluded

        define d cites 一 =  # 附件1
          x
            × y  # the scale
        """)


def test_comments_between_items_records_and_members_are_kept():
    source = """\
        # heading
        input a.b : bool   # trailing
        # about the record
        input a.c : map of {
          x : number,  # x
          # y below
          y : count,
        }
        define z cites 一 = 1
        # a note under z, apart from what follows

        # ---- banner ----

        # about w
        define w cites 一 = 2
        # the end
        """
    out = fmt(source)
    assert out == textwrap.dedent("""\
        # heading
        input a.b : bool  # trailing
        # about the record
        input a.c : map of {
          x : number,  # x
          # y below
          y : count,
        }

        define z cites 一 = 1
        # a note under z, apart from what follows


        # ---- banner ----

        # about w
        define w cites 一 = 2
        # the end
        """)
    assert comments(out) == comments(textwrap.dedent(source))


def test_a_comment_inside_a_parenthesized_expression_is_refused_not_moved():
    (diagnostic,) = refusal("""\
        define x cites 一 = (a +  # inside
          b) × c
        """)
    assert diagnostic.code == "P101"
    assert diagnostic.message.startswith("this comment cannot keep its place")
    assert (diagnostic.span.line, diagnostic.span.column, diagnostic.span.end_column) == (1, 26, 34)


def test_a_decision_clause_given_twice_is_refused_rather_than_dropped():
    (diagnostic,) = refusal("decision d {\n  precedence a > b\n  precedence c\n  otherwise needs_review\n}\n")
    assert diagnostic.code == "P102"
    assert diagnostic.message == "decision `d` gives `precedence` twice; only the last one counts"
    assert (diagnostic.span.line, diagnostic.span.column) == (3, 3)


def test_the_formatter_checks_its_own_output(monkeypatch):
    """A layout bug that drops an enum member is caught before anything is written."""
    from dsl.layout import Layout

    real = Layout._enum
    monkeypatch.setattr(Layout, "_enum", lambda self, item: [line for line in real(self, item) if "clinic" not in line.text])
    (diagnostic,) = refusal('enum 类别 { pharmacy "零售药店" clinic "诊所" }\n')
    assert diagnostic.code == "P103" and "bug in the formatter" in diagnostic.help


def test_a_syntax_error_is_the_parser_diagnostic():
    (diagnostic,) = refusal("rule r : gate cites 三 when a b then paused\n")
    assert diagnostic.code == "P002"


# ---- the command


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


@pytest.fixture
def messy(tmp_path) -> Path:
    path = tmp_path / "mini.policy"
    path.write_text(MESSY, encoding="utf-8")
    return path


def test_fmt_check_passes_on_the_shipped_plans():
    result = run("fmt", "--check", *SHIPPED)
    assert result.exit_code == 0, result.output
    assert result.output == ""


def test_fmt_check_lists_what_would_change_and_writes_nothing(messy):
    result = run("fmt", "--check", messy, SHIPPED[0])
    assert result.exit_code == 1
    assert result.output == f"would reformat {messy}\n"
    assert messy.read_text(encoding="utf-8") == MESSY


def test_fmt_diff_prints_a_unified_diff_and_writes_nothing(messy):
    result = run("fmt", "--diff", messy)
    assert result.exit_code == 0
    assert result.output.startswith(f"--- a/{messy}\n+++ b/{messy}\n@@ ")
    assert "+  title   \"小规划\"\n" in result.output
    assert messy.read_text(encoding="utf-8") == MESSY


def test_fmt_rewrites_in_place_then_finds_nothing_to_do(messy):
    messy.chmod(0o640)
    result = run("fmt", messy)
    assert result.exit_code == 0 and result.output == f"reformatted {messy}\n"
    assert messy.read_text(encoding="utf-8") == GOLDEN
    assert messy.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in messy.parent.iterdir()] == ["mini.policy"]  # no temporary file left behind
    result = run("fmt", messy)
    assert result.exit_code == 0 and result.output == f"{messy} already formatted\n"


def test_fmt_dash_reads_stdin_and_writes_stdout():
    result = run("fmt", "-", input=MESSY)
    assert result.exit_code == 0
    assert result.stdout == GOLDEN


def test_fmt_syntax_error_exits_2_with_the_diagnostic_and_no_traceback(tmp_path):
    path = tmp_path / "bad.policy"
    path.write_text("rule r : gate cites 三 when a b then paused\n", encoding="utf-8")
    result = run("fmt", path)
    assert result.exit_code == 2
    assert f"{path}:1:" in result.output and "error[P002]" in result.output and "Traceback" not in result.output
    assert path.read_text(encoding="utf-8") == "rule r : gate cites 三 when a b then paused\n"


def test_fmt_refusal_exits_2_and_leaves_the_file(tmp_path):
    text = "define x cites 一 = (a +  # inside\n  b) × c\n"
    path = tmp_path / "refused.policy"
    path.write_text(text, encoding="utf-8")
    result = run("fmt", path)
    assert result.exit_code == 2 and "error[P101]" in result.output
    assert path.read_text(encoding="utf-8") == text


def test_fmt_unreadable_file_exits_2(tmp_path):
    result = run("fmt", tmp_path / "missing.policy")
    assert result.exit_code == 2 and "cannot read" in result.output and "Traceback" not in result.output


def test_fmt_through_a_symlink_rewrites_the_plan_and_keeps_the_link(messy):
    link = messy.parent / "link.policy"
    link.symlink_to(messy)
    assert run("fmt", link).exit_code == 0
    assert link.is_symlink() and messy.read_text(encoding="utf-8") == GOLDEN


def test_populations_decision_clauses_and_list_conditions_in_the_house_layout():
    messy = """\
plan "p"
population  人群 "名单" cites 一 {   数 = count(true)
      # the rank of each line
   排名 "排名（1为最高）" = rank(分)  }
define 有 cites 一 = any(v.x > 0 for v in 列表
  if v.d <= as_of)
decision 考核 { over 人群   outcomes pass,  fail  # two outcomes
  precedence a > b otherwise pass }
"""
    once = format_policy(messy)
    assert format_policy(once) == once and parse_policy(once) == parse_policy(messy)
    assert ('population 人群 "名单" cites 一 {\n  数                     = count(true)\n  # the rank of each line\n'
            '  排名 "排名（1为最高）" = rank(分)\n}\n') in once
    assert "define 有 cites 一 = any(v.x > 0 for v in 列表\n    if v.d <= as_of)\n" in once
    assert "decision 考核 {\n  over 人群\n  outcomes pass, fail  # two outcomes\n  precedence a\n" in once
