"""The screenshots of docs/case-documents.md: one case document per outcome the shipped examples give.

`python -m render.case_gallery docs/case-documents` decides every example under
policies/examples (each facts file by the decision it names, 试运行 and 双通道 included; each
population file, such as the 年度考核 of a year's institutions, as `policy eval` decides it,
both passes), keeps one case per outcome (one with a registry when there is one: its map shows
the neighbours), writes each as a Chinese page, and a few in English, has headless Chromium
(render/browser.py) draw them, and rewrites the table of docs/case-documents.md between its
`<!-- gallery -->` markers. Outcomes come from deciding, not from the files' "expect".
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "policies" / "examples"
DOC = ROOT / "docs" / "case-documents.md"
ENGLISH = ("eligible", "pass", "terminated")  # shown in English too: admission, annual review, trial year
START, END = "<!-- gallery -->", "<!-- /gallery -->"


def decided_examples():
    """(outcome, decision, where, Explanation, Case) of every decided example, file by file, line by line."""
    from dsl.diagnostics import PolicyError
    from engine.batch.population import decided_lines, population_of
    from engine.batch.stream import Batch
    from engine.facts.case import choose_decision
    from engine.facts.fastcase import FastWorkspace
    from engine.run.compiled import explain

    workspace = FastWorkspace(None, None, None)
    for path in sorted(EXAMPLES.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not ({"applicant", "institution"} & set(data)):
            continue  # a context, an expected round
        case = workspace.open_case_file(str(path))
        result = explain(case.plan, case.facts, choose_decision(case.plan, None, case.facts, case.source),
                         registry=case.registry)
        yield result.outcome, result.decision, path.relative_to(ROOT), result, case
    for path in sorted(EXAMPLES.rglob("*.jsonl")):
        batch = Batch(str(path), FastWorkspace(None, None, None), True)
        try:
            population = population_of(batch, None, None)
        except PolicyError:
            continue
        if population is None:
            continue  # a round for `policy allocate`, not a population decision
        for line in decided_lines(batch, *population, explain=True):
            if line.case is not None:
                yield (line.result.outcome, line.result.decision, Path(f"{path.relative_to(ROOT)}:{line.number}"),
                       line.result, line.case)


def one_per_outcome() -> dict[str, tuple]:
    chosen: dict[str, tuple] = {}
    for item in decided_examples():
        outcome, _decision, _where, _result, case = item
        if outcome not in chosen or (case.registry is not None and chosen[outcome][4].registry is None):
            chosen[outcome] = item
    return chosen


def gallery_table(rows: list[tuple[str, str, str, str]]) -> str:
    lines = [START, "", "| outcome | decision | example | document |", "|---|---|---|---|"]
    lines += [f"| {outcome} ({lang}) | {decision} | `{where}` | ![{outcome} {lang}](case-documents/{outcome}-{lang}.png) |"
              for outcome, decision, where, lang in rows]
    return "\n".join(lines + ["", END])


def main(argv: list[str]) -> int:
    import i18n
    from render.browser import screenshot
    from render.case_formats import case_document

    os.environ.setdefault("SOURCE_DATE_EPOCH", "1780000000")  # the footer's "generated at", fixed
    out = Path(argv[0] if argv else ROOT / "docs" / "case-documents")
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for outcome, (_o, decision, where, result, case) in sorted(one_per_outcome().items()):
        for lang in ("zh", "en") if outcome in ENGLISH else ("zh",):
            i18n.activate(lang)
            page = out / f"{outcome}-{lang}.html"
            page.write_text(case_document(result, case, "html"), encoding="utf-8")
            screenshot(page, out / f"{outcome}-{lang}.png")
            page.unlink()
            rows.append((outcome, decision, str(where), lang))
            print(f"{out / f'{outcome}-{lang}.png'}: {where}")
    i18n.activate("en")
    text = DOC.read_text(encoding="utf-8")
    if START in text and END in text:
        head, rest = text.split(START, 1)
        DOC.write_text(head + gallery_table(rows) + rest.split(END, 1)[1], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
