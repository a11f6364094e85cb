"""`policy diff`: the structural diff of two plan versions, the population replay, the CLI.

The fixtures in tests/fixtures/diff/ are realistic revisions of the 沈阳 draft, each one
change (ratio, radius, a new exemption, a reworded article, a zone move) and `final.policy`
with all of them, its article texts and source document revised to match. Every fixture
compiles against its own copy of the source under sources/, so the population replay can
decide applicants under it.
"""
from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from dsl import parse_file, parse_policy
from engine import diff_plans
from engine.diff.structural import (ArticleReworded, ArticleStatusChanged, DefineChanged, ExpressionChanged, FieldChanged,
                         HeaderChanged, InputAdded, InputChanged, InputRemoved, InterpretationAdded,
                         InterpretationRemoved, PrecedenceChanged, RuleAdded, RuleChanged, RuleRemoved, ValueChanged,
                         ZoneMoved, inline_edits)
from engine.diff.expr_text import item_text
from engine.diff.population import replay

FIXTURES = Path(__file__).parent / "fixtures" / "diff"
EXAMPLES = Path(__file__).parent.parent / "policies" / "examples" / "shenyang"
CONTEXT = EXAMPLES / "context-2026.json"
DRAFT = FIXTURES / "draft.policy"
REVISIONS = ["draft-reformatted", "ratio-60", "radius-500", "exemption-added", "reworded", "zone-moved", "final"]


def fixture(name: str) -> Path:
    return FIXTURES / f"{name}.policy"


def diff_of(name: str, old: Path = DRAFT):
    return diff_plans(parse_file(old), parse_file(fixture(name)))


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def place(path: Path, needle: str, at: str) -> str:
    """`file:line:col` of `at` on the line holding `needle`, as spans print."""
    line = line_of(path, needle)
    return f"{path}:{line}:{path.read_text(encoding='utf-8').splitlines()[line - 1].index(at) + 1}"


def run(*args: str):
    return CliRunner().invoke(main, ["diff", *map(str, args)])


# ---- what changed ------------------------------------------------------------------------------


def test_a_plan_against_itself_is_empty():
    changes = diff_plans(parse_file(DRAFT), parse_file(DRAFT))
    assert not changes and len(changes) == 0 and changes.changes == ()


def test_layout_and_comments_are_no_change():
    assert fixture("draft-reformatted").read_text(encoding="utf-8") != DRAFT.read_text(encoding="utf-8")
    assert not diff_of("draft-reformatted")


def test_a_revised_ratio_is_each_value_old_to_new():
    (change,) = diff_of("ratio-60")
    assert isinstance(change, RuleChanged)
    assert (change.name, change.article, change.renamed) == ("住院_千人床位数高于可承担", "三（一）", False)
    values = [d for d in change.details if isinstance(d, ValueChanged)]
    assert [(v.path, v.old_text, v.new_text) for v in values] == [
        ("with 纳入比例", "50%", "60%"), ("with 可新增医保床位", "50%", "60%")]
    reason = next(d for d in change.details if isinstance(d, FieldChanged))
    assert reason.path == "reason"
    assert ("-", "50%") in reason.edits and ("+", "60%") in reason.edits
    # spans on both sides point at the literal in each file
    assert values[0].old_span.line == line_of(DRAFT, "with 纳入比例 = 50%")
    assert values[0].new_span.line == line_of(fixture("ratio-60"), "with 纳入比例 = 60%")


def test_a_revised_radius_keeps_its_unit():
    (change,) = diff_of("radius-500")
    assert change == RuleChanged("服务半径800米", "服务半径800米", "三", (ValueChanged("when", "800 m", "500 m"),))
    assert change.details[0].new_span.line == line_of(fixture("radius-500"), "<= 500 m")


def test_a_new_exemption_is_a_rule_added_and_a_precedence_change():
    added, precedence = diff_of("exemption-added")
    assert isinstance(added, RuleAdded)
    assert (added.name, added.article) == ("公立社区卫生服务中心不受限", "三（四）")
    assert added.text.startswith("rule 公立社区卫生服务中心不受限 : exemption cites 三（四） when 公立社区卫生服务中心")
    assert isinstance(precedence, PrecedenceChanged) and precedence.decision == "准入"
    assert precedence.entries[2] == ("+", None, "公立社区卫生服务中心不受限")
    assert [op for op, _, _ in precedence.entries].count("=") == 9


