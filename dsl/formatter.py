"""`policy fmt`: a .policy file in the house layout, its comments kept, its meaning never changed.

`format_policy(text, path)` parses the text (keeping every token, comments included), lays
each item out (layout.py), puts each comment back beside the tokens it was next to, and
then checks its own work: the output must parse to a tree equal to the input's and carry the
same comments. Anything it cannot do faithfully it refuses, with a diagnostic, rather than
write a file that means something else or has lost a comment.

Comments. An own-line comment stays on its own line before the line that now starts with the
token that followed it (an item, a clause, a member, an `or`, a `> rule`); a trailing comment
stays at the end of the line that now ends with the token before it. A comment whose
neighbours the layout joins on one line (inside a parenthesized sub-expression, between a
rule's name and its kind) cannot keep its place: P101.

Blank lines. Consecutive articles, interpretations and inputs may be packed (no blank line)
or grouped by single blank lines, as the author wrote them; any other two items are one blank
line apart; a banner comment (`# ---- … ----`) has two blank lines above it. A comment written
right under an item, with a blank line after it, stays under that item. Blank lines inside an
item are dropped. A packed run of one-line inputs is aligned on its `:`.

Diagnostics: P101 a comment that cannot keep its place, P102 a decision clause given twice
(only the last counts, so printing the tree would drop one), P103-P105 the formatter's own
check failed (a bug: nothing is written), P106 an item the layout cannot handle (a bug too).
"""
from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict

from . import ast
from .diagnostics import Diagnostic, PolicyError
from .layout import Layout, Line, Tokens
from .parser import Lexeme, parse_with_lexemes
from .printer import display_width
from .spans import Source, Span

_BANNER = re.compile(r"#\s*-{2,}.*-{2,}\s*$")
_PACKED = (ast.Article, ast.Interpretation, ast.InputDecl)  # one-line items an author may pack in runs
# Tokens the layout puts at the start of a line, though an author may have ended a line with them.
# A comment after an operator stays at the end of the line above (`a or  # c` annotates `a`); one
# after a clause keyword goes to the end of the clause's line (`when  # c`).
_OPERATORS = {"AND", "OR", "ADD_OP", "MUL_OP", "ELSE", "MORETHAN"}
_CLAUSES = {"WHEN", "THEN", "WITH", "PRECEDENCE", "NOTES", "OTHERWISE"}
_BUG = "this is a bug in the formatter, please report it with the file; nothing was written"


def format_policy(text: str, path: str = "<policy>") -> str:
    """The text in the house layout; raises PolicyError on a syntax error or when it must refuse."""
    tree, lexemes = parse_with_lexemes(text, path)
    source = Source(path, text)
    formatted = _Formatter(tree, lexemes, source).text()
    _verify(tree, lexemes, formatted, source)
    return formatted


def _comment_texts(lexemes: tuple[Lexeme, ...]) -> Counter:
    return Counter(lx.text.rstrip() for lx in lexemes if lx.type == "COMMENT")


def _verify(tree: ast.PolicyFile, lexemes: tuple[Lexeme, ...], formatted: str, source: Source) -> None:
    """INVARIANT: what the formatter returns parses to the same tree, with the same comments."""
    try:
        again, again_lexemes = parse_with_lexemes(formatted, source.path)
    except PolicyError as error:
        raise PolicyError([Diagnostic("P105", "the formatted text would not parse", Span(source),
                                      f"{_BUG} ({error.diagnostics[0].message})")]) from None
    if again != tree:
        changed = next((old for old, new in zip(tree.items, again.items) if old != new), None)
        span = changed.span if changed is not None else Span(source)
        raise PolicyError([Diagnostic("P103", "formatting would change what this item means", span, _BUG)])
    if _comment_texts(lexemes) != _comment_texts(again_lexemes):
        raise PolicyError([Diagnostic("P104", "formatting would lose or change a comment", Span(source), _BUG)])


def _same_run(previous: ast.Item | None, item: ast.Item | None) -> bool:
    return previous is not None and type(previous) is type(item) and isinstance(item, _PACKED)


def _indent_of(line: Line) -> str:
    if line.comment_indent is not None:
        return line.comment_indent
    return line.text[: len(line.text) - len(line.text.lstrip(" "))]


