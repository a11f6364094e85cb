"""The policy language: source text -> AST. Nothing here knows any city."""
from .ast import PolicyFile
from .diagnostics import Diagnostic, PolicyError, render, render_all
from .parser import parse_file, parse_policy
from .spans import Source, Span

__all__ = ["Diagnostic", "PolicyError", "PolicyFile", "Source", "Span", "parse_file", "parse_policy", "render", "render_all"]
