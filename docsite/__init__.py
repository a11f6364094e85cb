"""`policy doc`: a plan as a static site a reader navigates from article to rule and back.

`build_site(plan)` returns every page (file name -> text) of a checked plan; `write_site`
writes them into a folder. The examples shown are the facts files under the plan's
`examples/*/` folder that name the plan, decided as `policy explain` decides them.
"""
from __future__ import annotations

import os
import tempfile
from dsl.dataclass_cache import dataclass
from pathlib import Path

from . import pages
from .svg import graph_svg


@dataclass(frozen=True, slots=True)
class Example:
    file: str  # relative to the plan's folder
    applicant: str | None
    decision: str
    outcome: str
    rule: str | None
    article: str | None
    reason: str | None
    expected: str | None  # the outcome the file's "expect" block says, if it has one
    record: str | None = None  # the decision as `policy explain --format html` writes it

    @property
    def page(self) -> str:
        return "example-" + self.file.removeprefix("examples/").replace("/", "--").removesuffix(".json") + ".html"


def examples(plan) -> list[Example]:
    """Every example facts file of the plan, decided; one that cannot be decided says why."""
    from dsl.diagnostics import PolicyError
    from engine.facts.case import Workspace
    from engine.run.evaluator import evaluate
    from engine.reading.reader import parse_json, read_source
    from render import explanation_to_html

    folder = Path(plan.path).parent
    workspace = Workspace(plan_ref=plan.path)
    found = []
    for path in sorted(folder.glob("examples/*/*.json")):
        try:
            data = parse_json(read_source(str(path)))  # the one reader: a FIFO or a GBK file is refused, not hung on
        except PolicyError:
            continue  # not a facts file of any plan: `policy test` is where bad files are reported
        if not isinstance(data, dict) or data.get("plan") != plan.stamp.id or not isinstance(data.get("applicant"), dict):
            continue  # a context, or a round's expected allocation (policy test checks those)
        name = str(path.relative_to(folder))
        expect = data.get("expect") if isinstance(data.get("expect"), dict) else {}
        decision = data.get("decision") if isinstance(data.get("decision"), str) else plan.main_decision.name
        try:
            case = workspace.open_case_file(str(path))
            result = evaluate(case.plan, case.facts, decision, registry=case.registry)
        except (PolicyError, KeyError) as error:
            reason = error.diagnostics[0].message if isinstance(error, PolicyError) and error.diagnostics else str(error)
            found.append(Example(name, None, decision, "not decided", None, None, reason, expect.get("outcome")))
            continue
        step = result.decided_by
        article = step.articles[0].id if step is not None and step.articles else None
        found.append(Example(name, result.applicant_id, decision, result.outcome, step.name if step else None, article,
                             result.reason, expect.get("outcome"), explanation_to_html(result, case=case)))
    return found


def _source_starts(plan) -> dict[int, str]:
    if plan.source_document is None:
        return {}
    from engine.compile.coverage import source_articles

    return {entry.line: entry.id for entry in source_articles(plan.source_document).values()}


def build_site(plan) -> dict[str, str]:
    """File name -> page, for a checked plan with its graph (engine.compile_plan)."""
    encoded = pages.encoders(plan)
    decided = examples(plan)
    starts = _source_starts(plan)
    anchored = set(starts.values())

    def node_href(kind: str, name: str) -> str:
        if kind == "aggregate":
            return pages.aggregate_href(name)
        return pages.href(kind, name) if kind in ("rule", "define", "decision") else \
            "inputs.html#" + pages.quote("input-" + name)

    svg = graph_svg(plan, node_href)
    site = {"index.html": pages.index_page(plan, encoded), "source.html": pages.source_page(plan, starts),
            "rules.html": pages.list_page(plan, "rule", "Rules"),
            "definitions.html": pages.list_page(plan, "define", "Definitions"),
            "inputs.html": pages.inputs_page(plan, encoded), "graph.svg": svg + "\n",
            "graph.html": pages.graph_page(plan, svg), "examples.html": pages.examples_page(plan, decided)}
    for article in plan.articles.values():
        site[pages.page_name("article", article.id)] = pages.article_page(plan, article, encoded, article.id in anchored)
    for name in plan.rules:
        site[pages.page_name("rule", name)] = pages.rule_page(plan, name, decided)
    for name in plan.defines:
        site[pages.page_name("define", name)] = pages.define_page(plan, name)
    for name in plan.decisions:
        site[pages.page_name("decision", name)] = pages.decision_page(plan, name)
    back = '<body><p><a href="examples.html">← the examples of the plan</a></p>'
    for example in decided:
        if example.record is not None:  # the case record as explain writes it, with a way back
            site[example.page] = example.record.replace("<body>", back, 1)
    return site


def write_site(site: dict[str, str], folder: str | Path) -> list[Path]:
    """Write every page; each file appears whole or not at all (a temporary file, then a rename)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in sorted(site.items()):
        target = out / name
        handle, temporary = tempfile.mkstemp(dir=out, prefix=".policy-doc-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(target)
    return written
