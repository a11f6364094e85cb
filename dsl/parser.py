"""Text -> AST. The only module that sees lark: no lark Tree or Token leaves it.

The LALR parser builds lark's parse tree, `check_nesting` bounds its depth, `_ToAst` turns it
into the AST in one walk, and every syntax error, whatever lark raised, becomes one `Diagnostic` with the place, the
expected tokens in words and a hint.
"""
from __future__ import annotations

import re
from dsl.dataclass_cache import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput, VisitError

from . import ast
from .clauses import normalize_clause
from .diagnostics import Diagnostic, PolicyError
from .limits import check_nesting, check_text_limits
from .spans import Source, Span
from .syntax_errors import syntax_diagnostic

GRAMMAR = Path(__file__).with_name("grammar.lark")


def _span_of(source: Source, item) -> Span:
    if isinstance(item, Token):
        return Span(source, item.line, item.column, item.end_line or item.line, item.end_column or item.column + 1)
    meta = getattr(item, "meta", item)
    if getattr(meta, "empty", True):
        return Span(source)
    return Span(source, meta.line, meta.column, meta.end_line, meta.end_column)


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unquote(token: str) -> str:
    """A STRING token's text: the quotes off, the escapes read (the formatter needs it too)."""
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), token[1:-1])


_unquote = unquote  # this module's own short name, kept so its many transformer calls read as before


def normalize_article_id(raw: str) -> str:
    """Article ids compare in the source's own full-width form: 三(一) == 三（一）; a sentence of
    one in Arabic digits: 二（二）第二句 == 二（二）第2句 (dsl/clauses.py)."""
    return normalize_clause(raw.replace("(", "（").replace(")", "）"))