def test_a_reworded_article_is_marked_character_by_character():
    changes = diff_of("reworded")
    header = {c.key: (c.old_value, c.new_value) for c in changes.of_type(HeaderChanged)}
    assert header["source"] == ("sources/shenyang-2025-draft.txt", "sources/shenyang-2025-reworded.txt")
    assert set(header) == {"source", "sha256"}
    (reworded,) = changes.of_type(ArticleReworded)
    assert reworded.article == "结语"
    assert [e for e in reworded.edits if e[0] != "="] == [("-", "  "), ("+", "7"), ("-", "  "), ("+", "1")]
    assert "".join(t for op, t in reworded.edits if op != "+") == reworded.old_text
    assert "".join(t for op, t in reworded.edits if op != "-") == reworded.new_text


def test_a_district_moved_between_zones():
    assert diff_of("zone-moved").changes == (ZoneMoved("医保区域", "浑南区", "医保城郊区", "医保主城区", "附件3"),)


def test_the_final_plan_pairs_a_renamed_rule_and_reports_everything():
    changes = diff_of("final")
    kinds = Counter(type(c).__name__ for c in changes)
    assert kinds == {"HeaderChanged": 5, "ArticleReworded": 5, "InterpretationReworded": 2, "ZoneMoved": 1,
                     "RuleAdded": 1, "RuleChanged": 2, "PrecedenceChanged": 1}
    spacing = changes.rule_change("服务半径800米", "old")
    assert isinstance(spacing, RuleChanged) and spacing.renamed and spacing.new_name == "服务半径500米"
    assert ValueChanged("when", "800 m", "500 m") in spacing.details
    assert not changes.of_type(RuleRemoved)
    (precedence,) = changes.of_type(PrecedenceChanged)
    assert ("=", "服务半径800米", "服务半径500米") in precedence.entries
    header = {c.key: (c.old_value, c.new_value) for c in changes.of_type(HeaderChanged)}
    assert header["version"] == ("2025-draft", "2025-final")
    three = next(c for c in changes.of_type(ArticleReworded) if c.article == "三")
    assert [e for e in three.edits if e[0] != "="] == [("-", "800"), ("+", "500")]


@pytest.mark.parametrize("name", REVISIONS)
def test_a_diff_and_its_reverse_mirror_each_other(name):
    forward = diff_of(name)
    backward = diff_plans(parse_file(fixture(name)), parse_file(DRAFT))
    assert Counter(forward.reversed().changes) == Counter(backward.changes)
    assert len(forward) == len(backward)


def test_the_reverse_swaps_added_and_removed_old_and_new():
    backward = diff_plans(parse_file(fixture("exemption-added")), parse_file(DRAFT))
    assert [type(c) for c in backward] == [RuleRemoved, PrecedenceChanged]
    assert backward.changes[1].entries[2] == ("-", "公立社区卫生服务中心不受限", None)
    (radius,) = diff_plans(parse_file(fixture("radius-500")), parse_file(DRAFT))
    assert radius.details == (ValueChanged("when", "500 m", "800 m"),)
    (moved,) = diff_plans(parse_file(fixture("zone-moved")), parse_file(DRAFT))
    assert (moved.old_zone, moved.new_zone) == ("医保主城区", "医保城郊区")


# ---- finer points, on edited copies of the draft ------------------------------------------------


def edited(*replacements: tuple[str, str]):
    text = DRAFT.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return diff_plans(parse_policy(DRAFT.read_text(encoding="utf-8"), "old.policy"), parse_policy(text, "new.policy"))


def test_a_changed_shape_shows_the_whole_expression():
    (change,) = edited(("when 一体化村卫生室 or 高等院校内设", "when 一体化村卫生室"))
    (detail,) = change.details
    assert isinstance(detail, ExpressionChanged)
    assert (detail.path, detail.old_text, detail.new_text) == ("when", "一体化村卫生室 or 高等院校内设", "一体化村卫生室")
    assert detail.edits == (("=", "一体化村卫生室"), ("-", " or 高等院校内设"))


