"""Trace snapshots a reviewer can read, for every shipped plan and example.

What a snapshot holds, and what it leaves to a test of its own:
- each plan's articles and readings, each text once (`test_articles`);
- one full JSON decision per plan, with every article given by id (`test_full_json`);
- per example, a small projection: the outcome and one line per trace step (`test_projection`);
- one text view per plan (and the Markdown and HTML views of one 沈阳 case, in test_shenyang).
Layout is normalised out: a step's `line`, the `(line N)` of `why` and the plan's `sha256`
change whenever a plan is reformatted, so they are tested below against the file itself, and
a plan laid out differently gives the same snapshots (`test_a_relaid_plan_changes_no_snapshot`).
What each example should decide is its own `expect` block (tests/test_expectations.py).
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from dsl.clauses import article_of
from engine import compile_plan, evaluate
from engine.facts.case import Workspace
from engine.run.expectations import differences
from render import explanation_to_json, explanation_to_text
from render.values import jsonable
from tests.conftest import POLICIES

PLANS = sorted(POLICIES.glob("*.policy"))
EXAMPLES = sorted(p for p in (POLICIES / "examples").glob("*/[0-9]*.json"))
SHA = re.compile(r"\b[0-9a-f]{64}\b|(?<=sha256 )[0-9a-f]{16}…")
LINE = re.compile(r"\(line \d+\)")


def case_of(path: Path):
    return Workspace().open_case_file(str(path))  # with the context and registry the file names


def explain(path: Path, plan=None):
    case = case_of(path)
    decision = json.loads(path.read_text(encoding="utf-8")).get("decision")  # BRIEF.md: the file may name it
    return evaluate(plan or case.plan, case.facts, decision, registry=case.registry)


def example_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def plan_of_example(path: Path) -> Path:
    return Path(case_of(path).plan.path)


def examples_of(plan_path: Path) -> list[Path]:
    return [p for p in EXAMPLES if plan_of_example(p).resolve() == plan_path.resolve()]


def first_example(plan_path: Path) -> Path:
    examples = examples_of(plan_path)
    if not examples:
        pytest.skip(f"{plan_path.name} has no example")
    return examples[0]


# ---- normalising: layout out, each article text once

def _mask(text: str) -> str:
    return LINE.sub("(line …)", SHA.sub("<sha256>", text))


def layout_free(result):
    """The decision with what layout decides masked before any view renders it (so a wrapped
    `(line 254)` cannot escape): no step lines, `(line …)` in `why`, a zero sha256."""
    def unlined(step):
        return step and replace(step, line=0)

    return replace(result, why=_mask(result.why), plan=replace(result.plan, sha256="0" * 64),
                   steps=tuple(map(unlined, result.steps)), decided_by=unlined(result.decided_by),
                   priorities=tuple(map(unlined, result.priorities)))


def normalised(data):
    """The JSON decision without layout (`line`, sha256, `(line N)`) and with articles by id."""
    if isinstance(data, dict):
        if set(data) == {"id", "text"}:
            return data["id"]
        return {k: normalised(v) for k, v in data.items() if k != "line"}
    if isinstance(data, list):
        return [normalised(v) for v in data]
    return _mask(data) if isinstance(data, str) else data


def projection(result) -> dict:
    """What a reviewer checks per example: the decision, then one line per step."""
    decided = result.decided_by
    steps = []
    for i, step in enumerate(result.steps, 1):
        if step.kind == "define":
            line = f"{i} define {step.name} = {json.dumps(jsonable(step.value), ensure_ascii=False)}"
        else:
            line = f"{i} {step.rule_kind} {step.name}: {step.status}"
            if step.value:
                line += f" -> {step.concludes}"
        if step.missing:
            line += f" (missing {', '.join(step.missing)})"
        steps.append(line)
    return {"outcome": result.outcome, "decided_by": f"{decided.name} ({decided.articles[0].id})" if decided else None,
            "reason": result.reason, "why": _mask(result.why), "terms": {k: jsonable(v) for k, v in result.terms},
            "priorities": [s.name for s in result.priorities], "missing": list(result.missing), "steps": steps}


# ---- the snapshots

@pytest.mark.parametrize("plan_path", PLANS, ids=lambda p: p.stem)
def test_articles(plan_path, snapshot):
    plan = compile_plan(plan_path)
    assert {"articles": {a.id: (a.status, a.text) for a in plan.articles.values()},
            "interpretations": dict(plan.interpretations)} == snapshot


@pytest.mark.parametrize("plan_path", PLANS, ids=lambda p: p.stem)
def test_full_json(plan_path, snapshot):
    first = first_example(plan_path)
    assert normalised(explanation_to_json(explain(first))) == snapshot


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_projection(path, snapshot):
    assert projection(explain(path)) == snapshot


@pytest.mark.parametrize("plan_path", PLANS, ids=lambda p: p.stem)
def test_text_view(plan_path, snapshot):
    first = first_example(plan_path)
    assert explanation_to_text(layout_free(explain(first)), width=100) == snapshot


# ---- what the snapshots leave out, tested against the file

@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_every_example_meets_its_expect_block(path):
    result = explain(path)
    expect = json.loads(path.read_text(encoding="utf-8")).get("expect")
    assert expect is not None, "every shipped example says what it expects"
    assert differences(result, expect) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_lines_sha256_and_article_texts_are_the_plans_own(path):
    case = case_of(path)
    result = explain(path)
    plan_file = Path(case.plan.path)
    lines = plan_file.read_text(encoding="utf-8").splitlines()
    data = explanation_to_json(result)
    assert data["plan"]["sha256"] == hashlib.sha256(plan_file.read_bytes()).hexdigest()
    for step in data["trace"]:  # each step points at its own declaration
        keyword = "define" if step["kind"] == "define" else "rule"
        assert re.match(rf"{keyword}\s+{re.escape(step['rule'])}\b", lines[step["line"] - 1]), step["rule"]
    decision = re.search(r"\(line (\d+)\)", result.why)
    if decision:  # `why` names the line of its decision
        assert lines[int(decision.group(1)) - 1].startswith(f"decision {result.decision}")
    articles = case.plan.articles  # an article given by id in a snapshot stands for exactly this text
    for article in [a for s in data["trace"] for a in s["articles"]] + (data["decided_by"] or {}).get("articles", []):
        # a sentence cited alone (二（二）第1句) is that sentence of its article, quoted as the plan quotes it
        assert article["text"] == case.plan.article_text(article["id"]) and article["text"]
        assert article["text"] in articles[article_of(article["id"])].text


def _relaid(text: str) -> str:
    """The same plan in another layout: every line moved down, continuation lines indented deeper."""
    text = re.sub(r"^  (?=\S)", "      ", text, flags=re.MULTILINE)
    return "\n\n" + text.replace("\n\n", "\n\n\n\n")


@pytest.mark.parametrize("plan_path", PLANS, ids=lambda p: p.stem)
def test_a_relaid_plan_changes_no_snapshot(plan_path, tmp_path):
    from dsl import format_policy

    shutil.copytree(POLICIES / "sources", tmp_path / "sources")
    original = plan_path.read_text(encoding="utf-8")
    relaid = _relaid(original)
    assert relaid != original
    copy = tmp_path / plan_path.name
    copy.write_text(relaid, encoding="utf-8")
    assert format_policy(relaid, str(copy)) == original  # `policy fmt` gives the shipped file back: layout only
    plan = compile_plan(copy)
    assert plan.stamp.sha256 != compile_plan(plan_path).stamp.sha256
    first_example(plan_path)
    examples = examples_of(plan_path)
    for path in examples:
        before, after = explain(path), explain(path, plan)
        assert projection(after) == projection(before)
        assert normalised(explanation_to_json(after)) == normalised(explanation_to_json(before))
        assert explanation_to_text(layout_free(after), width=100) == explanation_to_text(layout_free(before), width=100)
        assert [s.line for s in after.steps] != [s.line for s in before.steps]  # and the lines did move
