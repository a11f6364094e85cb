"""Both languages: every message has its Chinese translation, and the language is chosen as documented."""
from __future__ import annotations

import inspect
import re

import pytest

import i18n
from dsl.codes import CODES
from dsl.diagnostics import Diagnostic, render
from dsl.spans import NO_SPAN
from i18n import catalogue
from i18n.diagnostics import translate_message


@pytest.fixture(autouse=True)
def english_after():
    """`--lang zh` in a CliRunner run changes this process's language: the next test gets English back."""
    yield
    i18n.activate("en")


@pytest.fixture
def zh():
    i18n.activate("zh")
    yield
    i18n.activate("en")


def test_every_message_has_both_languages():
    # A code added to dsl/codes.py without its translation fails here, naming the code: add its
    # message and help to i18n/locale/zh/LC_MESSAGES/policy.po, then `python -m i18n.catalogue --compile`.
    problems = catalogue.problems()
    assert not problems, "\n".join(problems)


def test_every_code_template_keeps_its_placeholders_in_chinese():
    import re

    translated = {m.id: m.string for m in catalogue.read() if m.id}
    for code in CODES.values():
        for template in code.templates:
            if template in translated:
                assert sorted(re.findall(r"\{[^{}]*\}", template)) == sorted(
                    re.findall(r"\{[^{}]*\}", translated[template])), code.code


@pytest.mark.parametrize("environ, lang", [
    ({}, "en"), ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"), ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"POLICY_LANG": "zh", "LC_ALL": "C"}, "zh"), ({"POLICY_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
])
def test_the_language_follows_policy_lang_then_the_locale(environ, lang):
    assert i18n.from_environment(environ) == lang


def test_lang_option_wins_over_the_environment():
    assert i18n.from_argv(["--lang", "zh", "check"], {"POLICY_LANG": "en"}) == "zh"
    assert i18n.from_argv(["--lang=en"], {"POLICY_LANG": "zh"}) == "en"


def test_a_diagnostic_is_translated_from_its_template_and_keeps_its_code(zh):
    diagnostic = Diagnostic("C010", "unknown name `床位`", NO_SPAN, help="did you mean `床位数`?")
    text = render(diagnostic)
    assert "错误[C010]" in text and "未知名称 `床位`" in text and "是否想写 `床位数`？" in text
    assert translate_message("F002", "applicant.beds: expected a number, got `\"十\"`").startswith("applicant.beds: 应为")


def test_english_is_the_text_as_written():
    i18n.activate("en")
    assert render(Diagnostic("C010", "unknown name `床位`", NO_SPAN)) .endswith("error[C010]: unknown name `床位`")


def test_help_and_clicks_own_words_are_chinese_with_lang_zh():
    import subprocess

    shown = subprocess.run(["policy", "--lang", "zh", "explain", "--help"], capture_output=True, text=True).stdout
    assert "用法：" in shown and "显示本帮助并退出。" in shown and "可归档的案件决定书" in shown
    english = subprocess.run(["policy", "--lang", "en", "explain", "--help"], capture_output=True, text=True).stdout
    assert "Usage:" in english and "Show this message and exit." in english


# ---- every command speaks both languages: its --help and what it prints

def _commands():
    from cli import COMMANDS

    return sorted(COMMANDS)


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# Three English words in a row, outside `code`, paths, option names and codes: a sentence
# left untranslated. (Codes like `spacing_conflict`, ids like SY-T-0001 and file names are kept.)
_KEPT = re.compile(r"`[^`]*`|\S*[/\\.=_<>@\d-]\S*|\b[A-Z][A-Za-z0-9]*\b|\{.*\}|\[[^\]]*\]|\"[^\"]*\"")
_ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?:[ ,;:]+[A-Za-z]{2,}){2,}\b")


def english_left(text: str, kept: tuple[str, ...] = ()) -> list[str]:
    """The lines of `text` that still hold an English phrase once code, paths and `kept` are removed."""
    for piece in sorted(kept, key=len, reverse=True):
        text = text.replace(piece, " ")
    found = []
    for line in text.splitlines():
        bare = _KEPT.sub(" ", line)
        if _ENGLISH.search(bare):
            found.append(line.strip())
    return found


