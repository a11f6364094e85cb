"""Views of a semantic diff (engine/solver/semantic_diff.py): JSON, plain text, Markdown.

One JSON record is built first (`semantic_to_json`); text and Markdown are laid out from it,
so the three formats always say the same thing. Every witness is printed whole (a facts file
on one line) with the two commands that confirm it.
"""
from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from i18n import N_
from i18n import gettext as _

from .values import jsonable

# Verdicts and kinds of difference: codes in JSON, words in text and Markdown.
_WORDS = {"equivalent": N_("equivalent"), "stricter": N_("stricter"), "looser": N_("looser"),
          "incomparable": N_("incomparable"), "unknown": N_("unknown"), "changed": N_("changed")}


def _word(code: str) -> str:
    return _(_WORDS[code]) if code in _WORDS else code


def _plain(value):
    """An exact rational as a JSON number (an int when whole)."""
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    return value


def _side(side) -> dict[str, Any]:
    return {"outcome": side.outcome, "rule": side.rule, "terms": jsonable({k: _plain(v) for k, v in side.terms.items()})}


def semantic_to_json(report, old_path: str, new_path: str) -> dict[str, Any]:
    cells = []
    for c in report.cells:
        cells.append({
            "decision": c.decision, "category": c.category, "regions": list(c.regions) or "all",
            "verdict": c.verdict,
            "differences": [{
                "kind": w.kind, "old": _side(w.old), "new": _side(w.new), "articles": list(w.articles),
                "confirmed": w.confirmed, "file": w.file, "facts": w.facts,
            } for w in c.witnesses],
            "unwitnessed": list(c.unwitnessed),
        })
    return {
        "old": report.old.stamp.as_json() | {"path": old_path},
        "new": report.new.stamp.as_json() | {"path": new_path},
        "equivalent": report.equivalent,
        "cells": cells,
        "not_translated": list(report.untranslatable),
        "assumptions": list(report.assumptions),
    }


def _result(side: dict) -> str:
    text = side["outcome"] + (_(" by {rule}").format(rule=f"`{side['rule']}`") if side["rule"]
                              else " (" + _("otherwise") + ")")
    if side["terms"]:
        text += _(" with {terms}").format(terms=", ".join(f"{k} = {v}" for k, v in side["terms"].items()))
    return text


def _where(cell: dict) -> str:
    who = cell["category"] or _("every applicant")
    regions = cell["regions"]
    return who + (_(", every district") if regions == "all" else ", " + "、".join(regions))


def _commands(data: dict, diff: dict) -> list[str]:
    target = diff["file"] or "WITNESS.json"
    return [f"policy explain {target} --plan {data['old']['path']}",
            f"policy explain {target} --plan {data['new']['path']}"]


def semantic_to_text(data: dict) -> str:
    old, new = (n.strip("`") for n in _names(data))  # two copies of one plan share an id: paths tell them apart
    out = [_("semantic diff: {old} -> {new}").format(old=old, new=new)]
    decision = None
    for cell in data["cells"]:
        if cell["decision"] != decision:
            decision = cell["decision"]
            out.append("\n" + _("decision {name}").format(name=decision))
        out.append(f"  {_where(cell)}: {_word(cell['verdict'])}")
        for d in cell["differences"]:
            out.append(f"    {_word(d['kind'])}: {_result(d['old'])}  ->  {_result(d['new'])}")
            out.append("      " + _("articles: {articles}").format(articles=", ".join(d["articles"]) or "-")
                       + ("" if d["confirmed"] else "   (" + _("NOT confirmed by the evaluator") + ")"))
            out.append("      " + _("witness: ") + json.dumps(d["facts"], ensure_ascii=False, sort_keys=True))
            if d["file"]:
                out.append("      " + _("written to {file}; check: ").format(file=d["file"]) + " ; ".join(_commands(data, d)))
        for kind in cell["unwitnessed"]:
            out.append(f"    {_word(kind)}: " + _("exists, but no witness was found in time"))
    if data["not_translated"]:
        out.append("\n" + _("not translated (nothing is claimed for these):"))
        out += [f"  {t}" for t in data["not_translated"]]
    out.append("\n" + _("assumptions: ") + _("; ").join(_(a) for a in data["assumptions"]))
    same = sum(1 for c in data["cells"] if c["verdict"] == "equivalent")
    out.append("\n" + _("{verdict}: {same} of {cells} cells equivalent").format(
        verdict=_("equivalent") if data["equivalent"] else _("different"), same=same, cells=len(data["cells"])))
    return "\n".join(out) + "\n"


def _names(data: dict) -> tuple[str, str]:
    """How the report names the two versions: id and version, or the paths of two copies of one plan."""
    same = (data["old"]["id"], data["old"]["version"]) == (data["new"]["id"], data["new"]["version"])
    return tuple(f"`{side['path']}`" if same else f"`{side['id']}` {side['version']}" for side in (data["old"], data["new"]))


def semantic_to_markdown(data: dict) -> str:
    old, new = _names(data)
    out = ["# " + _("Semantic diff: {old} → {new}").format(old=old, new=new), "",
           "| " + " | ".join(_(h) for h in (N_("decision"), N_("applicants"), N_("verdict"), N_("difference"),
                                            N_("articles"))) + " |",
           "|---|---|---|---|---|"]
    for cell in data["cells"]:
        diffs = cell["differences"] or [None]
        for d in diffs:
            what = f"{_word(d['kind'])}: {_result(d['old'])} → {_result(d['new'])}" if d else ""
            arts = ", ".join(d["articles"]) if d else ""
            out.append(f"| {cell['decision']} | {_where(cell)} | {_word(cell['verdict'])} | {what} | {arts} |")
    witnesses = [(c, d) for c in data["cells"] for d in c["differences"]]
    if witnesses:
        out += ["", "## " + _("Witnesses"), ""]
        for c, d in witnesses:
            out += [f"### {_where(c)}: {_word(d['kind'])}" + ("" if d["confirmed"] else " (" + _("not confirmed") + ")"), "",
                    "```json", json.dumps(d["facts"], ensure_ascii=False, indent=2, sort_keys=True), "```", ""]
            if d["file"]:
                out += ["```sh", *_commands(data, d), "```", ""]
    if data["not_translated"]:
        out += ["", "## " + _("Not translated"), ""] + [f"- {t}" for t in data["not_translated"]]
    out += ["", "## " + _("Assumptions"), ""] + [f"- {_(a)}" for a in data["assumptions"]]
    return "\n".join(out) + "\n"
