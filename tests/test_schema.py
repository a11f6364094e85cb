"""`policy schema`: the facts schema accepts every shipped example and refuses what the engine refuses."""
from __future__ import annotations

import json

import jsonschema
import pytest
from click.testing import CliRunner

from cli import main
from engine.facts.validate import merge_context
from tests.conftest import POLICIES


def schema_of(plan_id: str) -> dict:
    result = CliRunner().invoke(main, ["schema", plan_id])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("city, plan_id", [("shenyang", "shenyang-2025-draft"), ("heze", "heze-2026")])
def test_every_shipped_example_is_valid(city, plan_id):
    schema = schema_of(plan_id)
    folder = POLICIES / "examples" / city
    context = json.loads((folder / "context-2026.json").read_text(encoding="utf-8"))
    for path in sorted(folder.glob("[0-9]*.json")):
        facts = merge_context(json.loads(path.read_text(encoding="utf-8")), context)
        jsonschema.validate(facts, schema)


def test_fields_carry_the_plans_names_units_and_labels():
    schema = schema_of("heze-2026")
    fund = schema["properties"]["city"]["properties"]["fund"]["properties"]
    assert fund["months_payable"] == {"type": ["number", "null"], "x-unit": "month", "description": "基金可支付月数"}
    category = schema["properties"]["applicant"]["properties"]["category"]
    assert "inpatient" in category["enum"] and "住院" in category["enum"]
    assert category["x-labels"]["inpatient"] == "住院"

    def keywords(node):
        if isinstance(node, dict):
            yield from node
            for value in node.values():
                yield from keywords(value)

    assert "required" not in set(keywords(schema))  # nothing is required: absent is missing


def test_wrong_types_and_unknown_districts_are_refused():
    schema = schema_of("shenyang-2025-draft")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"applicant": {"district": "朝阳区"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"applicant": {"location": {"lat": "41.8"}}}, schema)


def test_unknown_plan_is_bad_input():
    result = CliRunner().invoke(main, ["schema", "nowhere"])
    assert result.exit_code == 2 and "unknown plan `nowhere`" in result.output


def test_the_schema_speaks_the_language_of_the_run():
    # A system integrator in Chinese reads the schema's own words in Chinese; the plan's labels,
    # names and codes are the plan's, and the JSON keys and shape are the same in both languages.
    import json
    import re

    from click.testing import CliRunner

    import i18n
    from cli import main

    try:
        english = json.loads(CliRunner().invoke(main, ["--lang", "en", "schema", "heze-2026"]).output)
        chinese = json.loads(CliRunner().invoke(main, ["--lang", "zh", "schema", "heze-2026"]).output)
    finally:
        i18n.activate("en")
    assert english["properties"]["as_of"]["description"] == "the date the application is judged on"
    assert chinese["properties"]["as_of"]["description"] == "判定申请所依据的日期"

    def texts(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("description", "title") and isinstance(v, str):
                    yield v
                else:
                    yield from texts(v)
        elif isinstance(node, list):
            for v in node:
                yield from texts(v)

    def shape(node):
        if isinstance(node, dict):
            return {k: shape(v) for k, v in node.items() if k not in ("description", "title")}
        return [shape(v) for v in node] if isinstance(node, list) else node

    assert shape(chinese) == shape(english)
    left = [t for t in texts(chinese) if re.search(r"[A-Za-z]{3}", re.sub(r"`[^`]*`|heze-2026", "", t))]
    assert not left, left
