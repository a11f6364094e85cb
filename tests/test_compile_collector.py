"""What the compiler's speed-ups must not change: the collector is back as it was after any
compile, and the IR walk every pass and stage uses visits nodes in the order it always did."""
from __future__ import annotations

import gc

import pytest

from dsl.diagnostics import PolicyError
from engine.compile import ir
from engine.compile.pipeline import compile_plan
from tests.conftest import POLICIES


def test_compile_pauses_the_collector_and_gives_it_back_as_it_was(monkeypatch, write_policy):
    from engine.compile import graph

    seen = []
    attach = graph.attach_graph
    monkeypatch.setattr(graph, "attach_graph", lambda plan: (seen.append(gc.isenabled()), attach(plan))[1])
    assert gc.isenabled()
    compile_plan(POLICIES / "heze-2026.policy")
    assert seen == [False] and gc.isenabled()
    with pytest.raises(PolicyError):
        compile_plan(write_policy('plan "x"\n  title "x"\n  version "1"\nrule r : gate\n'))
    assert gc.isenabled()  # after an error too
    gc.disable()
    try:
        compile_plan(POLICIES / "heze-2026.policy")
        assert not gc.isenabled()  # a caller's pause is not ended by the compiler
    finally:
        gc.enable()


def _recursive_walk(node):
    yield node
    for child in ir.children(node):
        yield from _recursive_walk(child)


@pytest.mark.parametrize("name", ["heze-2026.policy", "shenyang-2025-draft.policy"])
def test_the_walk_is_pre_order_left_to_right(name):
    plan = compile_plan(POLICIES / name)
    roots = [d.node for d in plan.defines.values()]
    roots += [n for r in plan.rules.values() for n in (r.when, *(x for _, x in r.assignments))]
    roots += [a.node for p in plan.populations.values() for a in p.aggregates]
    walked = [list(ir.walk(root)) for root in roots]
    assert all(w == list(_recursive_walk(root)) and all(a is b for a, b in zip(w, _recursive_walk(root)))
               for w, root in zip(walked, roots))
    assert max(map(len, walked)) > 5  # the plans have expressions of many nodes, not only leaves
