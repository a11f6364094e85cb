"""The TextMate grammar of `.policy` (editors/vscode/syntaxes/policy.tmLanguage.json), built from
the word lists of the Pygments lexer so the two highlighters never disagree on a keyword.

    python -m editor.textmate > editors/vscode/syntaxes/policy.tmLanguage.json

tests/test_highlight.py checks the committed file is what this prints.
"""
from __future__ import annotations

import json

from .highlight import CLAUSES, FUNCTIONS, ITEMS, KINDS, OUTCOMES, PLAN_KEYS, TYPES

_NAME = r"[A-Za-z_\x{4e00}-\x{9fff}][A-Za-z0-9_\x{4e00}-\x{9fff}]*"
_ARTICLE = r"[\x{3007}\x{4e00}-\x{9fff}（）()0-9.]+"
_END = r"(?![A-Za-z0-9_\x{4e00}-\x{9fff}])"


def _words(words) -> str:
    return r"(?<![A-Za-z0-9_\x{4e00}-\x{9fff}])(?:" + "|".join(words) + ")" + _END


def grammar() -> dict:
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "Policy",
        "scopeName": "source.policy",
        "fileTypes": ["policy"],
        "patterns": [{"include": "#comment"}, {"include": "#string"}, {"include": "#article"},
                     {"include": "#declaration"}, {"include": "#cites"}, {"include": "#kind"},
                     {"include": "#keywords"}, {"include": "#literals"}, {"include": "#operators"}],
        "repository": {
            "comment": {"name": "comment.line.number-sign.policy", "match": "#.*$"},
            "string": {"name": "string.quoted.double.policy", "begin": '"', "end": '"|$',
                       "patterns": [{"name": "constant.character.escape.policy", "match": r"\\."}]},
            "article": {"match": r"\b(article|interpretation)\s+(" + _ARTICLE + ")",
                        "captures": {"1": {"name": "keyword.declaration.policy"},
                                     "2": {"name": "entity.name.label.article.policy"}}},
            "declaration": {"match": r"\b(define|rule|decision|enum|zones|registry|population)\s+(" + _NAME + ")",
                            "captures": {"1": {"name": "keyword.declaration.policy"},
                                         "2": {"name": "entity.name.function.policy"}}},
            "cites": {"begin": r"\bcites" + _END, "beginCaptures": {"0": {"name": "keyword.other.cites.policy"}},
                      "end": r"(?=[^\s,\x{3007}\x{4e00}-\x{9fff}（）()0-9.])|$",
                      "patterns": [{"name": "entity.name.label.article.policy", "match": _ARTICLE},
                                   {"name": "punctuation.separator.policy", "match": ","}]},
            "kind": {"match": r"(:)\s*(" + "|".join(KINDS) + ")" + _END,
                     "captures": {"1": {"name": "punctuation.separator.policy"},
                                  "2": {"name": "storage.type.rule-kind.policy"}}},
            "keywords": {"patterns": [
                {"name": "keyword.declaration.policy", "match": _words(ITEMS)},
                {"name": "keyword.control.policy", "match": _words(CLAUSES)},
                {"name": "variable.other.property.policy", "match": _words(PLAN_KEYS)},
                {"name": "constant.language.boolean.policy", "match": _words(("true", "false"))},
                {"name": "storage.type.policy", "match": _words(TYPES)},
                {"name": "constant.other.outcome.policy", "match": _words(OUTCOMES)},
                {"name": "support.function.policy", "match": _words(FUNCTIONS) + r"(?=\s*\()"},
            ]},
            "literals": {"patterns": [
                {"name": "constant.numeric.date.policy", "match": r"\b\d{4}-\d{2}-\d{2}\b"},
                {"name": "constant.numeric.percent.policy", "match": r"\b\d+(\.\d+)?%"},
                {"name": "constant.numeric.policy", "match": r"\b\d+(_\d{3})*(\.\d+)?([eE][+-]?\d+)?"},
            ]},
            "operators": {"name": "keyword.operator.policy", "match": r"<=|>=|!=|[<>=+\-*/×÷]"},
        },
    }


def text() -> str:
    return json.dumps(grammar(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    print(text(), end="")
