"""Decision records: `explain --record`, `eval --records` write them, `policy verify` replays one.

A record is the decision's JSON (as `explain --format json` prints it) with what it was made
from: the plan, its source document, the facts, the context and the registry, each with its
sha256 and its path (relative to the record's folder), the engine's version and code hash,
and the date judged. docs/records.md describes the fields and how to verify one in ten years.
"""
from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from i18n import N_
from i18n import gettext as _

from dsl.diagnostics import Diagnostic, PolicyError
from dsl.spans import Source, Span

from ._common import atomic_output, fail


# The recorded files, as a difference names them (the record's keys stay as they are).
KINDS = {"facts": N_("facts"), "context": N_("context"), "registry": N_("registry")}


def case_inputs(workspace, data: dict, facts_path: str) -> tuple[str | None, str | None]:
    """The context and registry files a case was judged with, as engine/facts/case.py chooses them."""
    from engine.facts.case import named_path

    base = Path(facts_path).parent if facts_path != "-" else Path.cwd()
    source = Source(facts_path, "")
    context = workspace.context_path
    if context is None and isinstance(data.get("context"), str):
        context = named_path(base, data["context"], "context", source)
    registry = workspace.registry_path
    if registry is None and isinstance(data.get("registry"), str):
        registry = named_path(base, data["registry"], "registry", source)
    return context, registry


def make_record(explanation_json: dict, plan, facts_path: str, context: str | None, registry: str | None,
                record_folder: Path, line: int | None = None) -> dict:
    """The audit record of one decision; paths relative to `record_folder`."""
    from engine.batch.records import (FORMAT, FORMAT_VERSION, engine_identity, file_identity, json_identity,
                                plan_identity, relative_to)

    identities = plan_identity(plan)
    facts = json_identity(facts_path, line)
    made = datetime.now(timezone.utc).replace(microsecond=0)

    def placed(identity: dict | None) -> dict | None:
        if identity is None:
            return None
        return {**identity, "path": relative_to(identity["path"], record_folder), "absolute": str(
            Path(identity["path"]).resolve())}

    return {
        "record": FORMAT, "format": FORMAT_VERSION,
        "made_at": made.isoformat().replace("+00:00", "Z"),
        "judged_on": explanation_json.get("as_of") or made.date().isoformat(),
        "engine": engine_identity(),
        "plan": placed(identities["plan"]),
        "source_document": placed(identities["source_document"]),
        "facts": placed(facts),
        "context": placed(json_identity(context)) if context else None,
        "registry": placed(file_identity(registry)) if registry else None,
        "decision": explanation_json.get("decision"),
        "outcome": explanation_json["outcome"],
        "explanation": explanation_json,
    }


def write_record(record: dict, path: str) -> None:
    """Write one record whole (a temporary file renamed into place), or raise PolicyError."""
    with atomic_output(path) as out:
        out.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")


def _bad_record(path: str, message: str, hint: str | None = None) -> PolicyError:
    return PolicyError([Diagnostic("V001", message, Span(Source(path, "")), hint)])


def _locate(record: dict, kind: str, given: str | None, record_folder: Path) -> str | None:
    """Where a recorded file is now: the path given again, else beside the record, else the absolute path."""
    if given:
        return given
    entry = record.get(kind)
    if not entry:
        return None
    relative = Path(os.path.normpath(record_folder / entry["path"]))
    if relative.exists() or not entry.get("absolute"):
        return str(relative)
    return entry["absolute"]


def verify_record(path: str, plan: str | None = None, facts: str | None = None, context: str | None = None,
                  registry: str | None = None) -> str | None:
    """Replay a record: None when everything is the same, else the first difference, in words."""
    from engine.batch.records import FORMAT, engine_identity, file_identity, first_json_difference, json_identity, \
        plan_text_sha256

    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise _bad_record(path, f"cannot read decision record `{path}`: {getattr(error, 'strerror', None) or error}") \
            from None
    if not isinstance(record, dict) or record.get("record") != FORMAT:
        raise _bad_record(path, f"`{path}` is not a decision record", "write one with `policy explain --record FILE`")
    folder = Path(path).parent
    where = {kind: _locate(record, kind, given, folder) for kind, given in
             (("plan", plan), ("facts", facts), ("context", context), ("registry", registry))}

    # 1. the files, in the order an auditor asks about them
    plan_path = where["plan"]
    try:
        now = plan_text_sha256(plan_path)
    except (OSError, UnicodeDecodeError) as error:
        return _("plan: cannot read `{path}` ({reason})").format(path=plan_path, reason=getattr(error, "strerror", None) or error)
    if now != record["plan"]["sha256"]:
        return _("plan: `{path}` has sha256 {now}, the record {then}").format(path=plan_path, now=now,
                                                                             then=record["plan"]["sha256"])
    document = record.get("source_document")
    if document:
        document_path = _source_of(plan_path)  # the plan is the recorded one: so is the `source` it names
        try:
            now = file_identity(document_path)["sha256"]
        except (OSError, TypeError) as error:
            return _("source document: cannot read `{path}` ({reason})").format(
                path=document_path, reason=getattr(error, "strerror", None) or error)
        if now != document["sha256"]:
            return _("source document: `{path}` has sha256 {now}, the record {then}").format(
                path=document_path, now=now, then=document["sha256"])
    parent = record["plan"].get("extends")
    if parent:  # the plan it builds on, and that plan's source: a changed guidance changes the decision
        changed = _parent_changed(plan_path, parent)
        if changed:
            return changed
    for kind, identify in (("facts", json_identity), ("context", json_identity), ("registry", file_identity)):
        entry = record.get(kind)
        if not entry:
            if kind != "facts" and where[kind]:
                return _("{kind}: the record was made without one, `{path}` is given now").format(
                    kind=_(KINDS[kind]), path=where[kind])
            continue
        try:
            now = identify(where[kind], entry["line"]) if kind == "facts" and entry.get("line") else identify(where[kind])
        except (OSError, ValueError, UnicodeDecodeError) as error:
            return _("{kind}: cannot read `{path}` ({reason})").format(
                kind=_(KINDS[kind]), path=where[kind], reason=getattr(error, "strerror", None) or error)
        if now["sha256"] != entry["sha256"]:
            return _("{kind}: `{path}` has sha256 {now}, the record {then}").format(
                kind=_(KINDS[kind]), path=where[kind], now=now["sha256"], then=entry["sha256"])
    engine = engine_identity()
    for field in ("version", "code_sha256"):
        if engine[field] != record["engine"].get(field):
            return _("engine: {field} is {now}, the record was made by {then} (install that version to replay it: "
                     "docs/records.md)").format(field=field, now=engine[field], then=record["engine"].get(field))

    # 2. the decision, made again from those files
    try:
        explanation = _decide_again(record, plan_path, where)
    except PolicyError as error:
        return _("decision: cannot be made again: {problem}").format(problem=error.diagnostics[0].headline())
    if explanation["outcome"] != record["outcome"]:
        return _("outcome: {now} now, {then} in the record").format(now=explanation["outcome"], then=record["outcome"])
    difference = first_json_difference(record["explanation"], explanation)
    if difference:
        return _("decision: the explanation differs at `{path}`").format(path=difference)
    return None


