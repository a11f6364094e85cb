"""The case document of every shipped example, as a Chinese-only and an English-only reader files it."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import i18n
from engine.facts.case import choose_decision
from engine.run.compiled import explain
from engine.facts.fastcase import FastWorkspace
from render.case import build_case
from render.case_formats import case_document
from render.units import metres, money, percent, quantity
from render.wrap import NO_END, NO_START, wrap

from tests.conftest import POLICIES

EXAMPLES = sorted(p for p in (POLICIES / "examples").glob("*/*.json")
                  if "applicant" in json.loads(p.read_text(encoding="utf-8")))


@pytest.fixture
def zh():
    i18n.activate("zh")
    yield
    i18n.activate("en")


def _document(path: Path, fmt: str = "doc") -> tuple[str, object]:
    case = FastWorkspace(None, None, None).open_case_file(str(path))
    # the decision the file asks for (`"decision": "双通道"`), as `policy explain` takes it
    result = explain(case.plan, case.facts, choose_decision(case.plan, None, case.facts), registry=case.registry)
    return case_document(result, case, fmt, 100), build_case(result, case.plan, case.facts, case.registry)


def _outside_plan_text(doc, text: str) -> str:
    """The document without what the plan itself says (articles, readings, reasons, names)."""
    for quote in doc.quotes:
        text = text.replace(quote.text, "")
        for reading in quote.readings:
            text = text.replace(reading, "")
    return text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_example_files_in_chinese(zh, path):
    text, doc = _document(path)
    own = _outside_plan_text(doc, _document(path, "md")[0])  # unwrapped, so the plan's own text can be taken out
    assert not re.search(r"\b(applicant|city)\.[a-z_]+", own), "a JSON path where the plan declares a label"
    assert not re.search(r"--[a-z]", own) and not re.search(r"\bline \d+", own)  # no CLI advice, no line numbers
    for line in doc.header + doc.footer:  # every label of the product is Chinese
        assert not re.fullmatch(r"[A-Za-z ]+", line.label), line.label
    assert doc.outcome_words != doc.outcome and doc.outcome in text
    assert all(w not in own for w in ("does not apply", "decided", "outcome", "Why"))
    for line in text.splitlines():  # the document as wrapped at 100 columns
        assert line.strip()[:1] not in NO_START and line.rstrip()[-1:] not in NO_END, line
    assert "申请类别 · 申请类别" not in text


@pytest.mark.parametrize("path", EXAMPLES[:3], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_english_document_says_the_same_in_english(path):
    text, doc = _document(path)
    assert "outcome: " in text and "Audit record" in text and "plan sha256" in text
    assert doc.outcome in text


def test_one_function_per_unit(zh):
    assert metres(800) == "800 米" and metres(362.5528) == "362.6 米"
    assert money(27_142_857_142.857142) == "27,142,857,142.86 元"
    assert percent(0.5) == "50%" and quantity(1200) == "1,200" and quantity(36000) == "36,000"
    from engine.compile.types import NumT, make_unit

    assert quantity(6.4625, NumT(make_unit("bed", "person")), "医保千人床位数") == "6.4625 张/千人"


def test_chinese_wrapping_never_starts_a_line_with_closing_punctuation():
    text = "（三）个人账户定点医疗机构、定点零售药店配置。全面实施总量控制、动态调整、择优纳入，“新增”个人账户定点医疗机构。"
    for columns in range(12, 40):
        for line in wrap(text, columns):
            assert line[:1] not in NO_START and line[-1:] not in NO_END, (columns, line)


def _explain(*args: str, lang: str = "en") -> str:
    from click.testing import CliRunner

    from cli import main

    try:
        result = CliRunner().invoke(main, ["--lang", lang, "explain", *args])
    finally:
        i18n.activate("en")
    assert result.exit_code == 0, result.output
    return result.output


def _zh(*args: str) -> str:
    return _explain(*args, lang="zh")


SPACING = str(POLICIES / "examples" / "shenyang" / "07-pharmacy-spacing-conflict.json")


@pytest.mark.parametrize("fmt", ["doc", "md", "html"])
def test_what_would_change_the_outcome_is_a_section_of_the_case_document(fmt):
    zh_text = _zh(SPACING, "--what-if", "--format", fmt)
    # The decisive 800 m rule: the fact by its label, the exact bound with its unit, the outcome in words.
    assert "什么会改变结论" in zh_text and "什么会推翻起决定作用的规则 服务半径800米" in zh_text
    assert "须超过800米（不含800米），例如800.1米；结论即为可以纳入（eligible）" in re.sub(r"\s", "", zh_text)
    english = _explain(SPACING, "--what-if", "--format", fmt)
    assert "What would change the outcome" in english and "什么会改变结论" not in english
    assert ("more than 800 m (not 800 m itself), for example 800.1 m; the outcome would then be may be admitted "
            "(eligible)") in re.sub(r"\s+", " ", english)
    assert "什么会改变结论" not in _zh(SPACING, "--format", fmt)  # only when asked


def test_the_document_says_when_the_engine_cannot_say_and_what_is_still_needed():
    terminated = str(POLICIES / "examples" / "shenyang" / "trial" / "04-terminated.json")
    assert "引擎无法说明什么会改变这一结论" in _zh(terminated, "--what-if", "--format", "md")
    assert "The engine cannot say what would change this outcome" in _explain(terminated, "--what-if", "--format", "md")
    undetermined = str(POLICIES / "examples" / "heze" / "11-pharmacy-undetermined.json")
    text = _zh(undetermined, "--what-if", "--format", "md")
    assert "仍需的事实（按应询问的顺序）" in text and "1. 最近同类型定点机构距离：知道它即可确定结论" in text


def test_the_screenshots_in_docs_show_every_outcome_the_examples_give():
    # docs/case-documents.md's table and its PNGs come from `python -m render.case_gallery`: an outcome
    # the examples give without its screenshot (a new decision, a new example) fails here.
    from render.case_gallery import ENGLISH, one_per_outcome

    docs = POLICIES.parent / "docs"
    table = (docs / "case-documents.md").read_text(encoding="utf-8")
    for outcome in one_per_outcome():
        for lang in ("zh", "en") if outcome in ENGLISH else ("zh",):
            shot = f"case-documents/{outcome}-{lang}.png"
            assert shot in table and (docs / shot).is_file(), f"no screenshot of {outcome} ({lang}): run the gallery"
