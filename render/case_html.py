"""The case document as one self-contained HTML page, to file, archive or print on A4.

Inline style, no script, no external resource, so it opens anywhere, years later. The font
stack names the CJK fonts of Windows (Microsoft YaHei, SimSun), macOS (PingFang SC) and Linux
(Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei) and ends with the generic
families, so a machine without any of them still draws the characters with its own fallback
font rather than boxes. Every text passes through `escape`.
"""
from __future__ import annotations

import re
from html import escape

from i18n import gettext as _

from .case import CaseDocument, Line, RuleView, listing, pair
from .svg import spacing_map

FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", '
         '"Hiragino Sans GB", "SimHei", "Noto Sans SC", sans-serif')
SERIF = '"Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "Songti SC", "AR PL UMing CN", serif'

STYLE = f"""
body {{ font-family: {FONTS}; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222;
       line-height: 1.6; }}
h1 {{ font-size: 1.45rem; margin-bottom: .3rem; }} h2 {{ font-size: 1.1rem; margin-top: 1.6rem;
       border-bottom: 1px solid #ccc; padding-bottom: .2rem; }}
table {{ border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .92rem; }}
th, td {{ border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; width: 11rem; font-weight: normal; color: #444; }}
table.rules th {{ width: auto; }}
blockquote {{ font-family: {SERIF}; margin: .5rem 0; padding: .5rem .9rem; border-left: 4px solid #8aa;
       background: #f6f8f8; }}
.reading {{ color: #245; }} h3 {{ font-size: 1rem; margin: .8rem 0 .2rem; }}
.cannot-say {{ color: #7a5600; }} .draft {{ border: 2px solid #b26a00; color: #7a4600; background: #fff6e5;
       padding: .4rem .8rem; font-weight: bold; }}
.outcome {{ font-size: 1.25rem; font-weight: bold; padding: .5rem .8rem; border-radius: 4px; margin: .8rem 0; }}
.tone-good {{ background: #e6f4ea; color: #1a6b2a; }} .tone-bad {{ background: #fbe9e9; color: #a01818; }}
.tone-open {{ background: #fff4d6; color: #7a5600; }}
.code {{ font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85em; color: #555; }}
tr.decisive td {{ background: #fffbe6; }} .facts {{ margin: 0; padding-left: 1.1rem; }}
footer {{ margin-top: 2rem; font-size: .8rem; color: #555; border-top: 1px solid #ccc; }}
footer td, footer th {{ font-size: .8rem; }} footer .hash {{ font-family: ui-monospace, monospace; word-break: break-all; }}
svg {{ max-width: 100%; height: auto; font-family: {FONTS}; }}
@page {{ size: A4; margin: 18mm 16mm 20mm; }}
@media print {{
  body {{ margin: 0; max-width: none; font-size: 10.5pt; }}
  h2 {{ break-after: avoid; }} table, blockquote, svg, tr {{ break-inside: avoid; }}
  .outcome, .draft, tr.decisive td, th {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
}}
"""


def _e(value) -> str:
    return escape(str(value), quote=True)


