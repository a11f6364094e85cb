"""A lark syntax error as one diagnostic: the place, what may stand there in a staffer's words,
and a hint that names the item the error stands in (the LALR tables alone cannot say it)."""
from __future__ import annotations

import re

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from .diagnostics import Diagnostic
from .spans import Source, Span


# Terminal names as a staffer reads them.
_TOKEN_WORDS = {
    "NAME": "a name", "STRING": 'a quoted text "…"', "ARTICLE_ID": "an article id such as 三（一）",
    "NUMBER": "a number", "PERCENT": "a percentage such as 50%", "DATE": "a date YYYY-MM-DD",
    "COMPARE": "a comparison (< <= = != >= >)", "ADD_OP": "+ or -", "MUL_OP": "* or /",
    "PLAN_KEY": "a plan field (title, version, issuer, status, issued, source, sha256)",
    "LBRACE": "`{`", "RBRACE": "`}`", "LPAR": "`(`", "RPAR": "`)`", "LSQB": "`[`", "RSQB": "`]`",
    "COLON": "`:`", "COMMA": "`,`", "EQUAL": "`=`", "MORETHAN": "`>`", "DOT": "`.`", "SLASH": "`/`",
    "MINUS": "`-`", "$END": "the end of the file",
}


def _describe(terminal: str) -> str:
    if terminal in _TOKEN_WORDS:
        return _TOKEN_WORDS[terminal]
    return f"`{terminal.lower()}`"


_ITEM_KEYWORDS = "plan article interpretation enum zones set registry input define population rule decision quota ranking".split()


def _enclosing_item(text: str, pos: int) -> str | None:
    """The keyword of the item a place in the text stands in: the last line before it that
    starts with an item keyword (items start at the left margin in every layout)."""
    for line in reversed(text[:pos].splitlines()):
        word = line.split(" ", 1)[0]
        if word in _ITEM_KEYWORDS:
            return word
    return None


def N_(message: str) -> str:
    """Marks a help line for the message catalogue (i18n/); it is translated where it is shown."""
    return message


_EMPTY_CONDITION = re.compile(r"\bwhen\s+then\s*$")


def syntax_diagnostic(source: Source, error: UnexpectedInput) -> Diagnostic:
    line, column = error.line, error.column
    if isinstance(error, UnexpectedCharacters):
        bad = source.text[error.pos_in_stream] if error.pos_in_stream < len(source.text) else ""
        span = Span(source, line, column, line, column + 1)
        hint = "strings use straight double quotes \"…\"" if bad in "“”'" else None
        if bad == '"':  # a string the lexer could not close: it ends at the end of its line
            return Diagnostic("P005", "this string is not closed on its line", span,
                              'end it with " on the same line; write a long text as several strings, one per line')
        if bad == "%":
            hint = "write a percentage right after its number, as in 50%"
        return Diagnostic("P001", f"unexpected character `{bad}`", span, hint)
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        token = error.token
        end_col = (token.end_column or column + len(str(token)))
        span = Span(source, token.line, token.column, token.end_line or token.line, end_col)
        expected = sorted(_describe(t) for t in error.expected if not t.startswith("__"))
        shown = ", ".join(expected[:8]) + (", …" if len(expected) > 8 else "")
        hint = f"expected {shown}" if expected else None
        if str(token) in _ITEM_KEYWORDS:
            hint = (hint or "") + "; the item before it may be incomplete"
        # LALR merges the states of every expression, so THEN is expected inside a definition too:
        # say what the item the token stands in reads like, found from the text before it.
        item = _enclosing_item(source.text, token.start_pos) if token.start_pos is not None else None
        if "THEN" in error.expected and token.type != "THEN" and item == "rule":
            hint = N_("a rule reads `when <condition> then <outcome>`; check the condition before this")
            if _EMPTY_CONDITION.search(source.text[:token.start_pos]):
                # `then` right after `when` was read as the name of a condition, so lark only
                # stumbles on the outcome: say what is really missing
                hint = N_("the condition after `when` is empty: write what must hold between `when` and `then`")
        elif "THEN" in error.expected and token.type != "THEN":
            hint = (f"an expression cannot go on with `{token}` here; "
                    "combine values with operators (+ - × ÷, and, or, in) or a function call: `share(R, C)`")
        return Diagnostic("P002", f"unexpected `{token}`", span, hint)
    last = source.text.rstrip().splitlines() or [""]
    span = Span(source, max(len(last), 1), len(last[-1]) + 1, max(len(last), 1), len(last[-1]) + 2)
    expected = sorted(_describe(t) for t in getattr(error, "expected", ()) or ())
    return Diagnostic("P003", "the file ends in the middle of an item", span,
                      "expected " + ", ".join(expected[:8]) if expected else None)
