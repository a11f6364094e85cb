"""Articles as the source document numbers them, and how a policy file accounts for each.

The numbering is the plans' own: 一、 for sections, （一） for articles, 1. for items, and the
items of an annex (附件) as 附件1, 附件2. Markdown heading marks and emphasis are ignored, so
a plan converted from PDF to plain text or to Markdown reads the same. A heading that only
groups articles (二、总体要求 followed at once by （一）) is accounted for by its children; a
heading with a paragraph of its own must be accounted for itself.
"""
from __future__ import annotations

import re
from dataclasses import field
from dsl.dataclass_cache import dataclass

from dsl.ast import RegistryDecl, SetDecl, ZonesDecl
from dsl.clauses import article_of
from engine.compile.quotes import ELLIPSIS

_CN = "一二三四五六七八九十"
_SECTION = re.compile(rf"^([{_CN}]+)、")
_ARTICLE = re.compile(rf"^[（(]([{_CN}]+)[）)]")
_ITEM = re.compile(r"^(\d+)[.．、](?!\d)")
_ANNEX = re.compile(r"^附件(?!：)")
_MARKUP = re.compile(r"^[#\s>*]+|\*+")


@dataclass
class SourceArticle:
    id: str
    line: int
    heading: str
    own_text: bool = False  # has a paragraph of its own, besides its heading and children
    children: list[str] = field(default_factory=list)


def source_articles(text: str) -> dict[str, SourceArticle]:
    """Every numbered article of a source document, by id, in document order."""
    found: dict[str, SourceArticle] = {}
    section = article = None
    current: SourceArticle | None = None
    in_annex = False

    def add(article_id: str, lineno: int, line: str, parent: str | None) -> SourceArticle:
        entry = SourceArticle(article_id, lineno, line.strip()[:60])
        found.setdefault(article_id, entry)
        if parent and parent in found and article_id not in found[parent].children:
            found[parent].children.append(article_id)
        return found[article_id]

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = _MARKUP.sub("", raw).strip()
        if not line:
            continue
        if _ANNEX.match(line) and len(line) <= 12:
            in_annex, section, article, current = True, None, None, None
            continue
        if m := _SECTION.match(line):
            section, article, in_annex = m.group(1), None, False
            current = add(section, lineno, line, None)
            current.own_text = len(line) > len(m.group(0)) + 12  # a heading and a sentence on one line
        elif (m := _ARTICLE.match(line)) and section:
            article = f"{section}（{m.group(1)}）"
            current = add(article, lineno, line, section)
        elif m := _ITEM.match(line):
            if in_annex:
                current = add(f"附件{m.group(1)}", lineno, line, None)
            elif section:
                parent = article or section
                current = add(f"{parent}{m.group(1)}", lineno, line, parent)
        elif current is not None:
            current.own_text = True
    return found


def required(articles: dict[str, SourceArticle]) -> list[SourceArticle]:
    """The articles a policy must account for: leaves, and headings with text of their own."""
    return [a for a in articles.values() if not a.children or a.own_text]


@dataclass(frozen=True)
class CoverageRow:
    id: str
    status: str  # operative | informative | deferred | missing | covered-by-children
    rules: tuple[str, ...]
    reason: str | None
    elided: bool = False  # operative, but its quote keeps no whole sentence: every one is elided by …


_SENTENCE_END = re.compile(r"[。！？；]")


def keeps_a_sentence(quote: str) -> bool:
    """Whether a quote keeps at least one whole sentence of its article, `…` marking elisions.

    A quote with no `…` keeps what it quotes. A part between elisions keeps a sentence when it holds two sentence ends (the text between
    them is whole), or when nothing is elided before it and it reaches a sentence end. A quote
    of fragments (`需要的千人床位数…各年龄段住院率…`) keeps none: an auditor reads the article's
    words but not one of its sentences, so coverage says so.
    """
    if ELLIPSIS not in quote:
        return True  # quoted whole, formula or sentence
    parts = quote.split(ELLIPSIS)
    for i, part in enumerate(parts):
        ends = len(_SENTENCE_END.findall(part))
        if ends >= 2 or (ends >= 1 and i == 0):
            return True
    return False


def coverage(plan) -> list[CoverageRow]:
    """Each article of the source with its status in the plan, in document order; for a plan
    that extends another, then each article of that plan's source (ids with its `cite_as`)."""
    documents = [(plan.source_document or "", "")]
    if plan.parent_document is not None:
        documents.append((plan.parent_document, plan.parent_prefix))
    citing: dict[str, list[str]] = {}

    def cite(cited: str, who: str) -> None:  # a sentence cited (`二（二）第1句`) covers its article
        names = citing.setdefault(article_of(cited), [])
        if who not in names:
            names.append(who)

    for rule in plan.rules.values():
        for article in rule.cites:
            cite(article, rule.name)
    for define in plan.defines.values():
        for article in define.cites:
            cite(article, define.name)
    for zones in plan.policy.of_type(ZonesDecl):
        for ref in zones.cites:
            cite(ref.id, f"zones {zones.name}")
    for named in plan.policy.of_type(SetDecl):
        for ref in named.cites:
            cite(ref.id, f"set {named.name}")
    for registry in plan.policy.of_type(RegistryDecl):  # the registry block reads the spacing articles too
        for ref in registry.cites:
            cite(ref.id, f"registry {registry.name}")
    rows = []
    numbered = set()
    for document, prefix in documents:
        for entry in source_articles(document).values():
            article_id = prefix + entry.id
            numbered.add(article_id)
            declared = plan.articles.get(article_id)
            if declared is not None:
                rows.append(_row(article_id, declared, citing))
            elif entry.children and not entry.own_text:
                rows.append(CoverageRow(article_id, "covered-by-children", (), None))
            else:
                rows.append(CoverageRow(article_id, "missing", (), None))
    for article_id, declared in plan.articles.items():
        if article_id not in numbered:  # unnumbered paragraphs: 前言, 结语, the notice
            rows.append(_row(article_id, declared, citing))
    return rows


def _row(article_id: str, declared, citing: dict) -> CoverageRow:
    elided = declared.status == "operative" and not keeps_a_sentence(declared.text)
    return CoverageRow(article_id, declared.status, tuple(citing.get(article_id, ())), declared.reason, elided)