def test_a_formula_constant_and_how_a_number_is_written():
    (change,) = edited(("(医保筹资可覆盖的医药费用 × 1000)", "(医保筹资可覆盖的医药费用 × 10000)"))
    assert isinstance(change, DefineChanged) and change.article == "附件2"
    assert change.details == (ValueChanged("formula", "1000", "10000"),)
    assert not edited(("(医保筹资可覆盖的医药费用 × 1000)", "(医保筹资可覆盖的医药费用 × 1_000)"))


def test_inputs_added_removed_and_retyped():
    changes = edited(("input applicant.beds     : number bed", "input applicant.beds : count"),
                     ("input applicant.level    : count \"一级/二级/三级\"\n", ""),
                     ("input city.cost_per_bed", "input city.beds_per_doctor : number\ninput city.cost_per_bed"))
    retyped = next(c for c in changes if isinstance(c, InputChanged))
    assert retyped.name == "applicant.beds"
    assert retyped.details == (FieldChanged("type", "number bed", "count"),)
    assert [c.name for c in changes.of_type(InputRemoved)] == ["applicant.level"]
    assert [c.name for c in changes.of_type(InputAdded)] == ["city.beds_per_doctor"]


def test_readings_and_article_status():
    changes = edited(('interpretation 三（二）\n  "「等值或负值」: a gap of exactly 0 takes the 100% branch, as the article says."\n',
                      'interpretation 三（二）\n  "「等值」 is read as a gap under 0.005 in absolute value."\n'),
                     ('article 二（二）2 informative', 'article 二（二）2 deferred "no rule yet"'))
    status = changes.of_type(ArticleStatusChanged)
    assert [(c.article, c.old_status, c.new_status, c.new_reason) for c in status] == [
        ("二（二）2", "informative", "deferred", "no rule yet")]
    assert [c.article for c in changes.of_type(InterpretationRemoved)] == ["三（二）"]
    assert [c.article for c in changes.of_type(InterpretationAdded)] == ["三（二）"]


def test_a_declaration_kind_the_differ_does_not_know_is_still_reported():
    from dataclasses import dataclass, field

    from dsl.ast import PolicyFile
    from dsl.spans import NO_SPAN, Span
    from engine.diff.structural import Added, Changed

    @dataclass(frozen=True, slots=True)
    class WidgetDecl:  # stands for a construct added to the language after the differ
        name: str
        size: int
        span: Span = field(default=NO_SPAN, compare=False)

    old, new = PolicyFile((WidgetDecl("w", 1),)), PolicyFile((WidgetDecl("w", 2), WidgetDecl("v", 3)))
    changes = diff_plans(old, new)
    assert changes.changes == (Changed("w", "w", None, (FieldChanged("size", "1", "2"),), what="widget"),
                               Added("v", None, "widget v size=3", what="widget"))
    assert not diff_plans(old, PolicyFile((WidgetDecl("w", 1),)))


def test_inline_edits_keep_numbers_whole():
    assert inline_edits("服务半径800米", "服务半径1000米") == (("=", "服务半径"), ("-", "800"), ("+", "1000"), ("=", "米"))


def test_the_printer_round_trips_every_declaration_of_the_plan():
    policy = parse_file(DRAFT)
    printable = [i for i in policy.items if type(i).__name__ not in ("PlanHeader",)]
    for item in printable:
        try:
            text = item_text(item)
        except TypeError:
            continue  # a declaration kind the printer does not know yet
        assert parse_policy(text).items[0] == item, text


# ---- whom it changes ---------------------------------------------------------------------------


def examples() -> list[dict]:
    """The shipped examples that give their spacing distance (those that name a registry file
    are decided against it in tests/test_registry_spacing.py)."""
    rows = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("[01]*.json"))]
    return [r for r in rows if "registry" not in r]


