"""A standalone HTML record of one decision, for auditors who file or print it.

One self-contained page (inline style, no script, no external resource) so it can be
archived with the case and opened anywhere. Every piece of text, from the plan, the facts
or the engine, passes through `escape`: a reason or a name can never become markup.
"""
from __future__ import annotations

import re
from html import escape
from typing import Sequence

from engine.trace import Explanation, Step

from .values import MISSING_HINTS, STATUS_WORDS, show, show_read, show_share

_STYLE = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.5; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } code { font-size: .9em; }
blockquote { margin: .5rem 0; padding: .4rem .8rem; border-left: 4px solid #8aa; background: #f6f8f8; }
.reading { color: #245; font-style: italic; } .outcome { font-weight: bold; }
.o-eligible, .o-exempt { color: #1a6b2a; } .o-excluded, .o-spacing_conflict { color: #a01818; }
.o-paused, .o-undetermined { color: #8a6200; } .o-needs_review, .o-needs_approval { color: #6a1b8a; }
@media print { body { margin: 0; } }
"""


def _e(value) -> str:
    return escape(str(value), quote=True)


def _prose(text: str) -> str:
    """Escaped text whose `backticked` names show as code, as in the other views."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", _e(text))


def _row(*cells: str, header: bool = False) -> str:
    tag = "th" if header else "td"
    return "<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>"


def _quote(step: Step) -> str:
    parts = []
    for article in step.articles:
        readings = "".join(f'<p class="reading">Reading: {_e(r)}</p>' for r in article.readings)
        parts.append(f"<blockquote><p><strong>{_e(article.id)}</strong> {_e(article.text)}</p>{readings}</blockquote>")
    return "".join(parts)


def _sources(step: Step, labels: dict) -> str:
    reads = [f"<code>{_e(p)}</code> = {_e(show_read(p, v, labels))}" for p, v in step.reads]
    uses = [f"{_e(n)} = {_e(show(v, labels))}" for n, v in step.uses]
    return "<br>".join(reads + uses)


def _body(result: Explanation, warnings: Sequence[str] = ()) -> list[str]:
    labels = result.labels
    stamp = result.plan
    outcome = f'<span class="outcome o-{_e(result.outcome)}">{_e(result.outcome)}</span>'
    body = [f"<h1>Decision {_e(result.decision)}: {outcome}</h1>", "<table>"]
    body.append(_row("Applicant", _e(result.applicant_id or "—")))
    body.append(_row("As of", _e(result.as_of or "—")))
    body.append(_row("Plan", f"{_e(stamp.title)} (<code>{_e(stamp.id)}</code>, version {_e(stamp.version)})"))
    body.append(_row("Plan sha256", f"<code>{_e(stamp.sha256)}</code>"))
    if stamp.source_sha256:
        body.append(_row("Source sha256", f"<code>{_e(stamp.source_sha256)}</code>"))
    for notice in result.notices:
        body.append(_row("Notice", _e(notice)))
    body.append(_row("Outcome", outcome + (f" — {_e(result.reason)}" if result.reason else "")))
    for name, value in result.terms:
        body.append(_row(_e(name), _e(show_share(name, value, labels))))
    for step in result.priorities:
        body.append(_row("Priority", f"{_e(step.reason)} ({_e(step.articles[0].id)})"))
    for step in result.steering:
        body.append(_row(f"Steering ({_e(step.concludes)})", f"{_e(step.reason)} ({_e(step.articles[0].id)})"))
    for step in result.priorities_unknown:
        body.append(_row("Priority unknown", f"{_e(step.reason)} ({_e(step.articles[0].id)}; absent: "
                                             f"{_e(', '.join(step.missing))})"))
    body.append("</table>")
    if warnings:
        body += ["<h2>Warnings</h2>", "<ul>"] + [f"<li><code>{_e(w)}</code></li>" for w in warnings] + ["</ul>"]
    body += ["<h2>Why</h2>", f"<p>{_prose(result.why)}</p>"]
    if result.decided_by is not None:
        step = result.decided_by
        body.append(f"<p>Decided by rule <strong>{_e(step.name)}</strong> ({_e(step.rule_kind)}):</p>")
        body.append(_quote(step))
        if step.reads or step.uses:
            body.append(f"<p>{_sources(step, labels)}</p>")
    if result.missing:
        body.append("<h2>Missing facts</h2><ul>")
        body += [f"<li><code>{_e(p)}</code>" + (f": {_e(MISSING_HINTS[p])}" if p in MISSING_HINTS else "") + "</li>"
                 for p in result.missing]
        body.append("</ul>")
    body += ["<h2>Every rule, in order of precedence</h2>", "<table>",
             _row("Rule", "Kind", "Article", "Result", "Read", header=True)]
    for step in (s for s in result.steps if s.kind == "rule"):
        body.append(_row(_e(step.name), _e(step.rule_kind), _e(", ".join(a.id for a in step.articles)),
                         _e(STATUS_WORDS.get(step.status, step.status)), _sources(step, labels)))
    body.append("</table>")
    defines = [s for s in result.steps if s.kind == "define"]
    if defines:
        body += ["<h2>Values computed</h2>", "<table>", _row("Value", "Result", "Article", "From", header=True)]
        for step in defines:
            value = show(step.value, labels) if not step.missing else "absent"
            body.append(_row(_e(step.name), _e(value), _e(", ".join(a.id for a in step.articles)),
                             _sources(step, labels)))
        body.append("</table>")
    readings = result.readings()
    if readings:
        body.append("<h2>Readings taken</h2><ul>")
        body += [f"<li><strong>{_e(a)}</strong>: {_e(t)}</li>" for a, t in readings]
        body.append("</ul>")
    return body


def explanation_to_html(result: Explanation, warnings: Sequence[str] = ()) -> str:
    """A standalone page for the case file: the decision, its warnings, why, every rule, values, readings."""
    title = f"{result.decision} {result.applicant_id or ''} {result.outcome}".strip()
    return _page(title, _body(result, warnings))


def explanations_to_html(sections: list[tuple[str, Explanation | str, Sequence[str]]]) -> str:
    """One page for several facts files: a section per file, headed by its name; a file that
    could not be decided shows its error text instead."""
    body: list[str] = []
    for number, (name, item, warnings) in enumerate(sections, 1):
        body.append(f'<section id="file-{number}">\n<p class="file"><code>{_e(name)}</code></p>')
        body += _body(item, warnings) if isinstance(item, Explanation) else [f"<pre>{_e(item)}</pre>"]
        body.append("</section>")
    return _page(f"{len(sections)} decisions", body)


def _page(title: str, body: list[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")
