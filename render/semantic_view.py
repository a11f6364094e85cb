"""Views of a semantic diff (engine/solver/semantic_diff.py): JSON, plain text, Markdown.

One JSON record is built first (`semantic_to_json`); text and Markdown are laid out from it,
so the three formats always say the same thing. Every witness is printed whole (a facts file
on one line) with the two commands that confirm it.
"""
from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from .values import jsonable


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
    text = side["outcome"] + (f" by `{side['rule']}`" if side["rule"] else " (otherwise)")
    if side["terms"]:
        text += " with " + ", ".join(f"{k} = {v}" for k, v in side["terms"].items())
    return text


def _where(cell: dict) -> str:
    who = cell["category"] or "every applicant"
    regions = cell["regions"]
    return who + (", every district" if regions == "all" else ", " + "、".join(regions))


def _commands(data: dict, diff: dict) -> list[str]:
    target = diff["file"] or "WITNESS.json"
    return [f"policy explain {target} --plan {data['old']['path']}",
            f"policy explain {target} --plan {data['new']['path']}"]


def semantic_to_text(data: dict) -> str:
    old, new = (n.strip("`") for n in _names(data))  # two copies of one plan share an id: paths tell them apart
    out = [f"semantic diff: {old} -> {new}"]
    decision = None
    for cell in data["cells"]:
        if cell["decision"] != decision:
            decision = cell["decision"]
            out.append(f"\ndecision {decision}")
        out.append(f"  {_where(cell)}: {cell['verdict']}")
        for d in cell["differences"]:
            out.append(f"    {d['kind']}: {_result(d['old'])}  ->  {_result(d['new'])}")
            out.append(f"      articles: {', '.join(d['articles']) or '-'}"
                       + ("" if d["confirmed"] else "   (NOT confirmed by the evaluator)"))
            out.append("      witness: " + json.dumps(d["facts"], ensure_ascii=False, sort_keys=True))
            if d["file"]:
                out.append(f"      written to {d['file']}; check: " + " ; ".join(_commands(data, d)))
        for kind in cell["unwitnessed"]:
            out.append(f"    {kind}: exists, but no witness was found in time")
    if data["not_translated"]:
        out.append("\nnot translated (nothing is claimed for these):")
        out += [f"  {t}" for t in data["not_translated"]]
    out.append("\nassumptions: " + "; ".join(data["assumptions"]))
    same = sum(1 for c in data["cells"] if c["verdict"] == "equivalent")
    out.append(f"\n{'equivalent' if data['equivalent'] else 'different'}: {same} of {len(data['cells'])} cells "
               "equivalent")
    return "\n".join(out) + "\n"


def _names(data: dict) -> tuple[str, str]:
    """How the report names the two versions: id and version, or the paths of two copies of one plan."""
    same = (data["old"]["id"], data["old"]["version"]) == (data["new"]["id"], data["new"]["version"])
    return tuple(f"`{side['path']}`" if same else f"`{side['id']}` {side['version']}" for side in (data["old"], data["new"]))


def semantic_to_markdown(data: dict) -> str:
    old, new = _names(data)
    out = [f"# Semantic diff: {old} → {new}", "", "| decision | applicants | verdict | difference | articles |",
           "|---|---|---|---|---|"]
    for cell in data["cells"]:
        diffs = cell["differences"] or [None]
        for d in diffs:
            what = f"{d['kind']}: {_result(d['old'])} → {_result(d['new'])}" if d else ""
            arts = ", ".join(d["articles"]) if d else ""
            out.append(f"| {cell['decision']} | {_where(cell)} | {cell['verdict']} | {what} | {arts} |")
    witnesses = [(c, d) for c in data["cells"] for d in c["differences"]]
    if witnesses:
        out += ["", "## Witnesses", ""]
        for c, d in witnesses:
            out += [f"### {_where(c)}: {d['kind']}" + ("" if d["confirmed"] else " (not confirmed)"), "",
                    "```json", json.dumps(d["facts"], ensure_ascii=False, indent=2, sort_keys=True), "```", ""]
            if d["file"]:
                out += ["```sh", *_commands(data, d), "```", ""]
    if data["not_translated"]:
        out += ["", "## Not translated", ""] + [f"- {t}" for t in data["not_translated"]]
    out += ["", "## Assumptions", ""] + [f"- {a}" for a in data["assumptions"]]
    return "\n".join(out) + "\n"
