"""A Pygments lexer for `.policy` files: `pygmentize -l policy`, Sphinx and MkDocs code blocks.

Registered as the `pygments.lexers` entry point `policy` (pyproject.toml). It follows
dsl/grammar.lark: article ids and names share characters, so an article id is recognised by
where it stands (after `article`, `interpretation`, `cites` and in a `cites` list), as the
grammar's contextual lexer does. editors/vscode/syntaxes/policy.tmLanguage.json is the same
reading for TextMate editors; keep the two together.
"""
from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, include, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text, Whitespace

ITEMS = ("plan", "article", "interpretation", "enum", "zones", "set", "registry", "input", "define", "population", "rule",
         "decision", "quota", "ranking")
CLAUSES = ("cites", "when", "then", "with", "as", "of", "precedence", "notes", "otherwise", "outcomes", "over",
           "same_type", "categories", "per", "unit", "counts", "none", "review", "split", "by", "ties", "if", "else", "for",
           "in", "not", "and", "or", "sum", "list", "map", "operative", "informative", "deferred", "zh")
PLAN_KEYS = ("title", "version", "issuer", "status", "issued", "effective", "draft", "source", "sha256", "extends", "cite_as")
TYPES = ("bool", "text", "date", "number", "count", "year", "fraction", "money", "metres")
KINDS = ("gate", "exemption", "exclusion", "spacing", "ratio", "admission", "referral", "priority", "status",
         "qualification", "steering")
OUTCOMES = ("eligible", "exempt", "paused", "excluded", "spacing_conflict", "needs_approval", "needs_review",
            "qualified", "not_qualified", "undetermined", "priority", "shrink", "grow")
FUNCTIONS = ("floor", "ceil", "round", "abs", "min", "max", "first_known", "nearest", "count_within", "count_all", "known", "any",
             "all", "count", "share", "rank", "percentile")

_NAME = r"[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff]*"
_ARTICLE = r"[\u3007\u4e00-\u9fff（）()0-9.]+"
_END = r"(?![A-Za-z0-9_\u4e00-\u9fff])"


class PolicyLexer(RegexLexer):
    name = "Policy"
    aliases = ["policy"]
    filenames = ["*.policy"]
    mimetypes = ["text/x-policy"]
    url = "https://github.com/"  # the project has no public page yet

    tokens = {
        "common": [
            (r"\s+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"(\\.|[^"\\\n])*"', String.Double),
        ],
        "root": [
            include("common"),
            (r"(article|interpretation)(\s+)(" + _ARTICLE + ")",
             bygroups(Keyword.Declaration, Whitespace, Name.Label)),
            (r"(define|rule|decision|enum|zones|set|registry|population|quota|ranking)(\s+)(" + _NAME + ")",
             bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            (words(ITEMS, suffix=_END), Keyword.Declaration),
            (r"cites" + _END, Keyword, "cites"),
            (r"(:)(\s*)(" + "|".join(KINDS) + ")" + _END, bygroups(Punctuation, Whitespace, Keyword.Type)),
            (words(PLAN_KEYS, suffix=_END), Name.Attribute),
            (words(CLAUSES, suffix=_END), Keyword),
            (words(("true", "false"), suffix=_END), Keyword.Constant),
            (words(TYPES, suffix=_END), Keyword.Type),
            (words(OUTCOMES, suffix=_END), Name.Constant),
            (words(FUNCTIONS, suffix=r"(?=\s*\()"), Name.Builtin),
            (r"\d{4}-\d{2}-\d{2}", Number.Other),
            (r"\d+(\.\d+)?%", Number.Float),
            (r"\d+(_\d{3})*(\.\d+)?([eE][+-]?\d+)?", Number),
            (_NAME, Name),
            (r"<=|>=|!=|[<>=+\-*/×÷]", Operator),
            (r"[{}()\[\],.:]", Punctuation),
            (r".", Text),  # anything the grammar refuses: shown, never an error token
        ],
        "cites": [
            (r"[ \t]+", Whitespace),
            (_ARTICLE, Name.Label),
            (r"(\s*)(,)(\s*)", bygroups(Whitespace, Punctuation, Whitespace)),
            (r"", Text, "#pop"),
        ],
    }
