"""The case document: one decision as a case handler files it, in the current language.

Built once from the Explanation and the plan's own declarations (input aliases and labels,
enum labels, units, the decision's precedence), then written as plain text, Markdown or HTML
(render/case_text.py, case_markdown.py, case_html.py), so the three never disagree. Nothing
here names a decision, a rule or a city: a new decision or outcome renders as the plan
declares it. What a handler never sees stays out: no line numbers, no JSON paths where the
plan gives a label, no command-line advice.
"""
from __future__ import annotations

from fractions import Fraction

import hashlib
import json
import math
import os
from dsl.dataclass_cache import dataclass
from datetime import datetime, timezone

from engine.run.trace import Explanation, Step
from engine.compile.types import EnumT, NumT

from i18n import N_, language
from i18n import gettext as _

from . import units
# The words live in case_words.py; the names stay importable from here, where the views look for them.
from .case_whatif import WhatIfSection, what_if_section
from .case_words import (FACT_WORDS, KIND_WORDS, OUTCOME_WORDS, STATUS_WORDS, Line, Vocabulary,  # noqa: F401
                         aside, listing, pair, word)

GOOD = ("eligible", "exempt", "renewed", "pass", "qualified", "admitted", "guidance", "trial")
BAD = ("excluded", "spacing_conflict", "terminated", "termination", "not_qualified", "sanction", "delayed")


@dataclass(frozen=True, slots=True)
class Quote:
    article: str
    text: str
    readings: tuple[str, ...]  # in the document's language (the English text where the plan gives no Chinese)


@dataclass(frozen=True, slots=True)
class RuleView:
    name: str
    kind: str
    status_code: str
    status: str
    articles: tuple[str, ...]
    facts: tuple[Line, ...]
    decisive: bool


@dataclass(frozen=True, slots=True)
class Place:
    label: str
    lat: float
    lon: float
    distance: str = ""
    counted: bool = True


@dataclass(frozen=True, slots=True)
class SpacingMap:
    """What the spacing picture shows: the applicant, the radius, the neighbours that counted."""
    applicant: Place
    radius_m: float
    neighbours: tuple[Place, ...]
    unplaced: tuple[tuple[str, float], ...] = ()  # (label, metres): a distance the facts give without a place


@dataclass(frozen=True, slots=True)
class CaseDocument:
    lang: str
    title: str
    draft: str | None
    header: tuple[Line, ...]
    outcome: str
    outcome_words: str
    tone: str  # good | bad | open: the colour of the outcome
    reason: str | None
    terms: tuple[Line, ...]
    priorities: tuple[str, ...]
    decisive: RuleView | None
    quotes: tuple[Quote, ...]
    why: str
    rules: tuple[RuleView, ...]
    values: tuple[Line, ...]
    unknown: tuple[Line, ...]
    spacing: SpacingMap | None
    footer: tuple[Line, ...]
    warnings: tuple[str, ...] = ()  # the run's warnings about the facts, filed with the case
    what_if: WhatIfSection | None = None  # `explain --what-if`: what would change the outcome


def why_text(result: Explanation, plan) -> str:
    """Why the outcome holds, said from the decision's precedence: no line numbers, the plan's names."""
    decision = plan.decisions.get(result.decision) if plan is not None else None
    statuses = {s.name: s.status for s in result.steps if s.kind == "rule"}
    decision_name = result.decision_label or result.decision
    if result.outcome == "undetermined":
        unknown = [n for n, s in statuses.items() if s == "unknown"]
        text = _("{rules} cannot be told without the missing facts, and ranks above every rule that applies, "
                 "so it could still decide").format(rules=listing(unknown))
        would = [n for n, s in statuses.items() if s == "would_decide"]
        if would:
            text += _("; {rule} applies below it and decides only if it does not").format(rule=would[0])
        return text
    if result.decided_by is None:
        return _("no rule of the decision {decision} applies, so its default outcome holds").format(decision=decision_name)
    step = result.decided_by
    precedence = decision.precedence if decision is not None else tuple(statuses)
    rank = precedence.index(step.name) + 1 if step.name in precedence else 0
    text = _("{rule} applies and ranks {rank} of {total} in the precedence of the decision {decision}; "
             "no rule above it applies").format(rule=step.name, rank=rank, total=len(precedence), decision=decision_name)
    outranked = [n for n, s in statuses.items() if s == "overridden"]
    if outranked:
        text += _("; it outranks {rules}, which also apply").format(
            rules=listing(outranked))
    return text


def _rule_view(step: Step, words: Vocabulary, decisive: bool) -> RuleView:
    facts = [words.fact(p, v) for p, v in step.reads]
    facts += [words.used(n, v) for n, v in step.uses]
    return RuleView(step.name, word(KIND_WORDS, step.rule_kind), step.status or "", word(STATUS_WORDS, step.status),
                    tuple(a.id for a in step.articles), tuple(facts), decisive)