def population(tmp_path: Path, extra_lines: tuple[str, ...] = ()) -> Path:
    """The shipped examples, plus pharmacies at 400, 500 and 600 m from the nearest one of their kind."""
    rows = examples()
    pharmacy = next(r for r in rows if r["applicant"]["id"] == "SY-2026-0007")
    for metres in (400, 500, 600):
        row = copy.deepcopy(pharmacy)
        row["applicant"]["id"] = f"SY-TEST-{metres}M"
        row["applicant"]["nearest_same_category_m"] = metres
        rows.append(row)
    path = tmp_path / "applicants.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in rows] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_radius_change_frees_the_pharmacy_at_600_m(tmp_path):
    changes = diff_of("radius-500")
    report = replay(str(DRAFT), str(fixture("radius-500")), str(population(tmp_path)), changes, str(CONTEXT))
    assert report.decided == len(examples()) + 3 and not report.errors
    assert report.transitions() == Counter({("spacing_conflict", "eligible"): 1})
    (flip,) = report.changed
    assert flip.applicant == "SY-TEST-600M" and flip.flipped
    assert (flip.old.rule, flip.old.article, flip.new.rule) == ("服务半径800米", "三", "个人账户与零售药店")
    assert ("applicant.nearest_same_category_m", 600) in flip.old.key_values
    assert flip.causes == (changes.rule_change("服务半径800米"),)
    assert report.by("district") == {"和平区": Counter({("spacing_conflict", "eligible"): 1})}
    assert report.by("category") == {"pharmacy": Counter({("spacing_conflict", "eligible"): 1})}


def test_a_zone_move_changes_the_share_not_the_outcome(tmp_path):
    changes = diff_of("zone-moved")
    report = replay(str(DRAFT), str(fixture("zone-moved")), str(population(tmp_path)), changes, str(CONTEXT))
    (line,) = report.changed
    assert line.district == "浑南区" and not line.flipped
    assert (line.old.rule, line.new.rule) == ("住院_千人床位数低于可承担", "住院_千人床位数高于可承担")
    assert dict(line.new.terms)["纳入比例"] == 0.5
    assert ("医保定点区域", "医保城郊区", "医保主城区") in line.values_differ
    assert line.causes == changes.changes


def test_a_new_exemption_is_blamed_on_the_added_rule(tmp_path):
    changes = diff_of("exemption-added")
    report = replay(str(DRAFT), str(fixture("exemption-added")), str(population(tmp_path)), changes, str(CONTEXT))
    assert report.transitions() == Counter({("eligible", "exempt"): 1})
    assert isinstance(report.changed[0].causes[0], RuleAdded)


# ---- the command -------------------------------------------------------------------------------


def test_cli_equivalent_versions_exit_0():
    result = run(DRAFT, fixture("draft-reformatted"))
    assert result.exit_code == 0, result.output
    assert "no changes: the two versions are equivalent" in result.output


def test_cli_text_report_goes_article_by_article():
    result = run(DRAFT, fixture("final"), "--width", "120")
    assert result.exit_code == 1, result.output
    out = result.output
    assert "17 change(s)" in out
    assert "article 三（一）" in out and "with 纳入比例: 50% → 60%" in out
    assert "rule 服务半径800米 → 服务半径500米 changed" in out and "when: 800 m → 500 m" in out
    assert "服务半径[-800-]{+500+}米" in out
    assert "浑南区 moved 医保城郊区 → 医保主城区" in out
    assert "{+公立社区卫生服务中心不受限+}" in out
    assert out.index("plan header") < out.index("article 三") < out.index("article 三（一）") < out.index("zones 医保区域")