def _parent_changed(plan_path: str, recorded: dict) -> str | None:
    """How the plan a recorded plan extends differs now from the record's stamp, or None."""
    from engine.compile.pipeline import compile_plan

    try:
        now = compile_plan(plan_path).stamp.extends
    except PolicyError as error:
        return _("extended plan: cannot be checked again: {problem}").format(problem=error.diagnostics[0].headline())
    if now is None:
        return _("extended plan: `{path}` extends no plan now, the record `{then}`").format(path=plan_path, then=recorded.get("path"))
    for field, what in (("sha256", N_("plan")), ("source_sha256", N_("source document"))):
        value = getattr(now, field) or None
        if value != recorded.get(field):
            return _("extended plan: the {what} of `{path}` has sha256 {now}, the record {then}").format(
                what=_(what), path=now.path, now=value, then=recorded.get(field))
    return None


def _source_of(plan_path: str) -> str | None:
    from dsl import parse_policy

    try:
        policy = parse_policy(Path(plan_path).read_text(encoding="utf-8"), plan_path)
    except (PolicyError, OSError, UnicodeDecodeError):
        return None
    header = next((item for item in policy.items if type(item).__name__ == "PlanHeader"), None)
    source = header.get("source") if header else None
    return str(Path(plan_path).parent / source) if source else None


def _decide_again(record: dict, plan_path: str, where: dict) -> dict:
    from engine.run.compiled import explain as fast_explain
    from engine.facts.validate import parse_json
    from engine.facts.fastcase import FastWorkspace
    from render import explanation_to_json

    workspace = FastWorkspace(plan_path, where["context"], where["registry"])
    facts_path = where["facts"]
    line = record["facts"].get("line")
    if line:
        text = Path(facts_path).read_bytes().split(b"\n")[line - 1].decode("utf-8-sig")
        source = Source(f"{facts_path}:{line}", text)
        case = workspace.open_case(parse_json(text, source), source, Path(facts_path).parent)
    else:
        case = workspace.open_case_file(facts_path)
    decision = record.get("decision")
    try:
        result = fast_explain(case.plan, case.facts, decision, registry=case.registry)
    except TypeError:  # an engine whose explain takes no decision name
        result = fast_explain(case.plan, case.facts, registry=case.registry)
    return json.loads(json.dumps(explanation_to_json(result), ensure_ascii=False))


@click.command()
@click.argument("record_file", metavar="RECORD.json")
@click.option("--plan", "plan_path", metavar="PLAN.policy", help="The plan file, if it has moved since the record.")
@click.option("--facts", "facts_path", metavar="FACTS.json", help="The facts file, if it has moved.")
@click.option("--context", "context_path", metavar="CITY.json", help="The context file, if it has moved.")
@click.option("--registry", "registry_path", metavar="REG.csv", help="The registry file, if it has moved.")
def verify(record_file: str, plan_path: str | None, facts_path: str | None, context_path: str | None,
           registry_path: str | None) -> None:
    """Replay a decision record: `same`, or the first difference (plan, source document, facts,
    context, registry, engine, outcome, explanation).

    The files are found where the record says (relative to the record's folder, else their
    absolute path), or where --plan/--facts/--context/--registry say. Exit 0 same, 1 different,
    2 when the record itself cannot be read.
    """
    try:
        difference = verify_record(record_file, plan_path, facts_path, context_path, registry_path)
    except PolicyError as error:
        fail(error)
    if difference is None:
        click.echo(_("same"))
        sys.exit(0)
    click.echo(_("different: {difference}").format(difference=difference))
    sys.exit(1)
