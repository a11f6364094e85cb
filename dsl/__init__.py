"""The policy language: source text -> AST. Nothing here knows any city."""
from .diagnostics import Diagnostic, PolicyError, render, render_all
from .spans import Source, Span

_LAZY = {"PolicyFile": "ast", "format_policy": "formatter", "parse_file": "parser", "parse_policy": "parser"}


def __getattr__(name: str):
    # The parser brings lark in: only what parses pays for it (a cached plan never does).
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["Diagnostic", "PolicyError", "PolicyFile", "Source", "Span", "format_policy", "parse_file", "parse_policy",
           "render", "render_all"]
