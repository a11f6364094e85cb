"""A population report: the records of `policy eval` as one HTML page of charts, in the current language.

How many applicants had each outcome, which rules decided them, which facts were missing most
often: the questions an analyst asks of a batch, answered by bar charts (render/svg.py) with the
table beside each, so the figures can be read as well as seen.
"""
from __future__ import annotations

from collections import Counter
from html import escape

from i18n import gettext as _
from i18n import language

from .case import OUTCOME_WORDS, aside, generated_at, word
from .case_html import STYLE
from .svg import bar_chart
from .units import count


def _section(title: str, counter: Counter, label=lambda k: k) -> str:
    if not counter:
        return ""
    bars = [(label(k), n) for k, n in counter.most_common()]
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(count(n))}</td></tr>" for k, n in bars)
    return f"<h2>{escape(title)}</h2><figure>{bar_chart(title, bars)}</figure><table>{rows}</table>"


def population_report(records: list[dict], title: str) -> str:
    decided = [r for r in records if "outcome" in r]
    outcomes = Counter(r["outcome"] for r in decided)
    errors = len(records) - len(decided)
    rules = Counter((r.get("decided_by") or {}).get("rule") or _("no rule (the default outcome)") for r in decided)
    missing = Counter(p for r in decided for p in r.get("missing", ()))
    plans = sorted({f"{(r.get('plan') or {}).get('id')} · {(r.get('plan') or {}).get('version')}" for r in decided})
    head = [f"<h1>{escape(title)}</h1>", "<table>",
            f"<tr><th>{escape(_('lines'))}</th><td>{escape(count(len(records)))}</td></tr>",
            f"<tr><th>{escape(_('lines decided'))}</th><td>{escape(count(len(decided)))}</td></tr>",
            f"<tr><th>{escape(_('bad lines'))}</th><td>{escape(count(errors))}</td></tr>",
            f"<tr><th>{escape(_('plan'))}</th><td>{escape('; '.join(plans) or '—')}</td></tr>",
            f"<tr><th>{escape(_('generated at'))}</th><td>{escape(generated_at())}</td></tr>", "</table>"]
    body = head + [
        _section(_("Outcomes"), outcomes, lambda k: aside(word(OUTCOME_WORDS, k), k)),
        _section(_("Decided by"), rules),
        _section(_("Facts most often missing"), missing),
    ]
    lang = "zh-CN" if language() == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(b for b in body if b) + "\n</body>\n</html>\n")
