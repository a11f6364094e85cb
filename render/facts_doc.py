"""docs/facts.md: the facts contract as each shipped plan declares it, written from `policy schema`.

The page is generated, never edited by hand: `python -m render.facts_doc > docs/facts.md`.
tests/test_facts_doc.py checks that the committed page equals what this writes, so the
names, labels, units and enum codes it shows cannot drift from the plans.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterator

INTRO = """\
# Facts: the input contract of each shipped plan

Generated from `policy schema PLAN` by `python -m render.facts_doc > docs/facts.md`; a test
checks that this page equals what the plans declare, so do not edit it by hand.

A facts file is one JSON object, UTF-8 (a BOM is fine), given to `policy explain` (or one
object per line to `policy eval`). Rates and shares are fractions (0.05 means 5%), money is
in yuan, distances in metres, dates `YYYY-MM-DD`. A fact the plan needs and the file lacks
(or gives as `null`) is missing, never false: the outcome is then `undetermined` and
`missing` names it, unless another rule decides first. An enum takes its code or its
Chinese label (`pharmacy` or `零售药店`); the decision reports the code.

Besides the facts below, a facts file may give `"context"` (a file of city statistics, the
`city` object), `"registry"` (the CSV of designated institutions), `"decision"` (a decision
other than the plan's first) and `"expect"` (for `policy test`); paths are relative to the
facts file. A key no plan declares is reported as a warning naming the nearest declared name
(an error with `--strict`); keys of your own may start with `_` or `x-`.

The registry is a CSV `id,name,category,lat,lon` (more columns allowed); its `category` is a
category code of the facts or its label, or a name of the plan's `registry` block.
"""


def _kind(schema: dict[str, Any]) -> str:
    kinds = schema.get("type")
    kinds = [k for k in (kinds if isinstance(kinds, list) else [kinds]) if k and k != "null"]
    kind = kinds[0] if kinds else ""
    if kind == "string" and schema.get("format") == "date":
        return "date"
    if "enum" in schema:
        return "enum"
    if kind == "number" and schema.get("x-fraction"):
        return "fraction"
    return {"boolean": "true/false", "string": "text", "number": "number", "object": "object",
            "array": "list"}.get(kind, kind)


def _rows(schema: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    for key, sub in schema.get("properties", {}).items():
        path = f"{prefix}{key}"
        yield path, sub
        yield from _children(sub, path)


def _children(sub: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if "properties" in sub:
        yield from _rows(sub, path + ".")
    elif isinstance(sub.get("items"), dict):
        yield from _rows(sub["items"], path + "[].")
    elif isinstance(sub.get("additionalProperties"), dict):
        yield from _rows(sub["additionalProperties"], path + ".<name>.")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _codes(sub: dict[str, Any]) -> str:
    labels = sub.get("x-labels") or {}
    codes = [c for c in sub.get("enum", []) if c is not None and c not in labels.values()]
    return ", ".join(f"`{c}` {labels[c]}" if c in labels else f"`{c}`" for c in codes)


def plan_section(schema: dict[str, Any]) -> str:
    lines = [f"## {schema['title'].removeprefix('facts for ')}", "",
             "| JSON path | type | unit | name in the plan 「label」 | codes and labels |",
             "|---|---|---|---|---|"]
    for path, sub in _rows(schema):
        lines.append(f"| `{path}` | {_kind(sub)} | {_cell(sub.get('x-unit', ''))} | "
                     f"{_cell(sub.get('description', ''))} | {_cell(_codes(sub))} |")
    return "\n".join(lines) + "\n"


def registry_line(plan) -> str:
    """The registry categories a plan's registry file may name, and the other spellings it takes."""
    from engine.registry.vocabulary import registry_vocabulary

    known, aliases = registry_vocabulary(plan)
    if known is None:
        return ""
    spelled = {name: sorted(a for a, target in aliases.items() if target == name) for name in sorted(known)}
    names = ", ".join(f"`{n}`" + (f" (or {', '.join(f'`{a}`' for a in spelled[n])})" if spelled[n] else "")
                      for n in spelled)
    return f"\nRegistry `category` values: {names}; any other is refused.\n"


def facts_markdown(plan_paths: list[Path]) -> str:
    """The page for these plans, in the order given."""
    from engine import compile_plan
    from engine.facts.schema import facts_schema

    sections = []
    for path in plan_paths:
        plan = compile_plan(path)
        sections.append(plan_section(facts_schema(plan)) + registry_line(plan))
    return INTRO + "\n" + "\n".join(sections)


def shipped_plans() -> list[Path]:
    return sorted((Path(__file__).resolve().parent.parent / "policies").glob("*.policy"))


if __name__ == "__main__":
    sys.stdout.write(facts_markdown(shipped_plans()))
