"""The dependency graph of a checked plan: inputs -> (aggregates ->) definitions -> rules -> decisions.

Every edge carries the span of the reference that made it, so a tool reading the graph can
point at the text. Cycles never reach it: the checker refuses them first (C020, with every
hop), and unused inputs are not reported at all. The evaluation order is networkx's
lexicographic topological sort: deterministic, so nothing ever reorders between runs.
"""
from __future__ import annotations

import networkx as nx

from engine.compile import ir
from engine.compile.plan import CheckedPlan


def node_id(kind: str, name: str) -> str:
    return f"{kind}:{name}"


def _dependencies(root: ir.Node):
    for node in ir.walk(root):
        if isinstance(node, ir.InputRef):
            yield node_id("input", ".".join(node.path)), node.span
        elif isinstance(node, ir.DefRef):
            yield node_id("define", node.name), node.span
        elif isinstance(node, ir.AggRef):  # its argument's inputs are the aggregate node's own
            yield node_id("aggregate", node.name), node.span


def _add_edge(graph: nx.DiGraph, dep: str, me: str, span) -> None:
    # A fact every facts file may carry is read without being declared: applicant.id.
    if dep not in graph and dep.startswith("input:"):
        graph.add_node(dep, kind="input", name=dep.split(":", 1)[1], span=span)
    graph.add_edge(dep, me, span=span)


def build_graph(plan: CheckedPlan) -> nx.DiGraph:
    graph = nx.DiGraph()
    for dotted, info in plan.inputs.items():
        graph.add_node(node_id("input", dotted), kind="input", name=dotted, span=info.span)
    for population in plan.populations.values():
        for aggregate in population.aggregates:
            me = node_id("aggregate", aggregate.name)
            graph.add_node(me, kind="aggregate", name=aggregate.name, span=aggregate.span, articles=population.cites)
            for dep, span in _dependencies(aggregate.node):
                _add_edge(graph, dep, me, span)
    for name, define in plan.defines.items():
        me = node_id("define", name)
        graph.add_node(me, kind="define", name=name, span=define.span, articles=define.cites)
        for dep, span in _dependencies(define.node):
            _add_edge(graph, dep, me, span)
    for name, rule in plan.rules.items():
        me = node_id("rule", name)
        graph.add_node(me, kind="rule", name=name, span=rule.span, articles=rule.cites, rule_kind=rule.kind)
        for root in (rule.when, *(node for _, node in rule.assignments)):
            for dep, span in _dependencies(root):
                _add_edge(graph, dep, me, span)
    for name, decision in plan.decisions.items():
        me = node_id("decision", name)
        graph.add_node(me, kind="decision", name=name, span=decision.span)
        for rank, rule in enumerate((*decision.precedence, *decision.notes)):
            graph.add_edge(node_id("rule", rule), me, rank=rank)
    # INVARIANT: the checker has already refused definition cycles with their path.
    assert nx.is_directed_acyclic_graph(graph)
    return graph


def attach_graph(plan: CheckedPlan) -> CheckedPlan:
    plan.graph = build_graph(plan)
    plan.order = tuple(nx.lexicographical_topological_sort(plan.graph))
    return plan


def needed_inputs(plan: CheckedPlan, target: str) -> list[str]:
    """The inputs a node depends on, directly or through definitions."""
    return sorted(n.split(":", 1)[1] for n in nx.ancestors(plan.graph, target) if n.startswith("input:"))


def to_dot(plan: CheckedPlan) -> str:
    """Graphviz text of the plan's graph, for `policy graph`."""
    shapes = {"input": "note", "define": "box", "aggregate": "box3d", "rule": "diamond", "decision": "doubleoctagon"}
    lines = ["digraph plan {", "  rankdir=LR;", '  node [fontname="Noto Sans CJK SC"];']
    for node in plan.order:
        data = plan.graph.nodes[node]
        label = data["name"] + ("\\n" + ", ".join(data["articles"]) if data.get("articles") else "")
        lines.append(f'  "{node}" [label="{label}", shape={shapes[data["kind"]]}];')
    for a, b in sorted(plan.graph.edges):
        lines.append(f'  "{a}" -> "{b}";')
    lines.append("}")
    return "\n".join(lines)
