"""One diagnostic type for every stage, and one function that renders it.

Messages follow Cedar's habit: lowercase, no final period, user input in backticks, the
explanation on a separate `help:` line. Every diagnostic has a stable code (OPA's habit) so
tests and integrators can match on it rather than on wording; dsl/codes.py catalogues each
code with its one meaning.
"""
from __future__ import annotations

import difflib
from dsl.dataclass_cache import dataclass
from typing import Iterable

from .spans import NO_SPAN, Span


@dataclass(frozen=True, slots=True)
class Label:
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    span: Span = NO_SPAN
    help: str | None = None
    labels: tuple[Label, ...] = ()
    severity: str = "error"  # "error" | "warning"
    # The JSON path of the value concerned (`applicant.level`, `expect.terms`), for input files;
    # kept out of `message` so a batch error object or an editor can give it as its own field.
    path: str | None = None

    def text(self) -> str:
        """The message as a person reads it: `path: message` when a JSON path is known."""
        if not self.path or self.message.startswith(self.path + ": "):
            return self.message  # a message that names its path itself is not given it twice
        return f"{self.path}: {self.message}"

    def headline(self) -> str:
        """The one-line form `file:line:col: message` the contract promises."""
        where = str(self.span) if self.span.line else self.span.path
        return f"{where}: {self.severity}[{self.code}]: {self.text()}"


class PolicyError(Exception):
    """Raised to stop a stage that cannot go on; carries every diagnostic collected."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sort_diagnostics(diagnostics)
        super().__init__("\n".join(d.headline() for d in self.diagnostics))


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(diagnostics, key=lambda d: (d.span.sort_key(), d.code)))


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.5)
    if not close:
        return None
    return "did you mean " + ", ".join(f"`{c}`" for c in close) + "?"


def _display_width(text: str) -> int:
    # CJK characters take two terminal columns; the caret must line up under them.
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_MAX_LINE = 120


def render_snippet(span: Span, message: str = "") -> list[str]:
    """The source line of a span with a caret run under the spanned text."""
    if span.source is None or not span.line:
        return []
    text = span.source.line(span.line)
    gutter = f"{span.line:>4} | "
    start = max(span.column - 1, 0)
    if span.end_line == span.line and span.end_column > span.column:
        end = span.end_column - 1
    else:
        end = start + 1
    end = min(end, start + _MAX_LINE)  # a 1,000,000-character token gets a caret run, not a megabyte of carets
    if len(text) > _MAX_LINE:  # a JSON Lines record: show a window around the place
        left = max(start - _MAX_LINE // 3, 0)
        right = min(max(end, start + 1) + _MAX_LINE // 3, len(text))
        prefix, suffix = ("…" if left else ""), ("…" if right < len(text) else "")
        text = prefix + text[left:right] + suffix
        start, end = start - left + len(prefix), end - left + len(prefix)
    pad = " " * _display_width(text[:start])
    carets = "^" * max(_display_width(text[start:end]), 1)
    under = " " * (len(gutter) - 2) + "| " + pad + carets + (f" {message}" if message else "")
    return [gutter + text, under]


def localized_headline(diagnostic: Diagnostic) -> str:
    """`headline()` in the current language: what a document or a summary line quotes of it."""
    from i18n.diagnostics import localize

    return _headline(localize(diagnostic))


def _headline(localized: Diagnostic) -> str:
    from i18n import gettext as _

    where = str(localized.span) if localized.span.line else localized.span.path
    severity = _("warning") if localized.severity == "warning" else _("error")
    return f"{where}: {severity}[{localized.code}]: {localized.text()}"


def render(diagnostic: Diagnostic) -> str:
    """Render one diagnostic in the current language (i18n): headline, snippet with caret, labels, help.

    The code stays as it is in every language; the message is translated from its template."""
    from i18n import gettext as _
    from i18n.diagnostics import localize

    note, help_word = _("note"), _("help")
    diagnostic = localize(diagnostic)
    lines = [_headline(diagnostic)]
    lines += render_snippet(diagnostic.span)
    for label in diagnostic.labels:
        lines.append(f"  {note}: {label.message} ({label.span})")
        lines += render_snippet(label.span)
    if diagnostic.help:
        lines.append(f"  {help_word}: {diagnostic.help}")
    return "\n".join(lines)


def render_all(diagnostics: Iterable[Diagnostic]) -> str:
    return "\n".join(render(d) for d in sort_diagnostics(diagnostics))
