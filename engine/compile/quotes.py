"""Quoted article text against the source document.

A quote matches when it appears in the source once whitespace and light markup are set
aside: the sources come as plain text or Markdown (`**…**`, `#`), and PDF extraction breaks
lines mid-sentence, so neither may make a faithful quote fail.
"""
from __future__ import annotations

import re

_IGNORED = re.compile(r"[\s*#]+")


def normalize(text: str) -> str:
    return _IGNORED.sub("", text)


ELLIPSIS = "…"


def find_quote(quote: str, document: str) -> str | None:
    """None when `quote` is in `document`; otherwise the longest prefix that is (maybe empty).

    An ellipsis `…` in a quote elides text: the parts around it must appear in that order.
    """
    haystack = normalize(document)
    start = 0
    for part in filter(None, (normalize(p) for p in quote.split(ELLIPSIS))):
        found = haystack.find(part, start)
        if found < 0:
            return _longest_prefix(part, haystack)
        start = found + len(part)
    return None


def _longest_prefix(needle: str, haystack: str) -> str:
    low, high = 0, len(needle)
    while low < high:  # binary search: prefixes of a quote found in the text are nested
        mid = (low + high + 1) // 2
        if needle[:mid] in haystack:
            low = mid
        else:
            high = mid - 1
    return needle[:low]