@pytest.mark.parametrize("name", _commands())
def test_every_command_help_is_chinese_under_lang_zh(name):
    from click.testing import CliRunner

    from cli import main

    result = CliRunner().invoke(main, ["--lang", "zh", name, "--help"])
    assert result.exit_code == 0, result.output
    command = main.get_command(None, name)
    # The command's own help and every option's, as click shows them, are the Chinese ones.
    assert command.help and _cjk(command.help), f"`policy {name} --help`: the command's help is not translated"
    for param in command.params:
        if getattr(param, "help", None):
            assert _cjk(param.help), f"`policy {name} --help`: {param.opts[-1]} is not translated: {param.help!r}"
    assert not english_left(result.output.split("\n", 2)[-1]), english_left(result.output)
    # The same objects speak English again in the next run that asks for it.
    english = CliRunner().invoke(main, ["--lang", "en", name, "--help"]).output
    first = inspect.cleandoc(main.get_command(None, name).help).split("\n")[0][:30]
    assert "Usage:" in english and "Show this message and exit." in english and first in english, name


def _readings() -> tuple[str, ...]:
    """The plans' header texts and any reading they give in English only (written by the plans, not by the
    product): a reading with a Chinese text must show that text under --lang zh."""
    from dsl import ast, parse_policy
    from tests.conftest import POLICIES

    found = []
    for path in POLICIES.glob("*.policy"):
        policy = parse_policy(path.read_text(encoding="utf-8"), str(path))
        found += [i.text for i in policy.of_type(ast.Interpretation) if not i.zh]  # zh views show the zh text
        found += [v for header in policy.of_type(ast.PlanHeader) for _k, v in header.fields]
    return tuple(found)


def _summary_runs(tmp_path):
    import shutil

    from tests.conftest import ROOT

    examples = ROOT / "policies" / "examples"
    plan = tmp_path / "plan.policy"
    shutil.copy(ROOT / "policies" / "heze-2026.policy", plan)
    (tmp_path / "untidy.policy").write_text(plan.read_text(encoding="utf-8").replace("\n\n", "\n\n\n", 3), encoding="utf-8")
    record = tmp_path / "record.json"
    one = examples / "heze" / "01-inpatient-county-eligible.json"
    context = str(examples / "heze" / "context-2026.json")
    return [
        (["check", *map(str, sorted((ROOT / "policies").glob("*.policy")))], "通过"),
        (["test", "-v", str(examples / "heze")], "通过"),
        (["fmt", "--check", str(tmp_path / "untidy.policy")], "将重新格式化"),
        (["fmt", str(tmp_path / "untidy.policy")], "已重新格式化"),
        (["coverage", "heze-2026"], "已覆盖"),
        (["quota", "--plan", "heze-2026", "--context", context], "额度"),
        (["quota", "--plan", "heze-2026"], "无法确定"),
        (["allocate", str(examples / "heze" / "round-2026.jsonl"), "--plan", "heze-2026", "--context", context], "区域"),
        (["explain", str(one), "--record", str(record)], None),
        (["explain", str(examples / "shenyang" / "07-pharmacy-spacing-conflict.json"), "--what-if", "--width", "5000"],
         "什么会改变结论"),
        (["verify", str(record)], "相同"),
        (["errors", "X999"], "未知代码"),
    ]


def test_every_command_summary_is_chinese_under_lang_zh(tmp_path):
    from click.testing import CliRunner

    from cli import main

    kept = _readings()
    for args, expected in _summary_runs(tmp_path):
        result = CliRunner().invoke(main, ["--lang", "zh", *args])
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
        if expected is None:
            continue
        assert expected in result.output, (args, result.output[-800:])
        left = english_left(result.output, kept)
        assert not left, f"`policy {' '.join(args)}` under --lang zh still says in English:\n" + "\n".join(left[:5])


