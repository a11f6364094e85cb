"""The case document in the format asked for: one outline (render/case.py), three layouts
(render/case_markdown.py, case_text.py, case_html.py). The outline never imports a layout, so
a layout can be read and tested alone."""
from __future__ import annotations

from engine.run.trace import Explanation

from .case import build_case


def case_document(result: Explanation, case=None, fmt: str = "html", width: int | None = None, warnings=(),
                  what_if: dict | None = None) -> str:
    """The case document of a decided case (engine.facts.case.Case) as `html`, `md` or `doc` (plain text);
    `what_if` is the record of `explain --what-if` (render/whatif_view.py), shown as its own section."""
    doc = build_case(result, getattr(case, "plan", None), getattr(case, "facts", None), getattr(case, "registry", None),
                     warnings, what_if)
    if fmt == "md":
        from .case_markdown import case_to_markdown

        return case_to_markdown(doc)
    if fmt == "doc":
        from .case_text import case_to_text

        return case_to_text(doc, width or 80)
    from .case_html import case_to_html

    return case_to_html(doc)
