"""Evaluation: one decision core, the reference evaluator (the oracle), the compiled fast path, registry questions, the trace."""