def _spacing(result: Explanation, facts: dict, registry, words: Vocabulary) -> SpacingMap | None:
    """The picture of the decisive or an applying spacing rule, when the applicant has a place."""
    candidates = [s for s in result.steps if s.kind == "rule" and s.rule_kind == "spacing" and s.value is not None]
    step = next((s for s in candidates if s is result.decided_by), candidates[0] if candidates else None)
    location = subject(facts)[1].get("location") or {}
    if step is None or not isinstance(location.get("lat"), (int, float, Fraction)) or not isinstance(location.get("lon"), (int, float, Fraction)):
        return None
    name = subject(facts)[1].get("name") or result.applicant_id or _("applicant")
    me = Place(str(name), float(location["lat"]), float(location["lon"]))
    radius, neighbours, unplaced = None, [], []
    for path, record in step.reads:
        if not isinstance(record, dict):
            continue
        radius = record.get("radius_m", radius)
        ids = list(record.get("ids", ()))
        nearest = record.get("nearest", record)
        if nearest.get("id") and nearest["id"] not in ids:
            ids.append(nearest["id"])
        for id_ in ids:
            inst = registry.get(id_) if registry is not None else None
            if inst is not None:
                distance = nearest.get("distance_m") if nearest.get("id") == id_ else None
                counted = record.get("within_radius", True) if "within_radius" in record else id_ in record.get("ids", ())
                neighbours.append(Place(f"{inst.id} {inst.name}", inst.lat, inst.lon,
                                        units.metres(distance) if distance is not None else "", counted))
    if radius is None:  # the distance came from the facts file: the radius is the one the rule compares with
        radius = _compared_radius(words.plan, step.name)
    for name_, value in step.uses:
        if isinstance(value, (int, float, Fraction)) and not math.isinf(value) and not neighbours:
            unplaced.append((words.value_label(name_), float(value)))
    if radius is None:
        return None
    return SpacingMap(me, float(radius), tuple(neighbours), tuple(unplaced))


def _compared_radius(plan, rule: str) -> float | None:
    """The distance in metres a rule's condition compares with (`最近同类型距离 <= 800 m`), if one."""
    from engine.compile import ir

    info = plan.rules.get(rule) if plan is not None else None
    stack = [info.when] if info is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Compare):
            for side in (node.right, node.left):
                if isinstance(side, ir.Const) and isinstance(side.type, NumT) and side.type.unit == (("m", 1),):
                    return float(side.value)
        stack += [v for v in (getattr(node, f, None) for f in ("left", "right", "operand", "args", "items"))
                  if v is not None and not isinstance(v, (str, tuple))]
        for f in ("args", "items", "operands"):
            stack += list(getattr(node, f, ()) or ())
    return None


