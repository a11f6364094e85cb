"""The JSON decision record of BRIEF.md's contract: stable keys, numbers as JSON numbers."""
from __future__ import annotations

import json
from typing import Any

from engine.run.decide import OTHERWISE
from engine.run.trace import Explanation, Step

from .values import jsonable


def _article(article) -> dict[str, Any]:
    return {"id": article.id, "text": article.text}


def step_to_json(step: Step, index: int) -> dict[str, Any]:
    first = step.articles[0] if step.articles else None
    record: dict[str, Any] = {
        "step": index,
        "kind": step.kind,
        "rule": step.name,
        "article": _article(first) if first else None,
        "articles": [_article(a) for a in step.articles],
        "readings": [r.text for a in step.articles for r in a.readings],  # English, as ever
        "readings_zh": [r.zh for a in step.articles for r in a.readings],  # each one's Chinese text, or null
        "reads": {path: jsonable(value) for path, value in step.reads},
        "uses": {name: jsonable(value) for name, value in step.uses},
        "line": step.line,
    }
    if step.file:  # a rule of the plan this one extends: its line is in that file
        record["file"] = step.file
    if step.kind == "define":
        record["value"] = jsonable(step.value)
        if step.label:
            record["label"] = step.label
    else:
        record.update({
            "rule_kind": step.rule_kind,
            "applies": step.value,
            "status": step.status,
            "concludes": step.concludes,
            "reason": step.reason,
            "terms": {k: jsonable(v) for k, v in step.terms},
        })
    record["missing"] = list(step.missing)
    return record


def explanation_to_json(result: Explanation) -> dict[str, Any]:
    decided = result.decided_by
    decided_json = None
    if decided is not None:
        first = decided.articles[0]
        decided_json = {"rule": decided.name, "kind": decided.rule_kind, "article": _article(first),
                        "articles": [_article(a) for a in decided.articles], "why": result.why}
    elif result.by_otherwise:  # the decision's own `otherwise` clause decided: it cites no article
        decided_json = {"rule": OTHERWISE, "kind": OTHERWISE, "article": None, "articles": [],
                        "line": result.otherwise_line, "why": result.why}
    return {
        "plan": result.plan.as_json(),
        "decision": result.decision,
        "applicant": {"id": result.applicant_id},
        "as_of": result.as_of,
        "notices": list(result.notices),
        "outcome": result.outcome,
        "reason": result.reason,
        "decided_by": decided_json,
        "why": result.why,
        "terms": {k: jsonable(v) for k, v in result.terms},
        "priorities": [{"rule": s.name, "article": _article(s.articles[0]), "note": s.reason} for s in result.priorities],
        "priorities_unknown": [{"rule": s.name, "article": _article(s.articles[0]), "note": s.reason,
                                "missing": list(s.missing)} for s in result.priorities_unknown],
        "steering": [{"rule": s.name, "article": _article(s.articles[0]), "direction": s.concludes, "note": s.reason}
                     for s in result.steering],
        "values": {k: jsonable(v) for k, v in result.values},
        "trace": [step_to_json(s, i) for i, s in enumerate(result.steps, 1)],
        "missing": list(result.missing),
        "interpretations": [{"article": a, "text": r.text, "zh": r.zh} for a, r in result.readings()],
    }


def to_json_text(data: Any, indent: int | None = 2) -> str:
    return json.dumps(data, ensure_ascii=False, indent=indent, sort_keys=False)
