"""Views of `explain --what-if`: counterfactuals (engine/solver/whatif.py) and the facts still
needed (engine/solver/needed.py), as a JSON record and plain text (the case document's section,
in md, html and doc, is render/case_whatif.py).

The JSON record is built first; the text is laid out from it.
"""
from __future__ import annotations

from typing import Any

from fractions import Fraction

from i18n import N_
from i18n import gettext as _

from .values import jsonable


def _plain(value):
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    return jsonable(value)

_RELATION = {">": N_("more than {bound} (strict)"), ">=": N_("at least {bound}"), "<": N_("less than {bound} (strict)"),
             "<=": N_("at most {bound}"), "=": N_("exactly {bound}")}
_EFFECT = {"settles": N_("settles"), "can settle": N_("can settle"), "not alone": N_("not alone")}


def what_if_to_json(what_if, needed=(), labels: dict | None = None) -> dict[str, Any]:
    labels = labels or {}
    return {
        "outcome": what_if.outcome,
        "targets": [{
            "rule": t.rule, "role": t.role, "concludes": t.concludes, "articles": list(t.articles),
            "changes": [{
                "what": c.what, "label": labels.get(c.what), "kind": c.kind, "current": _plain(c.current), "relation": c.relation,
                "bound": _plain(c.bound), "exact": c.exact, "strict": c.relation in ("<", ">"),
                "example": _plain(c.example), "outcome": c.outcome, "confirmed": c.confirmed,
            } for c in t.changes],
            "cannot_change_it": list(t.cannot),
            "not_analysed": list(t.unanalysed),
        } for t in what_if.targets],
        "still_needed": [{"fact": n.fact, "label": n.label, "effect": n.effect, "outcomes": list(n.outcomes),
                          "by_value": list(n.by_value)} for n in needed],
        "notes": list(what_if.notes),
    }


_TRUTH = {True: N_("True"), False: N_("False")}


def _value(value):
    """A value as the record holds it; true and false in the current language (是, 否)."""
    return _(_TRUTH[value]) if isinstance(value, bool) else value


def _bound(c: dict) -> str:
    if isinstance(c["bound"], bool) or c["relation"] == "=" and not isinstance(c["bound"], (int, float)):
        return f"= {_value(c['bound'])}"
    return _(_RELATION[c["relation"]]).format(bound=c["exact"])


def _change(c: dict) -> str:
    kind = _(" (definition)") if c["kind"] == "definition" else f" ({c['label']})" if c.get("label") else ""
    now = _("absent") if c["current"] is None else _value(c["current"])
    line = _("{what}: now {now}; would have to be {bound}").format(what=f"{c['what']}{kind}", now=now, bound=_bound(c))
    if c["example"] is not None and c["example"] != c["bound"]:
        line += _(", e.g. {example}").format(example=c["example"])
    elif c["example"] is None:
        line += _(" (no decimal a facts file can hold is that point)")
    line += f" -> {c['outcome']}"
    if c["confirmed"] is True:
        line += _(" (checked: explain of the changed facts gives it)")
    elif c["confirmed"] is False:
        line += _(" (NOT confirmed by the evaluator)")
    return line


def _heading(t: dict) -> str:
    articles = ", ".join(t["articles"])
    if t["role"] == "decisive":
        return _("decisive rule `{rule}` ({outcome}, {articles}): what would undo it").format(
            rule=t["rule"], outcome=t["concludes"], articles=articles)
    return _("rule `{rule}` ({outcome}, {articles}): what would make it decide").format(
        rule=t["rule"], outcome=t["concludes"], articles=articles)


def _stuck(data: dict) -> str:
    """The rules no single change of one fact makes decide, on one line."""
    names = [f"`{t['rule']}`" for t in data["targets"] if not t["changes"] and not t["not_analysed"]]
    return _("no change of one fact makes {rules} decide").format(rules=", ".join(names)) if names else ""


def note_text(note: str) -> str:
    from .case_whatif import note_text as translated  # the solver's notes, as the case document says them

    return translated(note)


def what_if_to_text(data: dict) -> str:
    out = []
    if data["targets"]:
        out += ["", _("WHAT WOULD CHANGE IT (one fact at a time, the others as they are)")]
    for t in data["targets"]:
        if not t["changes"] and not t["not_analysed"]:
            continue
        out.append("  " + _heading(t))
        out += ["    " + _change(c) for c in t["changes"]]
        if t["cannot_change_it"]:
            out.append("    " + _("no single value of these changes it: {facts}").format(facts=", ".join(t["cannot_change_it"])))
        out += ["    " + _("not analysed: {why}").format(why=why) for why in t["not_analysed"]]
    if _stuck(data):
        out.append("  " + _stuck(data))
    if data["still_needed"]:
        out.append("")
        out.append(_("STILL NEEDED (ask for the first one first)"))
        for i, n in enumerate(data["still_needed"], 1):
            label = f" ({n['label']})" if n["label"] else ""
            effect = _(_EFFECT[n["effect"]]) if n["effect"] in _EFFECT else n["effect"]
            out.append(f"  {i}. " + _("{fact}: {effect}; its value can lead to {outcomes}").format(
                fact=f"{n['fact']}{label}", effect=effect, outcomes=", ".join(n["outcomes"]))
                       + (" (" + "; ".join(n["by_value"]) + ")" if n["by_value"] else ""))
    out += [f"  {note_text(note)}" for note in data["notes"]]
    return "\n".join(out) + "\n"
