"""The HTML record of one decision: the case document (render/case.py, case_html.py).

Kept as the name the docsite and integrators import; without the case (plan, facts,
registry) the document shows what the Explanation alone carries.
"""
from __future__ import annotations

from engine.trace import Explanation


def explanation_to_html(result: Explanation, case=None) -> str:
    from .case import case_document

    return case_document(result, case, "html")
