"""Views of `explain --what-if`: counterfactuals (engine/solver/whatif.py) and the facts still
needed (engine/solver/needed.py), as a JSON record, plain text and Markdown.

The JSON record is built first; text and Markdown are laid out from it.
"""
from __future__ import annotations

from typing import Any

from fractions import Fraction

from .values import jsonable


def _plain(value):
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    return jsonable(value)

_RELATION = {">": "more than {} (strict)", ">=": "at least {}", "<": "less than {} (strict)", "<=": "at most {}",
             "=": "exactly {}"}


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


def _bound(c: dict) -> str:
    if isinstance(c["bound"], bool) or c["relation"] == "=" and not isinstance(c["bound"], (int, float)):
        return f"= {c['bound']}"
    text = _RELATION[c["relation"]].format(c["exact"])
    return text


def _change(c: dict) -> str:
    kind = " (definition)" if c["kind"] == "definition" else f" ({c['label']})" if c.get("label") else ""
    now = "absent" if c["current"] is None else c["current"]
    line = f"{c['what']}{kind}: now {now}; would have to be {_bound(c)}"
    if c["example"] is not None and c["example"] != c["bound"]:
        line += f", e.g. {c['example']}"
    elif c["example"] is None:
        line += " (no decimal a facts file can hold is that point)"
    line += f" -> {c['outcome']}"
    if c["confirmed"] is True:
        line += " (checked: explain of the changed facts gives it)"
    elif c["confirmed"] is False:
        line += " (NOT confirmed by the evaluator)"
    return line


def _heading(t: dict) -> str:
    articles = ", ".join(t["articles"])
    if t["role"] == "decisive":
        return f"decisive rule `{t['rule']}` ({t['concludes']}, {articles}): what would undo it"
    return f"rule `{t['rule']}` ({t['concludes']}, {articles}): what would make it decide"


def _stuck(data: dict) -> str:
    """The rules no single change of one fact makes decide, on one line."""
    names = [f"`{t['rule']}`" for t in data["targets"] if not t["changes"] and not t["not_analysed"]]
    return ("no change of one fact makes " + ", ".join(names) + " decide") if names else ""


def what_if_to_text(data: dict) -> str:
    out = []
    if data["targets"]:
        out += ["", "WHAT WOULD CHANGE IT (one fact at a time, the others as they are)"]
    for t in data["targets"]:
        if not t["changes"] and not t["not_analysed"]:
            continue
        out.append("  " + _heading(t))
        out += ["    " + _change(c) for c in t["changes"]]
        if t["cannot_change_it"]:
            out.append("    no single value of these changes it: " + ", ".join(t["cannot_change_it"]))
        out += [f"    not analysed: {why}" for why in t["not_analysed"]]
    if _stuck(data):
        out.append("  " + _stuck(data))
    if data["still_needed"]:
        out.append("")
        out.append("STILL NEEDED (ask for the first one first)")
        for i, n in enumerate(data["still_needed"], 1):
            label = f" ({n['label']})" if n["label"] else ""
            out.append(f"  {i}. {n['fact']}{label}: {n['effect']}; its value can lead to " + ", ".join(n["outcomes"])
                       + (" (" + "; ".join(n["by_value"]) + ")" if n["by_value"] else ""))
    out += [f"  {note}" for note in data["notes"]]
    return "\n".join(out) + "\n"


def what_if_to_markdown(data: dict) -> str:
    out = ["", "## What would change it", "", "One fact at a time, every other fact as it is.", ""] if data["targets"] else [""]
    for t in data["targets"]:
        if not t["changes"] and not t["not_analysed"]:
            continue
        out.append(f"### {_heading(t)}")
        out.append("")
        out += [f"- {_change(c)}" for c in t["changes"]]
        if t["cannot_change_it"]:
            out.append("- no single value of these changes it: " + ", ".join(f"`{f}`" for f in t["cannot_change_it"]))
        out += [f"- not analysed: {why}" for why in t["not_analysed"]]
        out.append("")
    if _stuck(data):
        out += [_stuck(data).capitalize() + ".", ""]
    if data["still_needed"]:
        out += ["## Still needed", ""]
        for i, n in enumerate(data["still_needed"], 1):
            label = f" ({n['label']})" if n["label"] else ""
            out.append(f"{i}. `{n['fact']}`{label}: {n['effect']}; its value can lead to " + ", ".join(n["outcomes"])
                       + (" (" + "; ".join(n["by_value"]) + ")" if n["by_value"] else ""))
        out.append("")
    out += [f"> {note}" for note in data["notes"]]
    return "\n".join(out) + "\n"
