"""One place that asks z3, with a small portfolio so a hard question is not lost to bad luck.

Nonlinear questions (菏泽's 测算值 multiplies and divides a dozen facts) sometimes run out of
time under one random seed and answer in milliseconds under another. Each question is tried
under a few seeds and one preprocessing tactic, each with a share of the time budget; only when
all of them give up is the answer `unknown`, which callers report as such, never as a proof.
"""
from __future__ import annotations

import z3

# (solver, seed, share of the budget): short tries first, since most questions take milliseconds.
ATTEMPTS = (("smt", 0, 0.05), ("smt", 1, 0.05), ("tactic", 0, 0.1), ("smt", 2, 0.2), ("smt", 3, 0.6))


def _make(kind: str, seed: int) -> z3.Solver:
    if kind == "tactic":
        return z3.Then("simplify", "propagate-values", "solve-eqs", "smt").solver()
    s = z3.Solver()
    s.set("random_seed", seed)
    return s


def solve(assertions, timeout_ms: int) -> tuple[str, z3.Solver]:
    """("sat" | "unsat" | "unknown", the solver that answered, holding the assertions)."""
    solver = None
    for kind, seed, share in ATTEMPTS:
        solver = _make(kind, seed)
        solver.set("timeout", max(1, int(timeout_ms * share)))
        solver.add(*assertions)
        result = solver.check()
        if result == z3.sat:
            return "sat", solver
        if result == z3.unsat:
            return "unsat", solver
    return "unknown", solver
