"""Checker passes `citations`, `quotes` and `coverage`: the plan held to its articles and its source.

`check_citations`: every article cited (by a rule, definition, zone, set, registry, population,
quota or ranking, as the passes before noted in `ctx.cited`) is declared and operative, and
every operative article is cited; a citation of one sentence (`二（二）第1句`) names one the
article's quoted text holds whole (C125, C126). `check_quotes`: the source document named in the header is
read from the policy's own folder, its sha256 matches, and every article's quoted text is
in it; for a plan that extends another (`ctx.parent`), the parent's articles are held to the
parent's own source instead. `check_coverage`: every numbered article of each document is
declared.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from dsl import ast
from dsl.clauses import split_clause
from dsl.diagnostics import did_you_mean

from engine.compile.clauses import sentence_of
from engine.compile.context import CheckContext
from engine.compile.quotes import find_quote


def check_citations(ctx: CheckContext) -> None:
    for cited, spans in ctx.cited.items():
        article_id, sentence = split_clause(cited)  # `二（二）第1句` cites one sentence of 二（二）
        article = ctx.articles.get(article_id)
        if article is None:
            for span in spans:
                ctx.error("C040", f"article `{article_id}` is cited but not declared", span,
                          did_you_mean(article_id, ctx.articles) or f'declare it: `article {article_id} "<quoted text>"`')
        elif article.status != "operative":
            for span in spans:
                ctx.error("C041", f"article `{article_id}` is {article.status}, so no rule may cite it", span,
                          "mark the article operative, or cite the article the rule encodes")
        elif sentence is not None:
            _check_sentence(ctx, article, cited, sentence, spans)
    for item in ctx.policy.of_type(ast.Interpretation):  # a reading may concern any article
        article_id, sentence = split_clause(item.article.id)
        if article_id not in ctx.articles:
            ctx.error("C040", f"article `{article_id}` is interpreted but not declared", item.article.span,
                      did_you_mean(article_id, ctx.articles))
        elif sentence is not None:
            _check_sentence(ctx, ctx.articles[article_id], item.article.id, sentence, [item.article.span])
        if not item.zh:  # still runs: a zh view shows the English text
            ctx.warn("W007", f"the reading of `{item.article.id}` has no Chinese text", item.article.span,
                     'give it after the English text: `zh "…"`, in the same meaning')
    cited_articles = {split_clause(cited)[0] for cited in ctx.cited}
    for article in ctx.articles.values():
        if article.status == "operative" and article.id not in cited_articles:
            ctx.warn("W003", f"operative article `{article.id}` is cited by no rule", article.span,
                     "cite it, or mark it `informative` or `deferred \"reason\"`")


def _check_sentence(ctx: CheckContext, article: ast.Article, cited: str, sentence: int, spans) -> None:
    """A citation of one sentence names one the article's quoted text holds whole."""
    text, count = sentence_of(article.text, sentence)
    for span in spans if text is None else ():
        if count is not None:
            ctx.error("C125", f"`{cited}` names no sentence of article `{article.id}`, whose text has {count} "
                      "sentence(s)", span, "count the sentences of the article's text (each ends at 。, ！ or "
                      "？), or cite the article whole")
        else:
            ctx.error("C126", f"the sentences of article `{article.id}` cannot be counted up to `{cited}`: its "
                      "text elides (`…`) before that sentence ends", span,
                      "quote the article whole up to that sentence, or cite the article whole")


def check_quotes(ctx: CheckContext) -> None:
    """Each article's quote against its own plan's source: the parent's against the parent's."""
    parent = ctx.parent
    own = {k: a for k, a in ctx.articles.items() if parent is None or k not in parent.articles}
    if ctx.header is not None:
        ctx.source_document, ctx.source_digest = _check_source(ctx, ctx.header, ctx.policy_dir, own)
    if parent is not None and ctx.policy_dir is not None:
        inherited = {k: a for k, a in ctx.articles.items() if k in parent.articles}
        ctx.parent_document, ctx.parent_digest = _check_source(ctx, parent.header, Path(parent.path).parent,
                                                               inherited)


def _check_source(ctx: CheckContext, header: ast.PlanHeader, policy_dir: Path | None,
                  articles: dict[str, ast.Article]) -> tuple[str | None, str]:
    """Read the `source` a header names and check the articles' quotes in it: (its text, its sha256)."""
    rel = header.get("source")
    if rel is None:
        ctx.warn("W004", "the plan names no source document, so quotes are not checked", header.span,
                 'add `source "sources/<file>.txt" sha256 "<hash>"`')
        return None, ""
    if policy_dir is None:
        return None, ""
    # INVARIANT: a policy reads nothing outside its own folder.
    target = (policy_dir / rel).resolve()
    if Path(rel).is_absolute() or not target.is_relative_to(policy_dir.resolve()):
        ctx.error("C050", f"source document `{rel}` is outside the policy's folder", header.span,
                  "keep the source beside the policy, e.g. `sources/<file>.txt`")
        return None, ""
    from engine.reading.reader import InputError, decode, read_bytes  # the one reader: no FIFO opened, GBK named

    try:
        raw = read_bytes(str(target), "source document")
        text = decode(raw, str(target), "source document")
    except InputError as error:
        first = error.diagnostics[0]
        ctx.error("C051", f"cannot read source document `{rel}`: {first.message.rsplit(': ', 1)[-1]}",
                  header.span, first.help)
        return None, ""
    except UnicodeDecodeError as error:
        reason = f"not UTF-8 text ({error.reason} at byte {error.start})"
        ctx.error("C051", f"cannot read source document `{rel}`: {reason}", header.span, "save the document as UTF-8")
        return None, ""
    digest = hashlib.sha256(raw).hexdigest()
    declared = header.get("sha256")
    if declared and declared != digest:
        ctx.error("C052", f"source document `{rel}` has changed: its sha256 is `{digest}`", header.span,
                  "re-read the articles against the new text, then update `sha256`")
    for article in articles.values():  # a sentence cited alone lies in its article's quote, checked here
        miss = find_quote(article.text, text)
        if miss is not None:
            ctx.error("C053", f"the text quoted for article `{article.id}` is not in the source document",
                      article.text_span,
                      f"it matches the source up to `…{miss[-12:]}`; check what follows" if miss else
                      "its first characters are not in the source; copy the text from the document")
    return text, digest


def check_coverage(ctx: CheckContext) -> None:
    """Every numbered article of each source is encoded, informative or deferred: none forgotten.
    Each document by the articles of the plan that quotes it."""
    parent = ctx.parent
    own = {k for k in ctx.articles if parent is None or k not in parent.articles}
    _cover(ctx, ctx.source_document, ctx.header, own)
    if parent is not None:
        _cover(ctx, ctx.parent_document, parent.header, set(parent.articles), parent.prefix)


def _cover(ctx: CheckContext, document: str | None, header: ast.PlanHeader | None, articles: set[str],
           prefix: str = "") -> None:
    if document is None or header is None:
        return
    from engine.compile.coverage import required, source_articles

    for entry in required(source_articles(document)):
        if prefix + entry.id not in articles:
            ctx.error("C054", f"article `{entry.id}` of the source is not accounted for", header.span,
                      f"source line {entry.line}: `{entry.heading}`; declare it operative, informative, or "
                      f"deferred \"reason\"")