# ---- the reports of `diff` (with its population replay), `diff --semantic` and `eval`'s summary

def _diff_runs(tmp_path):
    from tests.conftest import ROOT
    from tests.test_diff import CONTEXT, DRAFT, fixture, population

    from tests.test_diff_undetermined import QUESTIONS, _versions

    (tmp_path / "u").mkdir()
    changed, undecided = _versions(tmp_path / "u")  # no registry: neither version decides a line
    undetermined = (changed, "--population", undecided)
    jsonl = population(tmp_path)
    lines = ["{", "not json"]  # a bad line, so the report's "bad lines" part is shown too
    bad = tmp_path / "with-bad.jsonl"
    bad.write_text(jsonl.read_text(encoding="utf-8") + "\n".join(lines[1:]) + "\n", encoding="utf-8")
    final = (DRAFT, fixture("final"), "--population", bad, "--context", CONTEXT, "--width", "5000")
    return [
        ([DRAFT, fixture("draft-reformatted")], "无变化：两版等价"),
        ([DRAFT, fixture("draft-reformatted"), "--format", "md"], "无变化：两版等价。"),
        ([*final], "判定不同"),
        ([*final, "--format", "md"], "影响到谁"),
        ([QUESTIONS, *undetermined, "--width", "5000"], "未作出任何决定"),
        ([QUESTIONS, *undetermined, "--format", "md"], "未作出任何决定"),
        ([DRAFT, fixture("radius-500"), "--semantic", "--witness-dir", tmp_path / "w"], "更宽"),
    ], ROOT


def _plan_texts(*paths) -> tuple[str, ...]:
    """What the plans themselves write (articles, readings, rules as source), kept in their language."""
    found = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            found += [piece for piece in (line.strip(), *line.split('"')) if len(piece) > 3]
    return tuple(found)


def test_diff_reports_are_chinese_under_lang_zh(tmp_path):
    from click.testing import CliRunner

    from cli import main
    from tests.test_diff import DRAFT, fixture

    runs, _root = _diff_runs(tmp_path)
    from tests.test_diff_undetermined import QUESTIONS

    # `policy explain …` is a command line to run, the same in both languages.
    kept = _readings() + _plan_texts(DRAFT, QUESTIONS, *(fixture(n) for n in ("final", "radius-500"))) + ("policy explain",)
    for args, expected in runs:
        args = [str(a) for a in args]
        result = CliRunner().invoke(main, ["--lang", "zh", "diff", *args])
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
        assert expected in result.output, (args, result.output[-800:])
        # Witnesses are facts as JSON, a rule shown whole is the plan's source, and a line marking
        # an edit ([-old-]{+new+}, <del>/<ins>) shows the plan's own wording: all kept as written.
        shown = "\n".join(line for line in result.output.splitlines()
                          if not line.lstrip().startswith(("实例：", "{"))
                          and not any(mark in line for mark in ("[-", "{+", "<del>", "<ins>")))
        left = english_left(shown, kept)
        assert not left, f"`policy diff {' '.join(args)}` under --lang zh still says in English:\n" + "\n".join(left[:5])


def test_diff_json_is_the_same_in_both_languages(tmp_path):
    from click.testing import CliRunner

    from cli import main
    from tests.test_diff import CONTEXT, DRAFT, fixture, population

    args = ["diff", str(DRAFT), str(fixture("final")), "--population", str(population(tmp_path)),
            "--context", str(CONTEXT), "--format", "json"]
    english = CliRunner().invoke(main, ["--lang", "en", *args]).output
    assert CliRunner().invoke(main, ["--lang", "zh", *args]).output == english


