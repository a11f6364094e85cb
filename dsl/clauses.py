"""One sentence of an article, cited as a staffer says it: `二（二）第1句`, the first sentence of 二（二）.

The source documents number their sections 一、, their articles （一）, their items 1.; within
an article nothing is numbered further, and an article such as 二（二） holds five sentences
that five rules encode. A rule citing one of them writes the article id followed by `第N句`
(N in Arabic digits or in Chinese numerals, 第二句 = 第2句); its trace quotes that sentence
only, and a reading (`interpretation 二（二）第1句 "…"`) is shown only where that sentence is.

A sentence ends at 。, ！ or ？ (a ； divides a sentence, it does not end one). The sentences
are counted in the article's text as the plan quotes it: that is what the reader of the plan
sees, and what `policy check` holds against the source. This module only reads the id; the
checker (engine/compile/clauses.py) finds the sentence.
"""
from __future__ import annotations

import re

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CLAUSE = re.compile(r"第([0-9]+|[一二三四五六七八九十]+)句$")


def _chinese_number(text: str) -> int | None:
    """一 … 九十九 as an int (十 = 10, 十二 = 12, 二十 = 20, 二十三 = 23); None for other shapes."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _CN_DIGITS.get(text) if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if "十" in units or (tens and tens not in _CN_DIGITS) or (units and units not in _CN_DIGITS):
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def split_clause(article_id: str) -> tuple[str, int | None]:
    """(the article's id, its sentence number) of a cited id; (id, None) for a whole article.

    An id that ends in 第…句 with an unreadable number is left whole, so the checker says the
    article is not declared and shows the id as written."""
    found = _CLAUSE.search(article_id)
    if found is None or found.start() == 0:
        return article_id, None
    number = _chinese_number(found.group(1))
    if number is None:
        return article_id, None
    return article_id[:found.start()], number


def normalize_clause(article_id: str) -> str:
    """`二（二）第二句` -> `二（二）第2句`: one spelling, so two rules citing one sentence agree."""
    article, sentence = split_clause(article_id)
    return article_id if sentence is None else clause_id(article, sentence)


def clause_id(article_id: str, sentence: int) -> str:
    return f"{article_id}第{sentence}句"


def article_of(cited: str) -> str:
    """The article a citation names, whether of the article or of one of its sentences."""
    return split_clause(cited)[0]
