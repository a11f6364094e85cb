"""What `policy explain` does, without click: commands/explain.py declares its options, and
commands/script.py calls this directly for a plain invocation (a cold explain then never
loads click)."""
from __future__ import annotations

import re
import sys

from dsl.diagnostics import PolicyError, localized_headline, render_all

from .output import echo, wants_colour


def explain_files(facts: tuple[str, ...], plan_ref: str | None = None, context_path: str | None = None,
                  registry_path: str | None = None, fmt: str = "text", width: int | None = None, strict: bool = False,
                  decision: str | None = None, what_if: bool = False, record_path: str | None = None) -> int:
    """Decide and explain each facts file (see `policy explain --help`); the exit code."""
    from render.batch_view import problem_record
    from engine.run.compiled import (
        explain as fast_explain,  # the same Explanation as engine.evaluate, compiled
    )
    from engine.facts.case import choose_decision
    from engine.facts.fastcase import FastWorkspace
    from render import explanation_to_json, to_json_text

    workspace = FastWorkspace(plan_ref, context_path, registry_path, strict=strict)
    several = len(facts) > 1
    documents: list = []  # json: records; md, html: (file, Explanation or error text)
    bad = 0
    extras: dict[int, dict] = {}  # document index -> its --what-if record
    for number, path in enumerate(facts):
        if fmt in ("text", "doc") and several:
            echo(("\n" if number else "") + f"── {path} " + "─" * max(0, 60 - len(path)))
        try:
            case = workspace.open_case_file(path)
            chosen = choose_decision(case.plan, decision, case.facts, case.source)
            result = fast_explain(case.plan, case.facts, chosen, registry=case.registry)
            if record_path:
                _record(workspace, case, result, path, record_path, len(facts))
        except PolicyError as error:
            if not several:
                echo(render_all(error.diagnostics), err=True)
                return 2
            bad += 1
            echo(render_all(error.diagnostics), err=True)
            problems = [problem_record(d) for d in error.diagnostics]
            documents.append({"file": path, "error": problems[0], "errors": problems} if fmt == "json"
                             else (path, render_all(error.diagnostics), ()))
            if fmt == "text":
                from i18n import gettext as _

                echo(_("(not decided: {error})").format(error=localized_headline(error.diagnostics[0])))
            continue
        if case.warnings:
            echo(render_all(case.warnings), err=True)
        extra = what_if_record(case, result) if what_if else None
        if extra is not None:
            extras[len(documents)] = extra
        if fmt == "json":
            record = explanation_to_json(result)
            record["warnings"] = [problem_record(w) for w in case.warnings]
            if extra is not None:
                record["what_if"] = extra
            documents.append({"file": path, **record} if several else record)
        elif fmt in ("md", "html", "pdf"):  # a case file keeps its warnings: stderr is not filed
            documents.append((path, result, [localized_headline(w) for w in case.warnings], case))
        elif fmt == "doc":
            from render import case_document

            echo(case_document(result, case, "doc", width, [localized_headline(w) for w in case.warnings], extra), nl=False)
        else:
            import shutil

            from render import explanation_to_text

            tty = sys.stdout.isatty()
            echo(explanation_to_text(result, width or (shutil.get_terminal_size().columns if tty else 100),
                                     color=wants_colour(), case=case), nl=False)
            if extra is not None:
                from render.whatif_view import what_if_to_text

                echo(what_if_to_text(extra), nl=False)
    if fmt == "json":
        echo(to_json_text(documents if several else documents[0]))
    elif fmt == "md":
        echo(_markdown(documents, several, extras))
    elif fmt in ("html", "pdf"):
        from render import explanation_to_html, explanations_to_html

        # The counterfactuals are a section of each case document (render/case_whatif.py).
        page = (explanations_to_html(documents, extras) if several
                else explanation_to_html(*documents[0][1:3], case=documents[0][3], what_if=extras.get(0)))
        if fmt == "html":
            echo(page, nl=False)
        else:
            pdf = _pdf(page)
            if pdf is None:
                return 2
            sys.stdout.flush()
            sys.stdout.buffer.write(pdf)
            sys.stdout.flush()
    return 2 if bad else 0


def _pdf(page: str) -> bytes | None:
    """The case document as an A4 PDF (headless Chromium prints the page with its print CSS);
    None, having said why, when it cannot be written."""
    import subprocess

    from i18n import gettext as _
    from render.browser import html_to_pdf

    if sys.stdout.isatty():
        echo(_("policy explain: --format pdf writes a PDF: redirect it to a file (> case.pdf)"), err=True)
        return None
    try:
        return html_to_pdf(page)
    except (OSError, subprocess.SubprocessError) as error:  # no chromium, or it failed or hung
        echo(_("policy explain: --format pdf needs Chromium (`chromium` on PATH) to print the page ({reason}); "
               "write --format html and print it from a browser").format(reason=error), err=True)
        return None


def what_if_record(case, result) -> dict:
    """The counterfactuals (or the facts still needed) of one decided case, as a JSON record."""
    from engine.solver.needed import still_needed  # z3: only `--what-if` loads it
    from engine.solver.whatif import label_of, what_if
    from render.whatif_view import what_if_to_json

    found = what_if(case.plan, case.facts, result, result.decision)
    needed = still_needed(case.plan, case.facts, result.missing, result.decision) if result.outcome == "undetermined" else ()
    labels = {c.what: label_of(case.plan, c.what) for t in found.targets for c in t.changes if c.kind == "fact"}
    return what_if_to_json(found, needed, labels)


def _markdown(documents: list, several: bool, extras: dict | None = None) -> str:
    from render import explanation_to_markdown

    extras = extras or {}
    if not several:
        return explanation_to_markdown(*documents[0][1:3], case=documents[0][3], what_if=extras.get(0))
    parts = []
    for index, (path, item, warnings, *case) in enumerate(documents):
        if isinstance(item, str):
            from i18n import gettext as _

            body = _("Not decided:") + "\n\n```\n" + item + "\n```\n"
        else:  # each decision's headings one level down, under its file's
            body = explanation_to_markdown(item, warnings, case=case[0], what_if=extras.get(index))
            body = re.sub(r"^(#+) ", r"#\1 ", body, flags=re.MULTILINE)
        parts.append(f"# `{path}`\n\n{body}")
    return "\n".join(parts)


def _record(workspace, case, result, facts_path: str, record_path: str, how_many: int) -> None:
    """`--record FILE`: the decision as an audit record (commands/records.py)."""
    import json
    from pathlib import Path

    from dsl.diagnostics import Diagnostic
    from dsl.spans import Source, Span
    from render import explanation_to_json

    from .records import case_inputs, make_record, write_record

    if how_many > 1 or facts_path == "-":
        raise PolicyError([Diagnostic("V002", "--record takes one facts file, named by its path", Span(Source(facts_path,
                                      "")), "record each applicant on its own, or use `policy eval --records DIR`")])
    data = json.loads(Path(facts_path).read_text(encoding="utf-8-sig"))
    context, registry = case_inputs(workspace, data, facts_path)
    record = make_record(json.loads(json.dumps(explanation_to_json(result), ensure_ascii=False)), case.plan,
                         facts_path, context, registry, Path(record_path).parent)
    write_record(record, record_path)
