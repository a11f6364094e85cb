"""The engine: AST -> checked plan -> graph -> evaluation -> trace. Nothing here names a city.

One sub-package per stage, each importing only the ones below it:
values < reading < compile < registry < facts < run < diff, batch, allocation, solver.
"""
from importlib import import_module

# Public name -> the module that defines it. Loaded on first use, so that a warm
# `policy explain` (a cached plan) pays for neither the parser, the differ nor the graph.
_EXPORTS = {
    "check_file": "compile.pipeline", "compile_plan": "compile.pipeline", "resolve_plan": "compile.pipeline",
    "PlanDiff": "diff.structural", "diff_plans": "diff.structural",
    "evaluate": "run.evaluator",
    "FactsError": "facts.validate", "facts_model": "facts.validate", "merge_context": "facts.validate",
    "parse_json": "facts.validate", "validate_facts": "facts.validate",
    "CheckedPlan": "compile.plan",
    "Explanation": "run.trace", "Step": "run.trace",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value
