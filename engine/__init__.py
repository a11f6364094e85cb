"""The engine: AST -> checked plan -> graph -> evaluation -> trace. Nothing here names a city."""
from importlib import import_module

# Public name -> the module that defines it. Loaded on first use, so that a warm
# `policy explain` (a cached plan) pays for neither the parser, the differ nor the graph.
_EXPORTS = {
    "check_file": "compile", "compile_plan": "compile", "resolve_plan": "compile",
    "PlanDiff": "diff", "diff_plans": "diff",
    "evaluate": "evaluator",
    "FactsError": "facts", "facts_model": "facts", "merge_context": "facts", "parse_json": "facts",
    "validate_facts": "facts",
    "CheckedPlan": "plan",
    "Explanation": "trace", "Step": "trace",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value
