"""The JSON record of one line of `policy eval`: a decision, or the error that stopped the line.

A view, like the others in this package: engine/batch.py decides the lines and hands each
result here; the fields are those of BRIEF.md's batch contract.
"""
from __future__ import annotations

from engine.batch import error_record  # plain data from diagnostics: the engine's allocation rounds use it too

from .values import jsonable

__all__ = ["decision_record", "error_record", "internal_error_record", "traced_record"]


def decision_record(result, line: int, stamp: dict) -> dict:
    """The batch line of a decision (engine.compiled.Decision) without trace."""
    return {"line": line, "applicant": result.applicant_id, "outcome": result.outcome,
            "decided_by": {"rule": result.rule, "article": result.articles[0]} if result.rule else None,
            "reason": result.reason, "terms": {k: jsonable(v) for k, v in result.terms},
            "priorities": list(result.priorities), "values": {k: jsonable(v) for k, v in result.values},
            "missing": list(result.missing), "plan": stamp}


def traced_record(result, line: int) -> dict:
    """The batch line of a decision with its trace: the same fields, plus `why` and `trace`
    exactly as `policy explain --format json` gives them."""
    from .json_view import explanation_to_json

    full = explanation_to_json(result)
    by = full["decided_by"]
    return {"line": line, "applicant": full["applicant"]["id"], "outcome": full["outcome"],
            "decided_by": {"rule": by["rule"], "article": by["article"]["id"]} if by else None,
            "reason": full["reason"], "terms": full["terms"], "priorities": [p["rule"] for p in full["priorities"]],
            "values": full["values"], "missing": full["missing"], "plan": full["plan"], "why": full["why"],
            "trace": full["trace"]}


def internal_error_record(line: int, error: BaseException, applicant_id=None) -> dict:
    """A bug of ours on one line: reported on that line, the other lines are decided."""
    problem = {"code": "X000", "path": None, "message": f"internal error: {type(error).__name__}: {error}",
               "help": "please report this line; the other lines are decided"}
    return {"line": line, "applicant": applicant_id, "error": problem, "errors": [problem]}
