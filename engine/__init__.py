"""The engine: AST -> checked plan -> graph -> evaluation -> trace. Nothing here names a city."""
from .compile import check_file, compile_plan, resolve_plan
from .diff import PlanDiff, diff_plans
from .evaluator import evaluate
from .facts import FactsError, facts_model, merge_context, parse_json, validate_facts
from .plan import CheckedPlan
from .trace import Explanation, Step

__all__ = ["CheckedPlan", "Explanation", "FactsError", "Step", "check_file", "compile_plan", "evaluate",
           "facts_model", "merge_context", "parse_json", "resolve_plan", "validate_facts"]
__all__ += ["PlanDiff", "diff_plans"]
