"""The Pygments lexer, found as Pygments finds it: through the `pygments.lexers` entry point."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from pygments.lexers import find_lexer_class_for_filename, get_lexer_by_name
from pygments.token import Comment, Error, Keyword, Name, Number, String

from dsl.clauses import article_of

ROOT = Path(__file__).resolve().parent.parent
PLANS = sorted((ROOT / "policies").glob("*.policy"))


def test_the_entry_point_names_the_lexer():
    (found,) = [ep for ep in entry_points(group="pygments.lexers") if ep.name == "policy"]
    from editor.highlight import PolicyLexer

    assert found.load() is PolicyLexer
    assert type(get_lexer_by_name("policy")) is PolicyLexer
    assert find_lexer_class_for_filename("heze-2026.policy") is PolicyLexer


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.name)
def test_every_token_of_a_shipped_plan(plan: Path):
    text = plan.read_text(encoding="utf-8")
    tokens = list(get_lexer_by_name("policy").get_tokens(text))
    assert "".join(value for _, value in tokens) == text  # nothing lost, nothing added
    assert not [value for kind, value in tokens if kind in Error]
    kinds = {}
    for kind, value in tokens:
        kinds.setdefault(value.strip(), kind)
    assert kinds["rule"] in Keyword.Declaration and kinds["cites"] in Keyword
    assert kinds["gate"] in Keyword.Type and kinds["paused"] in Name.Constant
    assert kinds["800"] in Number and kinds["结语"] is Name.Label
    assert any(kind in Comment for kind, _ in tokens) and any(kind in String for kind, _ in tokens)
    cited = {article_of(value) for kind, value in tokens if kind is Name.Label}  # 二（二）第1句: of 二（二）
    assert cited == set(re.findall(r"^article (\S+)", text, re.MULTILINE))  # each article id, as an article


def test_pygmentize_l_policy():
    pygmentize = shutil.which("pygmentize", path=str(Path(sys.executable).parent))
    assert pygmentize, "pygmentize is installed with pygments"
    html = subprocess.run([pygmentize, "-l", "policy", "-f", "html", str(ROOT / "policies" / "heze-2026.policy")],
                          capture_output=True, text=True, check=True).stdout
    assert '<span class="kd">rule</span>' in html and '<span class="nl">二（一）1</span>' in html


def test_the_docs_code_blocks_are_tagged_policy():
    keyword = re.compile(r"(plan|article|interpretation|enum|zones|registry|input|define|rule|decision) ")  # a keyword, not `registry.csv:1:1: …`
    lexer = get_lexer_by_name("policy")
    tagged = 0
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        blocks = re.findall(r"^```(\w*)\n(.*?)^```", doc.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
        for tag, body in blocks:
            if keyword.match(body):
                assert tag == "policy", f"{doc.name}: a block of policy text is tagged `{tag}`"
            if tag == "policy":
                tagged += 1
                assert not [v for k, v in lexer.get_tokens(body) if k in Error]
    assert tagged


def test_the_textmate_grammar_is_the_lexers_word_lists():
    from editor.textmate import text

    committed = ROOT / "editors" / "vscode" / "syntaxes" / "policy.tmLanguage.json"
    assert committed.read_text(encoding="utf-8") == text(), "regenerate: python -m editor.textmate > " + str(committed)


def test_the_vscode_extension_starts_policy_lsp():
    import json

    folder = ROOT / "editors" / "vscode"
    manifest = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    assert manifest["contributes"]["languages"][0]["extensions"] == [".policy"]
    assert manifest["contributes"]["grammars"][0]["path"] == "./syntaxes/policy.tmLanguage.json"
    assert manifest["contributes"]["configuration"]["properties"]["policy.server.command"]["default"] == ["policy", "lsp"]
    assert "vsce package" in manifest["scripts"]["package"]
    json.loads((folder / "language-configuration.json").read_text(encoding="utf-8"))
    assert (folder / manifest["main"]).is_file()


def test_the_textmate_grammar_in_vscode_textmate():
    """The grammar as VS Code runs it, when the extension's npm packages are installed."""
    folder = ROOT / "editors" / "vscode"
    node = shutil.which("node")
    if node is None or not (folder / "node_modules" / "vscode-textmate").is_dir():
        pytest.skip("needs node and `npm install` in editors/vscode")
    result = subprocess.run([node, "test/grammar.test.js"], cwd=folder, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "articles labelled" in result.stdout
