"""The case document in a real browser: headless Chromium loads the page and shows the outcome,
the article and the map (render/browser.py). Skipped, with the reason, where no Chromium is
installed (.ci/run installs Debian's chromium and fonts-noto-cjk when it can)."""
from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import ROOT

from render import browser

pytestmark = pytest.mark.skipif(browser.chromium() is None,
                                reason="no chromium on PATH (apt-get install chromium fonts-noto-cjk)")

EXAMPLES = ROOT / "policies" / "examples"


def _page(tmp_path, example: str, lang: str) -> str:
    page = tmp_path / f"case-{lang}.html"
    html = subprocess.run(["policy", "--lang", lang, "explain", str(EXAMPLES / example), "--format", "html"],
                          capture_output=True, text=True, check=True).stdout
    page.write_text(html, encoding="utf-8")
    return browser.dump_dom(page)


def _text(dom: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(div|blockquote|p|figure)>', dom, re.S)
    assert match, f"no #{element_id} in the page the browser built"
    return re.sub(r"<[^>]+>", "", match.group(1))


def test_the_browser_shows_the_outcome_the_article_and_the_map_in_chinese(tmp_path):
    dom = _page(tmp_path, "shenyang/11-pharmacy-registry-spacing-conflict.json", "zh")
    assert "服务半径内已有同类型定点机构" in _text(dom, "outcome") and "spacing_conflict" in _text(dom, "outcome")
    assert "条款三" in _text(dom, "article") and "服务半径800米范围内没有同类型定点机构" in _text(dom, "article")
    figure = re.search(r'id="map">(.*?)</figure>', dom, re.S).group(1)
    assert 'class="radius"' in figure and 'class="applicant"' in figure and 'class="neighbour"' in figure
    assert "老百姓大药房(沈阳中街店)" in figure and "362.6 米" in figure and "半径 800 米" in figure


def test_the_browser_shows_the_english_document(tmp_path):
    dom = _page(tmp_path, "shenyang/06-excluded-staffing.json", "en")
    assert "not admitted" in _text(dom, "outcome") and "Article 三（五）" in _text(dom, "article")
    assert "人员满足条件" in dom and "applicant.conditions.staffing" not in dom  # the plan's label, not the path


def test_a_screenshot_is_drawn(tmp_path):
    page = tmp_path / "case.html"
    page.write_text(subprocess.run(["policy", "--lang", "zh", "explain", str(EXAMPLES / "heze/01-inpatient-county-eligible.json"),
                                    "--format", "html"], capture_output=True, text=True, check=True).stdout, encoding="utf-8")
    png = browser.screenshot(page, tmp_path / "case.png", 800, 1200)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_the_population_report_charts_the_outcomes(tmp_path):
    out, report = tmp_path / "out.jsonl", tmp_path / "report.html"
    subprocess.run(["policy", "--lang", "zh", "eval", "--plan", "shenyang-2025-draft", "--context",
                    str(EXAMPLES / "shenyang/context-2026.json"), str(ROOT / "tests/fixtures/diff/applicants.jsonl"),
                    "-o", str(out), "--report", str(report)], capture_output=True, check=True)
    dom = browser.dump_dom(report)
    chart = re.search(r'<svg class="chart"[^>]*aria-label="各结论的数量">(.*?)</svg>', dom, re.S).group(1)
    decided = [line for line in out.read_text(encoding="utf-8").splitlines() if '"outcome": "eligible"' in line]
    assert "可以纳入（eligible）" in chart and f">{len(decided)}</text>" in chart


def test_explain_format_pdf_is_an_a4_document():
    from click.testing import CliRunner

    import i18n
    from cli import main

    try:
        result = CliRunner().invoke(main, ["--lang", "zh", "explain", "--format", "pdf",
                                           str(EXAMPLES / "shenyang" / "trial" / "04-terminated.json")])
    finally:
        i18n.activate("en")
    assert result.exit_code == 0, result.stderr
    pdf = result.stdout_bytes
    assert pdf.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert boxes, "no page in the PDF"
    for width, height in boxes:  # A4 is 595.28 x 841.89 points; Chromium rounds to its pixel grid
        assert abs(float(width) - 595.28) < 1.5 and abs(float(height) - 841.89) < 1.5, (width, height)