class _Formatter:
    def __init__(self, tree: ast.PolicyFile, lexemes: tuple[Lexeme, ...], source: Source):
        self.tree, self.source = tree, source
        self.tokens = Tokens(lexemes)
        self.layout = Layout(self.tokens)
        self.problems: list[Diagnostic] = []

    def text(self) -> str:
        printed = [self._lay_out(item) for item in self.tree.items]
        before, trailing, tail = self._place_comments(printed)
        if self.problems:
            raise PolicyError(self.problems)
        blanks = self._blank_lines(before)
        self._align(printed, blanks)
        return self._emit(printed, before, trailing, tail, blanks)

    # ---- items

    def _lay_out(self, item: ast.Item) -> list[Line]:
        if isinstance(item, ast.Decision) and not self._single_clauses(item):
            return []
        try:
            return self.layout.lines(item)
        except (KeyError, IndexError, TypeError) as error:  # a span the tokens do not match
            self.problems.append(Diagnostic("P106", "cannot lay this item out", item.span,
                                            f"{_BUG} ({type(error).__name__}: {error})"))
            return []

    def _single_clauses(self, decision: ast.Decision) -> bool:
        """The tree keeps the last of a repeated clause; printing it would silently drop the others."""
        start, end = self.tokens.first(decision.span), self.tokens.last(decision.span)
        single = True
        for kind in ("PRECEDENCE", "NOTES", "OTHERWISE", "OUTCOMES", "OVER"):
            found = self.tokens.of_type(kind, start, end)
            if len(found) > 1:
                second = self.tokens.code[found[1]]
                self.problems.append(Diagnostic(
                    "P102", f"decision `{decision.name}` gives `{second.text}` twice; only the last one counts",
                    self._span(second), "merge them into one clause: the formatter will not drop either"))
                single = False
        return single

    def _span(self, lexeme: Lexeme) -> Span:
        return Span(self.source, lexeme.line, lexeme.column, lexeme.end_line, lexeme.end_column)

    # ---- comments

    def _place_comments(self, printed: list[list[Line]]):
        """Each comment to the line it precedes (`before`) or ends (`trailing`), or after everything."""
        code = self.tokens.code
        anchors = {line.anchor: (n, m) for n, lines in enumerate(printed)
                   for m, line in enumerate(lines) if line.anchor is not None}
        order = sorted(anchors)
        starts = [(t.line, t.column) for t in code]
        before: dict = defaultdict(list)
        trailing: dict = {}
        tail: list[Lexeme] = []
        failed = [(self.tokens.first(item.span), self.tokens.last(item.span))
                  for item, lines in zip(self.tree.items, printed) if not lines]
        for comment in self.tokens.comments:
            k = bisect.bisect_left(starts, (comment.line, comment.column)) - 1  # the code token before it
            if any(start <= k < end for start, end in failed):
                continue  # inside an item already refused: one diagnostic for it is enough
            if k < 0 or code[k].end_line < comment.line:  # on a line of its own
                if k == len(code) - 1:
                    tail.append(comment)
                elif k + 1 in anchors:
                    before[anchors[k + 1]].append(comment)
                elif code[k].type in _OPERATORS | _CLAUSES and k in anchors:  # `a or` / `# c` / `b`: above `or b`
                    before[anchors[k]].append(comment)
                else:
                    self._cannot_place(comment)
                continue
            if k + 1 in anchors or k == len(code) - 1:
                holder = k
            elif code[k].type in _OPERATORS and k in anchors:  # `a or  # c` ends the line of `a`
                holder = k - 1
            elif code[k].type in _CLAUSES and k in anchors:  # `when  # c` ends the `when` line
                holder = k
            else:
                self._cannot_place(comment)
                continue
            position = bisect.bisect_right(order, holder) - 1
            if position < 0:
                self._cannot_place(comment)
                continue
            n, m = anchors[order[position]]
            while m + 1 < len(printed[n]) and printed[n][m + 1].anchor is None:  # the block's last line
                m += 1
            if (n, m) in trailing:
                self._cannot_place(comment)
                continue
            trailing[(n, m)] = comment
        return before, trailing, tail

    def _cannot_place(self, comment: Lexeme) -> None:
        self.problems.append(Diagnostic(
            "P101", "this comment cannot keep its place: the formatter puts the code around it on one line",
            self._span(comment),
            "move it to a line of its own above the item or clause it is about, or to the end of that line"))

    # ---- blank lines and alignment

    def _blank_lines(self, before: dict) -> list[list[int]]:
        """For each item: blank lines above each of its leading comments, then above the item."""
        items, code = self.tree.items, self.tokens.code
        result, previous_end = [], 0
        for n, item in enumerate(items):
            lead = before.get((n, 0), [])
            rows = [c.line for c in lead] + [code[self.tokens.first(item.span)].line]
            gaps = [max(row - above - 1, 0) for row, above in zip(rows, [previous_end] + rows)]
            blanks = []
            for j, gap in enumerate(gaps):
                comment = lead[j] if j < len(lead) else None
                if n == 0 and j == 0:
                    blanks.append(0)
                elif comment is not None and _BANNER.match(comment.text):
                    blanks.append(2)
                elif j == 0 and comment is not None and gap == 0 and any(gaps[1:]):
                    blanks.append(0)  # a comment right under the previous item, apart from this one
                elif j == 0 and not _same_run(items[n - 1], item):
                    blanks.append(1)
                else:
                    blanks.append(min(gap, 1))
            result.append(blanks)
            previous_end = code[self.tokens.last(item.span)].end_line
        return result

    def _align(self, printed: list[list[Line]], blanks: list[list[int]]) -> None:
        """Pad the paths of each packed run of one-line inputs so their `:` line up."""
        run: list[Line] = []
        for lines, above in zip(printed + [[]], blanks + [[1]]):
            line = lines[0] if len(lines) == 1 and lines[0].align else None
            if run and (line is None or sum(above)):
                width = max(display_width(r.align[0]) for r in run)
                for r in run:
                    path, rest = r.align
                    r.text = f"input {path}{' ' * (width - display_width(path))} : {rest}"
                run = []
            if line is not None:
                run.append(line)

    # ---- output

    def _emit(self, printed, before, trailing, tail, blanks) -> str:
        out: list[str] = []
        for n, lines in enumerate(printed):
            lead = before.get((n, 0), [])
            for above, comment in zip(blanks[n], lead):
                out += [""] * above + [comment.text.rstrip()]
            out += [""] * blanks[n][-1]
            for m, line in enumerate(lines):
                if m:
                    out += [_indent_of(line) + c.text.rstrip() for c in before.get((n, m), [])]
                comment = trailing.get((n, m))
                out.append(line.text + (f"  {comment.text.rstrip()}" if comment else ""))
        previous = self.tokens.code[-1].end_line if self.tokens.code else 0
        for comment in tail:
            gap = comment.line - previous - 1
            above = 0 if not out else 2 if _BANNER.match(comment.text) else min(gap, 1)
            out += [""] * above + [comment.text.rstrip()]
            previous = comment.line
        return "".join(line.rstrip() + "\n" for line in out)
