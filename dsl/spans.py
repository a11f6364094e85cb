"""Source files and spans: where a piece of syntax came from.

A span knows its source, so any stage (parser, checker, evaluator, diff) can point at the
text without being handed the file again. Spans never take part in equality: two ASTs that
differ only in layout compare equal, which is what the formatter and the differ rely on.
"""
from __future__ import annotations

from dataclasses import field
from dsl.dataclass_cache import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True, eq=False)
class Source:
    """One text we report on: a .policy file, a facts file, a registry."""

    path: str
    text: str

    @classmethod
    def read(cls, path: str | Path) -> "Source":
        return cls(str(path), Path(path).read_text(encoding="utf-8"))

    def line(self, lineno: int) -> str:
        lines = self.text.splitlines()
        return lines[lineno - 1] if 0 < lineno <= len(lines) else ""

    def offset_to_line_col(self, offset: int) -> tuple[int, int]:
        before = self.text[:offset]
        line = before.count("\n") + 1
        col = offset - (before.rfind("\n") + 1) + 1
        return line, col


@dataclass(frozen=True, slots=True)
class Span:
    """A range of a source: 1-based line and column of its start, and its end."""

    source: Source | None = field(compare=False, repr=False, default=None)
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0

    @property
    def path(self) -> str:
        return self.source.path if self.source else "<unknown>"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def sort_key(self) -> tuple[str, int, int]:
        return (self.path, self.line, self.column)


NO_SPAN = Span()
