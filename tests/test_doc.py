"""`policy doc`: the site of each shipped plan, navigated from article to rule and back."""
from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from click.testing import CliRunner

from cli import main
from dsl.clauses import article_of
from engine import compile_plan

ROOT = Path(__file__).resolve().parent.parent
PLANS = sorted((ROOT / "policies").glob("*.policy"))


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("id"):
            self.ids.add(attrs["id"])

    def handle_data(self, data):
        self.text.append(data)


def _read(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _site(plan: Path, out: Path) -> dict[str, _Page]:
    result = CliRunner().invoke(main, ["doc", str(plan), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "index.html" in result.output
    return {p.name: _read(p) for p in out.glob("*.html")}


def _targets(name: str, page: _Page) -> set[str]:
    return {unquote(urlsplit(h).path) for h in page.links if not urlsplit(h).scheme}


@pytest.mark.parametrize("plan_path", PLANS, ids=lambda p: p.stem)
def test_every_article_has_a_page_linking_to_its_rules_and_back(plan_path: Path, tmp_path: Path):
    out = tmp_path
    site = _site(plan_path, out)
    plan = compile_plan(plan_path)
    for article_id in plan.articles:
        assert f"article-{article_id}.html" in site
    citing = 0
    for name, rule in plan.rules.items():
        rule_page = site[f"rule-{name}.html"]
        for article_id in map(article_of, rule.cites):  # a sentence cited alone links to its article
            citing += 1
            assert f"article-{article_id}.html" in _targets(name, rule_page)  # rule -> article
            assert f"rule-{name}.html" in _targets(article_id, site[f"article-{article_id}.html"])  # and back
    assert citing
    for name in plan.rules:  # the names in a rule's code link to the definitions it reads
        html = (out / f"rule-{name}.html").read_text(encoding="utf-8")
        block = html[html.index('<div class="highlight">'):]
        block = block[:block.index("</div>")]
        for node in plan.graph.predecessors(f"rule:{name}"):
            if node.startswith("define:"):
                assert f'href="{quote(node.replace(":", "-", 1))}.html"' in block, (name, node)
    for name, define in plan.defines.items():
        page = site[f"define-{name}.html"]
        assert {f"article-{article_of(a)}.html" for a in define.cites} <= _targets(name, page)
        dependents = [n.split(":", 1)[1] for n in plan.graph.successors(f"define:{name}") if n.startswith("define:")]
        assert {f"define-{d}.html" for d in dependents} <= _targets(name, page)
    for name, decision in plan.decisions.items():
        text = "".join(site[f"decision-{name}.html"].text)
        ranks = [text.index(rule) for rule in decision.precedence]
        assert ranks == sorted(ranks)  # the precedence, in its order


@pytest.mark.parametrize("plan_path", PLANS, ids=lambda p: p.stem)
def test_every_link_resolves(plan_path: Path, tmp_path: Path):
    site = _site(plan_path, tmp_path)
    checked = 0
    for name, page in site.items():
        for link in page.links:
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc, f"{name} links outside the site: {link}"
            target = unquote(parts.path) or name
            assert target in site or (tmp_path / target).is_file(), f"{name}: broken link {link}"
            if parts.fragment and target.endswith(".html"):
                ids = site[target].ids
                assert parts.fragment in ids or unquote(parts.fragment) in ids, f"{name}: no anchor {link}"
            checked += 1
    assert checked
    ElementTree.parse(tmp_path / "graph.svg")  # the picture is well-formed SVG


@pytest.mark.parametrize("plan_path", PLANS, ids=lambda p: p.stem)
def test_the_examples_with_their_outcomes(plan_path: Path, tmp_path: Path):
    site = _site(plan_path, tmp_path)
    plan = compile_plan(plan_path)
    text = " ".join(site["examples.html"].text)
    shown = 0
    for path in sorted((plan_path.parent / "examples").glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("plan") != plan.stamp.id or "applicant" not in data:  # contexts, expected rounds
            assert path.name not in text
            continue
        shown += 1
        assert str(path.relative_to(plan_path.parent)) in text
        record = tmp_path / ("example-" + str(path.relative_to(plan_path.parent / "examples")).replace("/", "--")
                             .removesuffix(".json") + ".html")
        assert f'o-{data["expect"]["outcome"]}' in record.read_text(encoding="utf-8")  # its case record
        expected = data.get("expect", {})
        if expected.get("rule") and expected["rule"] != "otherwise":  # the decision's otherwise has no rule page
            assert f"rule-{expected['rule']}.html" in _targets("examples", site["examples.html"])
    assert shown and "expected " not in text.replace("as expected", "")  # every outcome as the file expects


def test_every_text_is_escaped(tmp_path: Path):
    folder = tmp_path / "plan"
    shutil.copytree(ROOT / "policies" / "sources", folder / "sources")
    shutil.copytree(ROOT / "policies" / "examples" / "heze", folder / "examples" / "heze")  # their records too
    text = (ROOT / "policies" / "heze-2026.policy").read_text(encoding="utf-8")
    text = text.replace('then exempt "不受本规划限制，可按规定纳入医保定点评估范围"',
                        'then exempt "<script>alert(1)</script> & \\"quoted\\""', 1)
    text = text.replace("interpretation 结语\n", 'interpretation 结语\n  "<img src=x onerror=alert(2)>"\n', 1)
    (folder / "heze.policy").write_text(text, encoding="utf-8")
    _site(folder / "heze.policy", tmp_path / "site")
    pages = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "site").iterdir()}
    assert not [n for n, page in pages.items() if "<script" in page or "<img" in page]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; " in pages["rule-省市重点建设项目.html"]
    assert "&lt;img src=x onerror=alert(2)&gt;" in pages["article-结语.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["example-heze--07-key-project-exempt.html"]


def test_a_plan_that_does_not_check_writes_nothing(tmp_path: Path):
    bad = tmp_path / "bad.policy"
    bad.write_text('plan "bad"\ndefine x = y\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["doc", str(bad), "-o", str(tmp_path / "site")])
    assert result.exit_code == 2 and "unknown name `y`" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "site").exists()
    result = CliRunner().invoke(main, ["doc", "no-such-plan", "-o", str(tmp_path / "site")])
    assert result.exit_code == 2 and "unknown plan `no-such-plan`" in result.output