def _prose(text: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", _e(text))


def _table(lines: tuple[Line, ...] | list[Line], cls: str = "") -> str:
    rows = "".join(f"<tr><th>{_e(line.label)}</th><td>{_e(line.value)}</td></tr>" for line in lines)
    return f'<table class="{cls}">{rows}</table>' if rows else ""


def _facts(rule: RuleView) -> str:
    if not rule.facts:
        return ""
    return '<ul class="facts">' + "".join(f"<li>{_e(pair(f.label, f.value))}</li>" for f in rule.facts) + "</ul>"


def case_body(doc: CaseDocument) -> list[str]:
    """The document's elements, to stand alone (`case_to_html`) or as one section of a page."""
    body = [f"<h1>{_e(doc.title)}</h1>"]
    if doc.draft:
        body.append(f'<p class="draft">{_e(doc.draft)}</p>')
    body.append(_table(doc.header, "header"))
    body.append(f'<div class="outcome tone-{doc.tone} o-{_e(doc.outcome)}" id="outcome">{_e(pair(_("outcome"), doc.outcome_words))} '
                f'<span class="code">{_e(doc.outcome)}</span></div>')
    extra = []
    if doc.reason:
        extra.append(Line(_("reason"), doc.reason))
    extra += list(doc.terms)
    extra += [Line(_("priority"), p) for p in doc.priorities]
    body.append(_table(extra))
    if doc.warnings:
        body.append(f"<h2>{_e(_('Warnings'))}</h2><ul>" + "".join(f"<li><code>{_e(w)}</code></li>" for w in doc.warnings)
                    + "</ul>")
    body.append(f"<h2>{_e(_('Why'))}</h2>")
    if doc.decisive is not None:
        body.append(f"<p>{_e(_('Decided by the rule {rule} ({kind}).').format(rule=doc.decisive.name, kind=doc.decisive.kind))}</p>")
    for quote in doc.quotes:
        readings = "".join(f'<p class="reading">{_e(pair(_("Reading taken"), r))}</p>' for r in quote.readings)
        body.append(f'<blockquote id="article"><p><strong>{_e(_("Article {id}").format(id=quote.article))}</strong>'
                    f" {_e(quote.text)}</p>{readings}</blockquote>")
    body.append(f'<p id="why">{_prose(doc.why)}</p>')
    if doc.decisive is not None and doc.decisive.facts:
        body.append(f"<p>{_e(pair(_('The facts it read'), ''))}</p>" + _facts(doc.decisive))
    if doc.spacing is not None:
        body.append(f"<h2>{_e(_('Map of the service radius'))}</h2>")
        body.append(f'<figure id="map">{spacing_map(doc.spacing)}</figure>')
    if doc.unknown:
        body.append(f"<h2>{_e(_('What is not known, and what it would take to know it'))}</h2>")
        body.append(_table(doc.unknown, "unknown"))
    if doc.what_if is not None:
        body.append(_what_if(doc.what_if))
    body.append(f"<h2>{_e(_('Every rule, in order of precedence'))}</h2>")
    head = "".join(f"<th>{_e(h)}</th>" for h in (_("rule"), _("kind"), _("article"), _("result"), _("facts read")))
    rows = []
    for rule in doc.rules:
        cls = ' class="decisive"' if rule.decisive else ""
        rows.append(f"<tr{cls}><td>{_e(rule.name)}</td><td>{_e(rule.kind)}</td><td>{_e(listing(rule.articles))}</td>"
                    f"<td>{_e(rule.status)}</td><td>{_facts(rule)}</td></tr>")
    body.append(f'<table class="rules"><tr>{head}</tr>{"".join(rows)}</table>')
    if doc.values:
        body.append(f"<h2>{_e(_('Values computed'))}</h2>")
        body.append(_table(doc.values, "values"))
    footer = "".join(f'<tr><th>{_e(line.label)}</th><td class="hash">{_e(line.value)}</td></tr>' for line in doc.footer)
    body.append(f"<footer><p>{_e(_('Audit record'))}</p><table>{footer}</table></footer>")
    return [b for b in body if b]


def _what_if(section) -> str:
    out = [f"<h2>{_e(_('What would change the outcome'))}</h2>"]
    if section.lead:
        out.append(f'<p class="{"cannot-say" if section.cannot_say else "note"}">{_prose(section.lead)}</p>')
    for group in section.groups:
        out.append(f"<h3>{_prose(group.heading)}</h3><ul>" + "".join(f"<li>{_prose(c)}</li>" for c in group.changes)
                   + "</ul>")
    if section.stuck:
        out.append(f"<p>{_prose(section.stuck)}</p>")
    if section.needed:
        out.append(f"<h3>{_e(_('Still needed, in the order to ask for them'))}</h3><ol>"
                   + "".join(f"<li>{_e(pair(n.label, n.value))}</li>" for n in section.needed) + "</ol>")
    out += [f'<p class="note">{_prose(note)}</p>' for note in section.notes]
    return '<section id="what-if">' + "".join(out) + "</section>"


def page(title: str, body: list[str]) -> str:
    """A standalone page around `body`, in the current language."""
    from i18n import language

    lang = "zh-CN" if language() == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def case_to_html(doc: CaseDocument) -> str:
    return page(doc.title, case_body(doc))