class _ToAst:
    """The parse tree -> the AST, bottom up: each rule's method gets the rule's place (`meta`)
    and its children already built. What lark's `Transformer` with `v_args(meta=True)` does,
    without its per-node wrapper objects (a third of a large plan's tree building): a rule
    without a method stays a `Tree` of its built children, tokens pass as they are, and an
    exception in a method comes out as lark's `VisitError`. One Python frame per level of the
    tree (`check_nesting` bounds the levels first)."""

    def __init__(self, source: Source):
        self.source = source
        self._methods: dict = {}

    def transform(self, tree):
        data = tree.data
        method = self._methods.get(data)
        if method is None:
            method = self._methods[data] = getattr(self, data, None) or self._default(data)
        children = []
        for child in tree.children:
            children.append(self.transform(child) if isinstance(child, Tree) else child)
        try:
            return method(tree.meta, children)
        except Exception as error:
            raise VisitError(data, tree, error) from error

    @staticmethod
    def _default(data):
        return lambda meta, children: Tree(data, children, meta)

    def _s(self, item) -> Span:
        return _span_of(self.source, item)

    # ---- header and articles
    def start(self, meta, items):
        return ast.PolicyFile(tuple(items), self.source.path, self._s(meta))

    def plan(self, meta, children):
        plan_id, *fields = children
        return ast.PlanHeader(_unquote(plan_id), tuple(fields), self._s(meta))

    def plan_field(self, meta, children):
        key, value = children
        return (str(key), _unquote(value))

    def text(self, meta, strings):
        return ("".join(_unquote(s) for s in strings), self._s(meta))

    def operative(self, meta, _):
        return ("operative", None)

    def informative(self, meta, _):
        return ("informative", None)

    def deferred(self, meta, children):
        return ("deferred", _unquote(children[0]))

    def article(self, meta, children):
        article_id, *rest = children
        status, reason = rest[0] if len(rest) == 2 else ("operative", None)
        text, text_span = rest[-1]
        return ast.Article(normalize_article_id(article_id), status, text, reason, self._s(meta), text_span)

    def interpretation(self, meta, children):
        article_id, (text, _), *zh = children
        ref = ast.ArticleRef(normalize_article_id(article_id), self._s(article_id))
        return ast.Interpretation(ref, text, self._s(meta), zh[0][0] if zh else None)

    def zh_text(self, meta, children):
        return children[0]

    # ---- vocabulary
    def enum_member(self, meta, children):
        label = _unquote(children[1]) if len(children) > 1 else None
        return ast.EnumMember(str(children[0]), label, self._s(meta))

    def enum_decl(self, meta, children):
        name, *rest = children
        label = _unquote(rest.pop(0)) if rest and isinstance(rest[0], Token) else None
        return ast.EnumDecl(str(name), label, tuple(rest), self._s(meta))

    def zone(self, meta, children):
        name, *members = children
        return ast.Zone(str(name), tuple(ast.Name(str(m), self._s(m)) for m in members), self._s(meta))

    def zones_decl(self, meta, children):
        name, member_enum, *rest = children
        cites = rest.pop(0) if rest and isinstance(rest[0], tuple) and not isinstance(rest[0], ast.Zone) else ()
        return ast.ZonesDecl(str(name), str(member_enum), cites, tuple(rest), self._s(meta))

    def set_decl(self, meta, children):
        name, enum, *rest = children
        cites = rest.pop(0) if rest and isinstance(rest[0], tuple) else ()
        return ast.SetDecl(str(name), ast.Name(str(enum), self._s(enum)), cites, tuple(rest), self._s(meta))

    def registry_category(self, meta, children):
        token = children[0]
        text = _unquote(token) if token.type == "STRING" else str(token)
        return ast.Name(text, self._s(token))

    def same_type(self, meta, children):
        category, *registry_categories = children
        return ("same_type", ast.SameType(ast.Name(str(category), self._s(category)), tuple(registry_categories),
                                          self._s(meta)))

    def registry_categories(self, meta, children):
        return ("categories", (tuple(children), self._s(meta)))

    def registry_decl(self, meta, children):
        name, *rest = children
        label = _unquote(rest.pop(0)) if rest and isinstance(rest[0], Token) else None
        cites = rest.pop(0) if rest and isinstance(rest[0], tuple) and rest[0] and isinstance(rest[0][0], ast.ArticleRef) else ()
        same_type = tuple(value for key, value in rest if key == "same_type")
        listed = [value for key, value in rest if key == "categories"]
        categories, categories_span = (tuple(c for chunk, _ in listed for c in chunk), listed[0][1]) if listed else (None, Span(self.source))
        return ast.RegistryDecl(str(name), label, cites, same_type, categories, self._s(meta), categories_span)

    def cites(self, meta, ids):
        return tuple(ast.ArticleRef(normalize_article_id(i), self._s(i)) for i in ids)

    # ---- inputs and types
    def path(self, meta, names):
        return tuple(str(n) for n in names)

    def alias(self, meta, children):
        return ("alias", str(children[0]))

    def unit(self, meta, names):
        return tuple(str(n) for n in names)

    def scalar_type(self, meta, children):
        unit = children[1] if len(children) > 1 else ()
        return ast.ScalarType(str(children[0]), unit, self._s(meta))

    def field(self, meta, children):
        label = _unquote(children[2]) if len(children) > 2 else None
        return ast.Field(str(children[0]), children[1], label, self._s(meta))

    def record_type(self, meta, fields):
        return ast.RecordType(tuple(fields), self._s(meta))

    def list_type(self, meta, children):
        return ast.ListType(children[0], self._s(meta))

    def map_type(self, meta, children):
        return ast.MapType(children[0], self._s(meta))

    def input_decl(self, meta, children):
        path, type_, *rest = children
        alias = next((a[1] for a in rest if isinstance(a, tuple)), None)
        label = next((_unquote(t) for t in rest if isinstance(t, Token)), None)
        return ast.InputDecl(path, type_, alias, label, self._s(meta))

    # ---- definitions, rules, decisions
    def define(self, meta, children):
        name, *rest = children
        expr = rest.pop()
        label = _unquote(rest.pop(0)) if rest and isinstance(rest[0], Token) else None
        cites = rest[0] if rest else ()
        return ast.Define(str(name), label, cites, expr, self._s(meta))

    def aggregate(self, meta, children):
        name, *rest = children
        label = _unquote(rest.pop(0)) if rest[0].type == "STRING" else None
        function, arg = rest
        return ast.Aggregate(str(name), label, str(function), arg, self._s(meta), self._s(function))

    def population_decl(self, meta, children):
        name, *rest = children
        label = _unquote(rest.pop(0)) if rest and isinstance(rest[0], Token) else None
        cites = rest.pop(0) if rest and isinstance(rest[0], tuple) else ()
        return ast.PopulationDecl(str(name), label, cites, tuple(rest), self._s(meta))

    def assignment(self, meta, children):
        return ast.Assignment(str(children[0]), children[1], self._s(meta))

    def with_clause(self, meta, assignments):
        return tuple(assignments)

    def rule(self, meta, children):
        name, kind, cites, when, outcome, *rest = children
        reason = next((_unquote(t) for t in rest if isinstance(t, Token)), None)
        assignments = next((t for t in rest if isinstance(t, tuple)), ())
        return ast.Rule(
            str(name), str(kind), cites, when, str(outcome), reason, assignments,
            self._s(meta), self._s(kind), self._s(outcome),
        )

    def precedence(self, meta, names):
        return ("precedence", tuple(ast.Name(str(n), self._s(n)) for n in names), self._s(meta))

    def notes(self, meta, names):
        return ("notes", tuple(ast.Name(str(n), self._s(n)) for n in names), self._s(meta))

    def otherwise(self, meta, children):
        reason = _unquote(children[1]) if len(children) > 1 else None
        return ("otherwise", (str(children[0]), reason, self._s(children[0])), self._s(meta))

    def decision_outcomes(self, meta, names):
        return ("outcomes", tuple(ast.Name(str(n), self._s(n)) for n in names), self._s(meta))

    def decision_over(self, meta, children):
        return ("over", ast.Name(str(children[0]), self._s(children[0])), self._s(meta))

    def decision(self, meta, children):
        name, *rest = children
        label = _unquote(rest.pop(0)) if rest and isinstance(rest[0], Token) else None
        clauses: dict = {}
        repeated: list[ast.Name] = []
        for key, value, span in rest:
            if key in clauses:  # kept in the tree, so the checker can refuse it (C088): the last one would win
                repeated.append(ast.Name(key, span))
            clauses[key] = value
        otherwise, reason, o_span = clauses.get("otherwise", (None, None, Span(self.source)))
        return ast.Decision(
            str(name), label, clauses.get("precedence", ()), clauses.get("notes", ()),
            otherwise, reason, self._s(meta), o_span, tuple(repeated), clauses.get("outcomes", ()),
            clauses.get("over"),
        )

    # ---- quotas and ranking
    def quota_counts(self, meta, children):
        return ("counts", children[0])

    def _reason(self, rest) -> str | None:
        return _unquote(rest[0]) if rest else None

    def quota_number(self, meta, children):
        return ast.QuotaValue("number", children[0], None, self._reason(children[1:]), self._s(meta))

    def quota_none(self, meta, children):
        return ast.QuotaValue("none", None, None, self._reason(children), self._s(meta))

    def quota_review(self, meta, children):
        return ast.QuotaValue("review", None, None, self._reason(children), self._s(meta))

    def quota_split(self, meta, children):
        return ast.QuotaValue("split", children[0], children[1], self._reason(children[2:]), self._s(meta))

    def quota_branch(self, meta, children):
        return ast.QuotaBranch(children[0], children[1], self._s(meta))

    def quota_otherwise(self, meta, children):
        return ast.QuotaBranch(None, children[0], self._s(meta))

    def quota_for(self, meta, names):
        return ("for", tuple(ast.Name(str(n), self._s(n)) for n in names))

    def quota_per(self, meta, names):
        return ("per", tuple(ast.Name(str(n), self._s(n)) for n in names))

    def quota_unit(self, meta, names):
        return ("unit", ast.Name(str(names[0]), self._s(names[0])))

    def quota(self, meta, children):
        name, *rest = children
        label = _unquote(rest.pop(0)) if rest and isinstance(rest[0], Token) else None
        parts = {part[0]: part[1] for part in rest if isinstance(part, tuple) and isinstance(part[0], str)}
        cites = next((part for part in rest if isinstance(part, tuple) and part and isinstance(part[0], ast.ArticleRef)), ())
        per, *of = parts["per"]
        branches = tuple(part for part in rest if isinstance(part, ast.QuotaBranch))
        return ast.Quota(str(name), label, cites, parts["for"], per, of[0] if of else None, parts["unit"],
                         parts.get("counts"), branches, self._s(meta))

    def ranking(self, meta, children):
        name, *rest = children
        label = _unquote(rest.pop(0)) if rest and isinstance(rest[0], Token) and rest[0].type == "STRING" else None
        cites = rest.pop(0) if rest and isinstance(rest[0], tuple) else ()
        by, *ties = rest
        return ast.Ranking(str(name), label, cites, by, tuple(ast.Name(str(t), self._s(t)) for t in ties),
                           self._s(meta))

    # ---- expressions
    def number(self, meta, children):
        raw = str(children[0])
        unit = str(children[1]) if len(children) > 1 else None
        return ast.Number(Fraction(raw.replace("_", "")), unit, raw, self._s(meta))

    def percent(self, meta, children):
        raw = str(children[0])
        return ast.Percent(Fraction(raw[:-1]) / 100, raw, self._s(meta))

    def date(self, meta, children):
        try:
            value = date.fromisoformat(str(children[0]))
        except ValueError:
            raise _SyntaxProblem("P004", f"`{children[0]}` is not a calendar date", self._s(children[0]),
                                 "write dates as YYYY-MM-DD")
        return ast.DateLit(value, self._s(meta))

    def string(self, meta, children):
        return ast.Text(_unquote(children[0]), self._s(meta))

    def true(self, meta, _):
        return ast.Bool(True, self._s(meta))

    def false(self, meta, _):
        return ast.Bool(False, self._s(meta))

    def name(self, meta, children):
        return ast.Name(str(children[0]), self._s(meta))

    def attr(self, meta, children):
        return ast.Attr(children[0], str(children[1]), self._s(meta))

    def index(self, meta, children):
        return ast.Index(children[0], children[1], self._s(meta))

    def call(self, meta, children):
        return ast.Call(str(children[0]), tuple(children[1:]), self._s(meta))

    def sum_over(self, meta, children):
        body, var, items = children
        return ast.SumOver(body, str(var), items, self._s(meta))

    def over(self, meta, children):
        function, body, var, items, *where = children
        return ast.Over(str(function), body, str(var), items, where[0] if where else None, self._s(meta))

    def arith(self, meta, children):
        first, *rest = children
        ops = {"×": "*", "÷": "/"}
        pairs = tuple((ops.get(str(rest[i]), str(rest[i])), rest[i + 1]) for i in range(0, len(rest), 2))
        return ast.Arith(first, pairs, self._s(meta))

    def neg(self, meta, children):
        return ast.Neg(children[0], self._s(meta))

    def compare(self, meta, children):
        return ast.Compare(children[0], str(children[1]), children[2], self._s(meta))

    def set_name(self, meta, children):
        return ("zone", str(children[0]), ())

    def set_literal(self, meta, children):
        return ("set", None, tuple(ast.Name(str(c), self._s(c)) for c in children))

    def member(self, meta, children, negated=False):
        element, (_, set_name, members) = children
        return ast.Member(element, set_name, members, negated, self._s(meta))

    def not_member(self, meta, children):
        return self.member(meta, children, negated=True)

    def and_expr(self, meta, children):
        return ast.Logic("and", tuple(children), self._s(meta))

    def or_expr(self, meta, children):
        return ast.Logic("or", tuple(children), self._s(meta))

    def not_expr(self, meta, children):
        return ast.Not(children[0], self._s(meta))

    def if_expr(self, meta, children):
        return ast.If(children[0], children[1], children[2], self._s(meta))


