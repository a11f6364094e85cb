"""The case document as Markdown, to file with the case or paste into a report."""
from __future__ import annotations

from i18n import gettext as _

from .case import CaseDocument, Line, listing, pair


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(lines) -> list[str]:
    if not lines:
        return []
    return ["| | |", "|---|---|"] + [f"| {_cell(line.label)} | {_cell(line.value)} |" for line in lines] + [""]


def case_to_markdown(doc: CaseDocument) -> str:
    out = [f"# {doc.title}", ""]
    if doc.draft:
        out += [f"> **{doc.draft}**", ""]
    out += _table(doc.header)
    out += [f"**{pair(_('outcome'), doc.outcome_words)}** (`{doc.outcome}`)", ""]
    extra = ([Line(_("reason"), doc.reason)] if doc.reason else []) + list(doc.terms)
    extra += [Line(_("priority"), p) for p in doc.priorities]
    out += _table(extra)
    if doc.warnings:
        out += [f"## {_('Warnings')}", ""] + [f"- {_cell(w)}" for w in doc.warnings] + [""]
    out += [f"## {_('Why')}", ""]
    if doc.decisive is not None:
        out += [_("Decided by the rule {rule} ({kind}).").format(rule=doc.decisive.name, kind=doc.decisive.kind), ""]
    for quote in doc.quotes:
        out += [f"> **{_('Article {id}').format(id=quote.article)}** {quote.text}"]
        for reading in quote.readings:
            out += [">", f"> {pair('*' + _('Reading taken') + '*', reading)}"]
        out.append("")
    out += [doc.why, ""]
    if doc.decisive is not None and doc.decisive.facts:
        out += [pair(_("The facts it read"), "").rstrip(), ""] + [f"- {pair(f.label, f.value)}" for f in doc.decisive.facts] + [""]
    if doc.spacing is not None:
        near = "; ".join(f"{n.label} {n.distance}".strip() for n in doc.spacing.neighbours) or "—"
        out += [f"## {_('Map of the service radius')}", "",
                _("Radius {radius} around {applicant}; neighbours: {near}").format(
                    radius=f"{doc.spacing.radius_m:g} {_('m')}", applicant=doc.spacing.applicant.label, near=near), ""]
    if doc.unknown:
        out += [f"## {_('What is not known, and what it would take to know it')}", ""] + _table(doc.unknown)
    if doc.what_if is not None:
        out += _what_if(doc.what_if)
    out += [f"## {_('Every rule, in order of precedence')}", "",
            f"| {_('rule')} | {_('kind')} | {_('article')} | {_('result')} | {_('facts read')} |", "|---|---|---|---|---|"]
    for rule in doc.rules:
        facts = _("; ").join(pair(f.label, f.value) for f in rule.facts)
        name = f"**{rule.name}**" if rule.decisive else rule.name
        out.append(f"| {_cell(name)} | {rule.kind} | {listing(rule.articles)} | {rule.status} | {_cell(facts)} |")
    out.append("")
    if doc.values:
        out += [f"## {_('Values computed')}", ""] + _table(doc.values)
    out += ["---", "", f"*{_('Audit record')}*", ""] + _table(doc.footer)
    return "\n".join(out).rstrip("\n") + "\n"


def _what_if(section) -> list[str]:
    out = [f"## {_('What would change the outcome')}", ""] + ([section.lead, ""] if section.lead else [])
    for group in section.groups:
        out += [f"### {group.heading}", ""] + [f"- {_cell(change)}" for change in group.changes] + [""]
    if section.stuck:
        out += [section.stuck, ""]
    if section.needed:
        out += [f"### {_('Still needed, in the order to ask for them')}", ""]
        out += [f"{n}. {pair(need.label, need.value)}" for n, need in enumerate(section.needed, 1)] + [""]
    out += [f"> {note}" for note in section.notes] + ([""] if section.notes else [])
    return out
