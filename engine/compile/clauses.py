"""The sentences of an article's quoted text, for citations of one of them (`二（二）第1句`).

See dsl/clauses.py for how a sentence is cited. A sentence ends at 。, ！ or ？, closing quotes
and brackets after the mark included (`…要求。”`); text after the last mark is a last sentence.
The sentences are those of the text the plan quotes, so a `…` that elides text before the
cited sentence ends would leave its number unknown: such a citation is refused rather
than quote what may be another sentence (C126); a number past the last sentence is C125.
"""
from __future__ import annotations

import re

from engine.compile.quotes import ELLIPSIS

_SENTENCE = re.compile(r"[^。！？]*[。！？]+[”’」』）)]*|[^。！？]+$")


def sentences(text: str) -> list[str]:
    """The sentences of an article's text, in order, each as written (blank ones dropped)."""
    return [s for s in (m.group(0).strip() for m in _SENTENCE.finditer(text)) if s]


def sentence_of(text: str, number: int) -> tuple[str | None, int | None]:
    """(the sentence, None) for sentence `number` (from 1); (None, how many sentences the text
    has) when it has fewer; (None, None) when a `…` before its end leaves it uncounted."""
    found = sentences(text)
    if not 1 <= number <= len(found):
        return None, len(found)
    if any(ELLIPSIS in s for s in found[:number]):
        return None, None
    return found[number - 1], None
