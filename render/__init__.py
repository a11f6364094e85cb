"""Views of a recorded trace: JSON for tools, a rich tree for the terminal, Markdown and HTML
for the case file.

This package sits at the edge and never re-evaluates; nothing under engine/ may import it
(tests/test_house.py).
"""
from .json_view import explanation_to_json, to_json_text

_LAZY = {"explanation_to_markdown": "markdown", "explanation_to_text": "text", "explanation_to_html": "html",
         "explanations_to_html": "html", "build_case": "case", "case_document": "case_formats"}
__all__ = ["build_case", "case_document", "explanation_to_html", "explanation_to_json", "explanation_to_markdown",
           "explanation_to_text", "explanations_to_html", "to_json_text"]


def __getattr__(name: str):
    # The text view brings rich in: `explain --format json` and `eval` never pay for it.
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
