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


class Incremental:
    """Many questions over one set of assertions, each a few more terms (a category, a
    district, a kind of difference): asked first of one solver that holds the assertions and
    takes the extra terms as assumptions, so what it learns carries over from question to
    question (a 菏泽 semantic diff asks 160 of them: 20 × faster than a fresh solver each).
    Only a definite answer is taken from it: when it gives up within its share of the budget,
    the question goes to `solve`'s portfolio as before, so an answer is never less than
    `solve` would give."""

    SHARE = 0.05  # of the budget, as the portfolio's first try

    def __init__(self, assertions, timeout_ms: int):
        self.assertions = list(assertions)
        self.timeout_ms = timeout_ms
        self._solver: z3.Solver | None = None

    def check(self, *extra) -> str:
        if self._solver is None:
            self._solver = z3.Solver()
            self._solver.set("timeout", max(1, int(self.timeout_ms * self.SHARE)))
            self._solver.add(*self.assertions)
        result = self._solver.check(*extra)
        if result == z3.sat:
            return "sat"
        if result == z3.unsat:
            return "unsat"
        return solve([*self.assertions, *extra], self.timeout_ms)[0]