def test_eval_summary_is_chinese_under_lang_zh(tmp_path):
    from click.testing import CliRunner

    from cli import main
    from tests.test_diff import CONTEXT, population

    result = CliRunner().invoke(main, ["--lang", "zh", "eval", str(population(tmp_path)), "--plan", "shenyang-2025-draft",
                                       "--context", str(CONTEXT), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code in (0, 2), result.output
    summary = result.output.strip().splitlines()[-1]
    assert summary.startswith("共 ") and "行" in summary, summary
    assert not english_left(summary), summary


def test_test_differences_are_chinese_under_lang_zh(tmp_path):
    import json

    from click.testing import CliRunner

    from cli import main
    from tests.conftest import ROOT

    examples = ROOT / "policies" / "examples" / "heze"
    data = json.loads((examples / "01-inpatient-county-eligible.json").read_text(encoding="utf-8"))
    data["context"] = str(examples / data["context"]) if "context" in data else None
    data["expect"] = {"outcome": "excluded", "rule": "no-such-rule", "values": {"no_such_value": 1},
                      "missing": ["applicant.x"]}
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False), encoding="utf-8")
    english = CliRunner().invoke(main, ["--lang", "en", "test", str(wrong)]).output
    assert "outcome: expected `excluded`, got `" in english and "but it was not computed" in english, english
    result = CliRunner().invoke(main, ["--lang", "zh", "test", str(wrong)])
    assert "outcome：应为 `excluded`，实际为 `" in result.output and "但未计算出该值" in result.output, result.output
    assert not english_left(result.output), english_left(result.output)


def test_expected_round_differences_are_chinese_under_lang_zh(tmp_path):
    import json
    import shutil

    from click.testing import CliRunner

    from cli import main
    from tests.conftest import ROOT

    examples = ROOT / "policies" / "examples" / "heze"
    expected = json.loads((examples / "round-2026.expected.json").read_text(encoding="utf-8"))
    for name in (expected["round"], expected.get("context")):
        if name:
            shutil.copy(examples / name, tmp_path / name)
    expected["quotas"][0]["quota"] = -1
    expected["quotas"].append({"region": "无此区", "category": "inpatient"})
    expected["allocation"][0]["rank"] = 99
    expected["allocation"].append({"applicant": "NO-SUCH-ID"})
    wrong = tmp_path / "round-2026.expected.json"
    wrong.write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
    english = CliRunner().invoke(main, ["--lang", "en", "test", str(wrong)]).output
    assert "no such row" in english and "not in the round" in english and ", expected 99" in english, english
    result = CliRunner().invoke(main, ["--lang", "zh", "test", str(wrong)])
    assert result.exit_code == 1, result.output
    assert "无此行" in result.output and "NO-SUCH-ID：不在本轮名单中" in result.output and "应为 99" in result.output
    assert not english_left(result.output), english_left(result.output)


def test_unreadable_facts_are_said_in_chinese_under_lang_zh(tmp_path):
    # The reasons the system and the JSON reader give (no such file, extra data) are translated
    # inside the message, and the help is the catalogue's, with no English left in brackets.
    from click.testing import CliRunner

    from cli import main

    extra = tmp_path / "extra.json"
    extra.write_text('{"a": 1}{', encoding="utf-8")
    for path, words in ((tmp_path / "nosuch.json", "无法读取事实文件"), (extra, "多余内容")):
        result = CliRunner().invoke(main, ["--lang", "zh", "explain", str(path)])
        assert result.exit_code == 2 and words in result.output, result.output
        assert not re.search(r"[A-Za-z]{3}", result.output.replace(str(path), "").replace("JSON", "")), result.output


def test_a_warning_quoted_in_a_zh_case_document_is_in_chinese(tmp_path):
    from click.testing import CliRunner

    from cli import main

    facts = tmp_path / "warned.json"
    facts.write_text('{"as_of": "2026-06-01", "applicant": {"id": "A1", "category": "inpatient", "district": "铁西区", '
                     '"colour": "red"}}', encoding="utf-8")
    result = CliRunner().invoke(main, ["--lang", "zh", "explain", str(facts), "--plan", "shenyang-2025-draft",
                                       "--format", "md"])
    warned = [line for line in result.stdout.splitlines() if "F008" in line]
    assert warned and all("警告[F008]" in line and "warning[" not in line for line in warned), warned
