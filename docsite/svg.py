"""The dependency graph of a plan as an SVG picture, laid out here (no Graphviz needed).

Columns by depth: a node stands one column right of the deepest node it depends on, so
inputs are on the left, the decision on the right, and every edge runs left to right. Within
a column nodes keep the plan's evaluation order (deterministic). Each node is a link to its
page; every text is escaped.
"""
from __future__ import annotations

from html import escape

from dsl.printer import display_width

_COLOURS = {"input": "#eef3f8", "aggregate": "#e6f4f4", "define": "#eef8ee", "rule": "#fbf3e6", "decision": "#f3ecf8"}
_ROW, _HEIGHT, _GAP, _CHAR, _PAD = 30, 22, 70, 7.2, 10


def _e(value) -> str:
    return escape(str(value), quote=True)


def graph_svg(plan, href) -> str:
    """`href(kind, name)` gives each node's link, or None for a node without a page."""
    graph = plan.graph
    depth: dict[str, int] = {}
    for node in plan.order:  # a topological order: every dependency is placed first
        depth[node] = max((depth[p] + 1 for p in graph.predecessors(node)), default=0)
    columns: dict[int, list[str]] = {}
    for node in plan.order:
        columns.setdefault(depth[node], []).append(node)
    widths = {c: max(display_width(graph.nodes[n]["name"]) for n in nodes) * _CHAR + 2 * _PAD
              for c, nodes in columns.items()}
    x_of, place = 10.0, {}
    for c in sorted(columns):
        for row, node in enumerate(columns[c]):
            place[node] = (x_of, 40 + row * _ROW, widths[c])
        x_of += widths[c] + _GAP
    height = 40 + max(len(nodes) for nodes in columns.values()) * _ROW + 10
    width = x_of - _GAP + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height}" '
           f'viewBox="0 0 {width:.0f} {height}" font-family="Noto Sans CJK SC, sans-serif" font-size="12" '
           f'role="img" aria-label="dependency graph of {_e(plan.stamp.id)}">',
           f"<title>{_e(plan.stamp.id)}: inputs → definitions → rules → decisions</title>"]
    for i, kind in enumerate(("input", "define", "rule", "decision")):
        out.append(f'<rect x="{10 + i * 110}" y="8" width="14" height="14" fill="{_COLOURS[kind]}" stroke="#777"/>'
                   f'<text x="{28 + i * 110}" y="20">{kind}</text>')
    for a, b in sorted(graph.edges):
        ax, ay, aw = place[a]
        bx, by, _ = place[b]
        x1, y1, x2, y2 = ax + aw, ay + _HEIGHT / 2, bx, by + _HEIGHT / 2
        mid = (x1 + x2) / 2
        out.append(f'<path d="M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" '
                   f'fill="none" stroke="#99a" stroke-width="1"><title>{_e(a)} → {_e(b)}</title></path>')
    for node in plan.order:
        data = graph.nodes[node]
        x, y, w = place[node]
        box = (f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{_HEIGHT}" rx="4" fill="{_COLOURS[data["kind"]]}" '
               f'stroke="#777"/><text x="{x + _PAD:.1f}" y="{y + 15}">{_e(data["name"])}</text>')
        link = href(data["kind"], data["name"])
        out.append(f'<a href="{_e(link)}" id="{_e(node)}">{box}</a>' if link else f'<g id="{_e(node)}">{box}</g>')
    out.append("</svg>")
    return "\n".join(out)
