"""The solver stage: the checked IR as z3 constraints, and the questions asked of them.

`translate` turns a plan into terms with the evaluator's three-valued semantics; `spaces`
says where the facts come from; `semantic_diff`, `whatif`, `needed` and `lints` ask the
questions (whom two versions treat differently, what would change an outcome, which
missing fact settles it first, which rules are dead or shadowed). z3 is imported only here,
so ordinary commands never load it.
"""