def test_cli_json_and_markdown():
    result = run(DRAFT, fixture("radius-500"), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["equivalent"] is False and data["old"]["id"] == "shenyang-2025-draft"
    (change,) = data["changes"]
    assert change["change"] == "RuleChanged" and change["what"] == "rule" and change["article"] == "三"
    assert change["details"] == [{"change": "ValueChanged", "path": "when", "old_text": "800 m", "new_text": "500 m",
                                  "old_at": place(DRAFT, "<= 800 m", "800 m"),
                                  "new_at": place(fixture("radius-500"), "<= 500 m", "500 m")}]
    result = run(DRAFT, fixture("ratio-60"), "--format", "md")
    assert result.exit_code == 1
    assert "## article 三（一）" in result.output
    assert "<del>50%</del><ins>60%</ins>" in result.output and "`50%` → `60%`" in result.output
    same = run(DRAFT, DRAFT, "--format", "json")
    assert same.exit_code == 0 and json.loads(same.output)["equivalent"] is True


def test_cli_population_in_three_formats(tmp_path):
    jsonl = population(tmp_path)
    args = (DRAFT, fixture("radius-500"), "--population", jsonl, "--context", CONTEXT)
    text = run(*args, "--width", "120")
    assert text.exit_code == 1, text.output
    assert "spacing_conflict → eligible" in text.output
    assert f"line {len(examples()) + 3} · SY-TEST-600M" in text.output
    assert "caused by: rule 服务半径800米 changed: when: 800 m → 500 m" in text.output
    data = json.loads(run(*args, "--format", "json").output)["population"]
    assert (data["decided"], data["changed"], data["flipped"], data["bad_lines"]) == (len(examples()) + 3, 1, 1, 0)
    assert data["transitions"] == [{"old": "spacing_conflict", "new": "eligible", "lines": 1}]
    assert data["by_district"]["和平区"]["changed"] == 1 and data["by_district"]["铁西区"]["changed"] == 0
    line = data["lines"][0]
    assert line["old"]["decided_by"] == {"rule": "服务半径800米", "article": "三"}
    assert line["old"]["key_values"] == {"applicant.nearest_same_category_m": 600}
    assert line["caused_by"][0]["name"] == "服务半径800米" and line["caused_by"][0]["change"] == "RuleChanged"
    md = run(*args, "--format", "md")
    assert md.exit_code == 1
    assert "## Whom it changes" in md.output and "| spacing_conflict → eligible | 1 |" in md.output
    assert "| decided by | 服务半径800米 (三) | 个人账户与零售药店 (三（三）) |" in md.output


def test_cli_examples_option(tmp_path):
    jsonl = population(tmp_path)
    result = run(DRAFT, fixture("final"), "--population", jsonl, "--context", CONTEXT, "--examples", "1",
                 "--format", "json")
    data = json.loads(result.output)["population"]
    assert len(data["examples"]) == 1 and data["changed"] > 1
    result = run(DRAFT, fixture("final"), "--population", jsonl, "--context", CONTEXT, "--examples", "0")
    assert "example 1" not in result.output


def test_cli_bad_population_lines_are_reported_and_exit_2(tmp_path):
    unknown = examples()[0]
    unknown["applicant"]["district"] = "火星区"
    jsonl = population(tmp_path, ("{not json", json.dumps(unknown, ensure_ascii=False)))
    result = run(DRAFT, fixture("radius-500"), "--population", jsonl, "--context", CONTEXT, "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)["population"]
    good = len(examples()) + 3
    assert data["decided"] == good and data["changed"] == 1  # the good lines are all decided
    errors = {e["line"]: e for e in data["errors"]}
    assert errors[good + 1]["code"] == "F001" and errors[good + 1]["side"] == "both"
    assert errors[good + 2]["code"] == "F002" and "火星区" in errors[good + 2]["message"]
    assert "2 bad line(s)" in result.stderr
    text = run(DRAFT, fixture("radius-500"), "--population", jsonl, "--context", CONTEXT)
    assert text.exit_code == 2 and f"line {good + 1}: error[F001]: invalid JSON" in text.output


def test_cli_bad_input_exits_2_without_a_traceback(tmp_path):
    missing = run(DRAFT, tmp_path / "nope.policy")
    assert missing.exit_code == 2 and "no policy file" in missing.stderr
    broken = tmp_path / "broken.policy"
    broken.write_text('plan "x"\nrule 半截 : gate cites 一\n  when\n', encoding="utf-8")
    result = run(DRAFT, broken)
    assert result.exit_code == 2 and f"{broken}:3:7: error[P003]" in result.stderr and "Traceback" not in result.output
    # a plan that parses but fails its check cannot be replayed: its quote is not in the source
    unchecked = FIXTURES / "reworded.policy"
    text = unchecked.read_text(encoding="utf-8").replace("sources/shenyang-2025-reworded.txt", "sources/shenyang-2025-draft.txt")
    moved = tmp_path / "unchecked.policy"
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "shenyang-2025-draft.txt").write_bytes((FIXTURES / "sources" / "shenyang-2025-draft.txt").read_bytes())
    moved.write_text(text, encoding="utf-8")
    assert run(DRAFT, moved).exit_code == 1  # the structural diff only parses
    result = run(DRAFT, moved, "--population", population(tmp_path), "--context", CONTEXT)
    assert result.exit_code == 2 and "C05" in result.stderr
    assert isinstance(result.exception, SystemExit)
    unreadable = run(DRAFT, fixture("radius-500"), "--population", tmp_path / "none.jsonl")
    assert unreadable.exit_code == 2 and "cannot read population file" in unreadable.stderr