def facts_digest(facts: dict | None) -> str:
    """sha256 of the facts as decided (context merged), as canonical JSON: the same facts, the same digest."""
    text = json.dumps(facts or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def generated_at() -> str:
    """Now, in UTC; SOURCE_DATE_EPOCH (the reproducible-builds convention) fixes it for tests and docs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def engine_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("policy")
    except PackageNotFoundError:
        return "unknown"


def subject(facts: dict | None) -> tuple[str, dict]:
    """Whom the case is about: the applicant (准入), else the designated institution (试运行, 年度考核)."""
    for key in ("applicant", "institution"):  # FACTS.md's two subjects
        if isinstance((facts or {}).get(key), dict):
            return key, facts[key]
    return "applicant", {}


def _header(result: Explanation, plan, facts: dict, words: Vocabulary) -> list[Line]:
    key, applicant = subject(facts)
    who, which = (N_("applicant"), N_("applicant id")) if key == "applicant" else (N_("institution"), N_("institution id"))
    lines = [Line(_(who), str(applicant.get("name") or "—")),
             Line(_(which), str(result.applicant_id or applicant.get("id") or "—"))]
    for path, info in (plan.inputs.items() if plan is not None else ()):
        # The subject's declared enum facts (category, district …) by the plan's own labels.
        if path.count(".") == 1 and path.startswith(key + ".") and isinstance(info.type, EnumT):
            value = applicant.get(path.split(".", 1)[1])
            if value is not None:
                lines.append(words.fact(path, value))
    region = _region(result, plan)
    if region is not None:
        lines.append(Line(_("region"), words.show(region)))
    lines.append(Line(_("date judged"), units.day(result.as_of) if result.as_of else "—"))
    decision = aside(result.decision, result.decision_label) if result.decision_label else result.decision
    lines.append(Line(_("decision"), decision))
    stamp = result.plan
    lines.append(Line(_("plan"), stamp.title or stamp.id))
    lines.append(Line(_("plan version"), f"{stamp.id} · {stamp.version}"))
    status = plan.header.get("status") if plan is not None else None
    if status:
        lines.append(Line(_("plan status"), status))
    issuer = plan.header.get("issuer") if plan is not None else None
    if issuer:
        lines.append(Line(_("issued by"), issuer))
    return lines


def _region(result: Explanation, plan):
    """The key the plan's region statistics are looked up by (`city.regions[…]`), as decided."""
    if plan is None:
        return None
    from engine.compile import ir

    values = dict(result.values)
    for define in plan.defines.values():
        node = define.node
        # A key that is an applicant's fact is in the header already, under its own label.
        if isinstance(node, ir.IndexGet) and isinstance(node.key, ir.DefRef) and node.key.name in values:
            return values[node.key.name]
    return None


def _draft(plan) -> str | None:
    if plan is None:
        return None
    status, version = plan.header.get("status") or "", plan.header.get("version") or ""
    # A plan for comments (征求意见稿), a draft (草案), or a version named so, is not in force.
    if any(w in status for w in ("征求意见", "草案", "draft")) or "draft" in version.lower():
        return _("This plan is a draft ({status}): the decision follows a text that is not in force.").format(
            status=status or version)
    return None


def _banner(result: Explanation, plan) -> str | None:
    """What the document must say above all of the plan it applies: a draft is not in force, and
    a date judged before the plan takes effect (the record's `notices`) means it did not yet govern."""
    said = [_draft(plan)]
    effective = getattr(result.plan, "effective", None)
    if effective and any(n.startswith("not_in_force:") for n in result.notices):
        said.append(_("Judged on {judged}, before the plan takes effect on {effective}: the plan did not yet "
                      "govern this decision.").format(judged=result.as_of, effective=effective))
    said = [s for s in said if s]
    return " ".join(said) if said else None


def build_case(result: Explanation, plan=None, facts: dict | None = None, registry=None,
               warnings=(), what_if: dict | None = None) -> CaseDocument:
    """The case document of one decision; `plan`, `facts` and `registry` add what the trace lacks."""
    words = Vocabulary(plan, result.labels)
    decisive = _rule_view(result.decided_by, words, True) if result.decided_by is not None else None
    # The article that decided; when nothing could, the articles of the rules that wait for the missing facts.
    deciding = ((result.decided_by,) if result.decided_by is not None
                else tuple(s for s in result.steps if s.kind == "rule" and s.status == "unknown"))
    quotes = tuple(dict.fromkeys(Quote(a.id, a.text, tuple(r.in_language(language()) for r in a.readings))
                                 for s in deciding for a in s.articles))
    rules = tuple(_rule_view(s, words, s is result.decided_by) for s in result.steps if s.kind == "rule")
    values = tuple(words.used(s.name, s.value) if not s.missing else Line(words.value_label(s.name), _("not known"))
                   for s in result.steps if s.kind == "define")
    term_types = {}
    if plan is not None and result.decided_by is not None and result.decided_by.name in plan.rules:
        term_types = {n: node.type for n, node in plan.rules[result.decided_by.name].assignments}
    terms = tuple(Line(name, words.show(value, term_types.get(name), name)) for name, value in result.terms)
    priorities = tuple(aside(s.reason or s.name, listing(a.id for a in s.articles)) for s in result.priorities)
    stamp = result.plan
    source_sha = plan.header.get("sha256") if plan is not None else None
    footer = (Line(_("generated at"), generated_at()), Line(_("engine version"), f"policy {engine_version()}"),
              Line(_("plan sha256"), stamp.sha256), Line(_("source sha256"), source_sha or "—"),
              Line(_("facts sha256"), facts_digest(facts) if facts is not None else "—"))
    tone = "good" if result.outcome in GOOD else "bad" if result.outcome in BAD else "open"
    title = _("Case document: {decision} of {applicant}").format(
        decision=result.decision_label or result.decision,
        applicant=subject(facts)[1].get("name") or result.applicant_id or "—")
    return CaseDocument(
        lang=language(), title=title, draft=_banner(result, plan), header=tuple(_header(result, plan, facts, words)),
        outcome=result.outcome, outcome_words=word(OUTCOME_WORDS, result.outcome), tone=tone, reason=result.reason,
        terms=terms, priorities=priorities, decisive=decisive, quotes=quotes, why=why_text(result, plan), rules=rules,
        values=values, unknown=tuple(words.needed(p) for p in result.missing),
        spacing=_spacing(result, facts, registry, words), footer=footer, warnings=tuple(warnings),
        what_if=what_if_section(what_if, words) if what_if is not None else None)
