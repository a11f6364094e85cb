"""The Markdown record of one decision: the case document (render/case.py, case_markdown.py)."""
from __future__ import annotations

from typing import Sequence

from engine.run.trace import Explanation


def explanation_to_markdown(result: Explanation, warnings: Sequence[str] = (), case=None,
                            what_if: dict | None = None) -> str:
    from .case_formats import case_document

    return case_document(result, case, "md", warnings=warnings, what_if=what_if)
