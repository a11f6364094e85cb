"""Wrapping mixed Chinese and Latin text by display width, with the Chinese line-breaking rules.

A CJK character is two columns wide and a line may break between any two of them; a Latin
word breaks only at spaces. The rules of 避头尾 (kinsoku): a line never starts with closing
punctuation (，。、；：？！）」』”’》】 …) and never ends with an opening one (（「『“‘《【),
so a quote is never orphaned: the breaker moves the character to the line before or after.
"""
from __future__ import annotations

import unicodedata

NO_START = set("，。、；：？！）」』”’》〉】〕…—％,.;:?!)]}%")
NO_END = set("（「『“‘《〈【〔([{")


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pieces(text: str) -> list[str]:
    """Units a line may break between: a CJK character, or a Latin word with its trailing space."""
    out: list[str] = []
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in "WF"
        if out and not wide and ch != " " and out[-1] and not _wide(out[-1][-1]) and not out[-1].endswith(" "):
            out[-1] += ch
        elif out and ch == " ":
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def wrap(text: str, columns: int, indent: str = "") -> list[str]:
    """Lines of at most `columns` display columns (a piece longer than a line stands alone)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for piece in _pieces(paragraph):
            if current and width(indent + current + piece.rstrip()) > columns:
                head, moved = current, ""
                # 避头尾: pull closing punctuation up, push an opening one down.
                # A run of closing marks (`）。”`) goes down with the character before it.
                while (moved or piece)[0] in NO_START and len(head) > 1:
                    head, moved = head[:-1], head[-1] + moved
                while len(head) > 1 and head.rstrip()[-1:] in NO_END:
                    head, moved = head.rstrip()[:-1], head.rstrip()[-1] + moved
                lines.append(indent + head.rstrip())
                current = moved + piece
            else:
                current += piece
        lines.append(indent + current.rstrip())
    return lines
