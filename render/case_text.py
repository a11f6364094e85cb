"""The case document as plain text at a fixed width, Chinese wrapped by its own rules (render/wrap.py)."""
from __future__ import annotations

from i18n import gettext as _

from .case import CaseDocument, Line, aside, listing, pair
from .wrap import wrap, width


def _pairs(lines, columns: int) -> list[str]:
    if not lines:
        return []
    pad = min(max(width(line.label) for line in lines), 24)
    out = []
    for line in lines:
        body = wrap(str(line.value), columns - pad - 4)
        if width(line.label) > pad:  # a long label on its own line, its value below it
            out += wrap(line.label, columns - 2, "  ")
            out += [" " * (pad + 4) + more for more in body]
            continue
        label = line.label + " " * (pad - width(line.label))
        out.append(f"  {label}  {body[0]}")
        out += [" " * (pad + 4) + more for more in body[1:]]
    return out


def case_to_text(doc: CaseDocument, columns: int = 80) -> str:
    rule = "─" * columns
    out = wrap(doc.title, columns) + [rule]
    if doc.draft:
        out += wrap("※ " + doc.draft, columns) + [""]
    out += _pairs(doc.header, columns) + [""]
    out += wrap(f"{pair(_('outcome'), doc.outcome_words)} [{doc.outcome}]", columns)
    extra = ([Line(_("reason"), doc.reason)] if doc.reason else []) + list(doc.terms)
    extra += [Line(_("priority"), p) for p in doc.priorities]
    out += _pairs(extra, columns)
    if doc.warnings:
        out += ["", _("Warnings"), rule] + [w for warning in doc.warnings for w in wrap(warning, columns, "  ")]
    out += ["", _("Why"), rule]
    if doc.decisive is not None:
        out += wrap(_("Decided by the rule {rule} ({kind}).").format(rule=doc.decisive.name, kind=doc.decisive.kind), columns)
    for quote in doc.quotes:
        out += wrap(f"{_('Article {id}').format(id=quote.article)} “{quote.text}”", columns, "  ")
        for reading in quote.readings:
            out += wrap(pair(_("Reading taken"), reading), columns, "    ")
    out += wrap(doc.why, columns)
    if doc.decisive is not None and doc.decisive.facts:
        out += [pair(_("The facts it read"), "").rstrip()] + _pairs(doc.decisive.facts, columns)
    if doc.spacing is not None:
        for n in doc.spacing.neighbours:
            out += wrap(f"  · {n.label} {n.distance}", columns)
    if doc.unknown:
        out += ["", _("What is not known, and what it would take to know it"), rule] + _pairs(doc.unknown, columns)
    if doc.what_if is not None:
        out += ["", _("What would change the outcome"), rule] + _what_if(doc.what_if, columns)
    out += ["", _("Every rule, in order of precedence"), rule]
    for r in doc.rules:
        mark = "►" if r.decisive else "·"
        out += wrap(f"{mark} {pair(aside(r.name, _(', ').join((r.kind, listing(r.articles)))), r.status)}", columns)
        out += _pairs(r.facts, columns)
    if doc.values:
        out += ["", _("Values computed"), rule] + _pairs(doc.values, columns)
    out += ["", _("Audit record"), rule] + _pairs(doc.footer, columns)
    return "\n".join(out) + "\n"


def _what_if(section, columns: int) -> list[str]:
    out = wrap(section.lead, columns) if section.lead else []
    for group in section.groups:
        out += wrap(group.heading, columns, "  ")
        out += [line for change in group.changes for line in wrap("· " + change, columns, "    ")]
    if section.stuck:
        out += wrap(section.stuck, columns, "  ")
    if section.needed:
        out += ["", _("Still needed, in the order to ask for them")]
        out += [line for n, need in enumerate(section.needed, 1)
                for line in wrap(f"{n}. {pair(need.label, need.value)}", columns, "  ")]
    out += [line for note in section.notes for line in wrap(note, columns, "  ")]
    return out
