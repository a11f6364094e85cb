"""Views of a recorded trace: JSON for tools, a rich tree for the terminal, Markdown for the file.

This package sits at the edge: the engine never imports it, and it never re-evaluates.
"""
from .json_view import explanation_to_json, to_json_text
from .markdown import explanation_to_markdown
from .text import explanation_to_text

__all__ = ["explanation_to_json", "explanation_to_markdown", "explanation_to_text", "to_json_text"]
