"""docs/facts.md is what the shipped plans declare, as `policy schema` gives it: it cannot drift."""
from __future__ import annotations

import json

from click.testing import CliRunner

from cli import main
from render.facts_doc import facts_markdown, shipped_plans
from tests.conftest import ROOT


def test_the_committed_page_is_the_generated_one():
    committed = (ROOT / "docs" / "facts.md").read_text(encoding="utf-8")
    assert committed == facts_markdown(shipped_plans()), \
        "docs/facts.md is stale: run `python -m render.facts_doc > docs/facts.md`"


def test_every_field_of_every_schema_is_on_the_page():
    page = (ROOT / "docs" / "facts.md").read_text(encoding="utf-8")
    for plan in shipped_plans():
        schema = json.loads(CliRunner().invoke(main, ["schema", str(plan)]).output)

        def walk(node, prefix=""):
            for key, sub in node.get("properties", {}).items():
                yield prefix + key, sub
                if "properties" in sub:
                    yield from walk(sub, prefix + key + ".")

        for path, sub in walk(schema):
            assert f"| `{path}` |" in page, path
            for code, label in (sub.get("x-labels") or {}).items():
                assert f"`{code}` {label}" in page