class _SyntaxProblem(Exception):
    def __init__(self, code: str, message: str, span: Span, help: str | None = None):
        self.diagnostic = Diagnostic(code, message, span, help)


@lru_cache(maxsize=1)
def _lark() -> Lark:
    # cache=True keeps lark's grammar analysis on disk, so a cold start does not redo it.
    return Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", lexer="contextual",
                propagate_positions=True, maybe_placeholders=False, cache=True)


def parse_policy(text: str, path: str = "<policy>") -> ast.PolicyFile:
    """Parse policy text into its AST, or raise PolicyError with a located diagnostic."""
    return _parse(_lark(), Source(path, text))


@dataclass(frozen=True, slots=True)
class Lexeme:
    """One token as the lexer saw it (`COMMENT` included): the formatter's view of the text."""

    type: str  # the grammar's terminal name: NAME, STRING, COMMENT, WHEN, LPAR ...
    text: str
    line: int
    column: int
    end_line: int
    end_column: int


def parse_with_lexemes(text: str, path: str = "<policy>") -> tuple[ast.PolicyFile, tuple[Lexeme, ...]]:
    """Parse as `parse_policy` does, and also return every token in order, comments included.

    The grammar ignores comments; a lexer callback keeps them, and a post-lexer keeps every
    token the parser is fed (so the formatter can find the `×` the tree spells `*`). Callbacks
    on other terminals would not do: lark 1.3 chains them after its keyword callback and skips
    them for keywords. A fresh parser per call keeps the sinks private; with lark's cache the
    construction costs milliseconds.
    """
    comments: list = []
    recorder = _Recorder()
    lark = Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", lexer="contextual", postlex=recorder,
                propagate_positions=True, maybe_placeholders=False, cache=True,
                lexer_callbacks={"COMMENT": comments.append})
    tree = _parse(lark, Source(path, text))
    tokens = sorted(recorder.tokens + comments, key=lambda t: (t.line, t.column))
    lexemes = tuple(Lexeme(t.type, str(t), t.line, t.column, t.end_line, t.end_column) for t in tokens)
    return tree, lexemes


class _Recorder:
    """A post-lexer that lets every token through and keeps a copy."""

    always_accept = ()

    def __init__(self):
        self.tokens: list = []

    def process(self, stream):
        for token in stream:
            self.tokens.append(token)
            yield token


def _parse(lark: Lark, source: Source) -> ast.PolicyFile:
    check_text_limits(source)  # before lark: a 1,000,000-character token costs seconds to lex
    try:
        tree = lark.parse(source.text)
        check_nesting(source, tree)  # before the transformer, which recurses once per level
        return _ToAst(source).transform(tree)
    except UnexpectedInput as error:
        raise PolicyError([syntax_diagnostic(source, error)]) from None
    except VisitError as error:
        if isinstance(error.orig_exc, _SyntaxProblem):
            raise PolicyError([error.orig_exc.diagnostic]) from None
        raise


def parse_file(path: str | Path) -> ast.PolicyFile:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise PolicyError([Diagnostic("P000", f"cannot read `{path}`: {reason}", Span(Source(str(path), "")))]) from None
    return parse_policy(text, str(path))
