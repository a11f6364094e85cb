"""The words of a case document: the product's names for outcomes, kinds and statuses, the
language's punctuation (：、（）), and the plan's own declared words for its facts and values
(`Vocabulary`), shared by the document (render/case.py) and its what-if section (case_whatif.py).
"""
from __future__ import annotations

from dsl.dataclass_cache import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from engine.compile.types import EnumT, NumT

from i18n import N_, language
from i18n import gettext as _

from . import units

# Outcome codes of every decision the brief names, said in words; a code not listed is shown as it is.
OUTCOME_WORDS = {
    "eligible": N_("may be admitted"), "exempt": N_("outside the plan's limits"),
    "paused": N_("new designations paused"), "excluded": N_("not admitted"),
    "spacing_conflict": N_("a designated institution of the same type is within the service radius"),
    "needs_approval": N_("needs the approval of the higher bureau"), "needs_review": N_("needs a case handler's review"),
    "undetermined": N_("cannot be decided: facts are missing"),
    "guidance": N_("in the guidance period"), "trial": N_("in the trial year"),
    "terminated": N_("agreement terminated"), "renewed": N_("trial passed"), "delayed": N_("trial failed, delayed"),
    "awaiting_assessment": N_("awaiting assessment"), "pass": N_("passed"),
    "rectification": N_("rectification"), "sanction": N_("sanction"), "termination": N_("termination"),
    "qualified": N_("qualified"), "not_qualified": N_("not qualified"),
    "admitted": N_("admitted"), "waitlisted": N_("waitlisted"),
}
KIND_WORDS = {
    "gate": N_("pause"), "exemption": N_("exemption"), "exclusion": N_("exclusion"), "spacing": N_("spacing"),
    "ratio": N_("ratio"), "admission": N_("admission"), "referral": N_("referral"), "priority": N_("priority"),
    "status": N_("status"), "steering": N_("steering"), "qualification": N_("qualification"),
}
STATUS_WORDS = {
    "decided": N_("decided"), "overridden": N_("applies, outranked"), "applied": N_("applies"),
    "not_applicable": N_("does not apply"), "would_decide": N_("applies; decides only if the rules above it do not"),
    "unknown": N_("cannot tell: facts missing"), "unknown_not_needed": N_("cannot tell (not needed)"),
}
# Names of FACTS.md that every plan shares, for when a plan declares no label of its own.
FACT_WORDS = {
    "applicant.id": N_("applicant id"), "applicant.name": N_("applicant"), "as_of": N_("date judged"),
    "applicant.location.lat": N_("latitude"), "applicant.location.lon": N_("longitude"),
    "registry.nearest": N_("nearest institution of the same type"),
    "registry.within": N_("institutions of the same type within the radius"),
}

def pair(label: str, value: str) -> str:
    """`label: value` with the language's colon (：in Chinese)."""
    return _("{label}: {value}").format(label=label, value=value)


def listing(items) -> str:
    """Items joined as the language lists them (、in Chinese)."""
    return _(", ").join(str(i) for i in items)


def aside(text: str, note: str) -> str:
    """`text (note)` with the language's brackets (（）in Chinese)."""
    return _("{text} ({note})").format(text=text, note=note)


def word(table: dict[str, str], code: str | None) -> str:
    return _(table[code]) if code in table else (code or "")


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    value: str


class Vocabulary:
    """The plan's declared words for its facts and values."""

    def __init__(self, plan, labels: dict):
        self.plan, self.labels = plan, labels
        self.fields: dict[str, tuple[str, str | None]] = {}  # input path -> {field: label} of its records
        self.field_words: dict[str, str] = {}  # a record field's name -> its label, for record values
        if plan is not None:
            from dsl import ast

            for item in plan.policy.of_type(ast.InputDecl):
                record = item.type.value if isinstance(item.type, ast.MapType) else item.type.item if isinstance(
                    item.type, ast.ListType) else item.type
                if isinstance(record, ast.RecordType):
                    for f in record.fields:
                        self.fields[f"{'.'.join(item.path)}.{f.name}"] = (f.label or f.name, isinstance(
                            item.type, ast.MapType))
                        if f.label:
                            self.field_words.setdefault(f.name, f.label)

    def input(self, path: str):
        return self.plan.inputs.get(path) if self.plan is not None else None

    def fact_label(self, path: str) -> str:
        info = self.input(path)
        if info is not None and (info.alias or info.label):
            return info.alias or info.label
        if path in FACT_WORDS:
            return _(FACT_WORDS[path])
        if path.startswith("population.") and path.count(".") == 1:  # a figure of the whole population (年度考核)
            return _("{name} (of the whole population)").format(name=self.value_label(path.split(".", 1)[1]))
        parent, _dot, leaf = path.rpartition(".")
        if path in self.fields:  # a field of a declared record
            return self.fields[path][0]
        table, _dot2, key = parent.rpartition(".")
        if f"{table}.{leaf}" in self.fields and self.fields[f"{table}.{leaf}"][1]:  # a map entry's field
            return aside(self.fields[f"{table}.{leaf}"][0], self.show(key))
        return path

    def value_label(self, name: str) -> str:
        define = self.plan.defines.get(name) if self.plan is not None else None
        return define.label if define is not None and define.label else name  # the plan's words, once

    def type_of(self, path_or_name: str):
        info = self.input(path_or_name)
        if info is not None:
            return info.type
        parent, _dot, leaf = path_or_name.rpartition(".")
        table = parent.rpartition(".")[0]
        for base in (parent, table):  # a record's field, or a map entry's
            holder = self.input(base)
            if holder is not None:
                record = getattr(holder.type, "value", None) or getattr(holder.type, "item", None) or holder.type
                if hasattr(record, "field"):
                    return record.field(leaf)
        define = self.plan.defines.get(path_or_name) if self.plan is not None else None
        if define is None and self.plan is not None and path_or_name.startswith("population."):
            name = path_or_name.split(".", 1)[1]  # a figure of the whole population: its aggregate's type
            return next((a.type for p in self.plan.populations.values() for a in p.aggregates if a.name == name), None)
        return define.type if define is not None else None

    def show(self, value: Any, type_=None, label: str = "") -> str:
        if value is None:
            return _("not given")
        if value is True:
            return _("yes")
        if value is False:
            return _("no")
        if isinstance(value, (int, float, Fraction)):
            return units.quantity(value, type_, label)
        if isinstance(value, date):
            return units.day(value)
        if isinstance(value, str):
            if isinstance(type_, EnumT) or value in self.labels:
                shown = self.labels.get(value)
                if shown and shown != value:
                    return shown if language() == "zh" else f"{shown} ({value})"
            return value
        if isinstance(value, (list, tuple)):
            return listing(self.show(v) for v in value)
        if isinstance(value, dict):
            return _("; ").join(pair(self.field_words.get(k, k), self.show(v)) for k, v in value.items())
        return str(value)

    def neighbour(self, record: dict) -> str:
        if "note" in record:
            return record["note"]
        text = _("{id} {name} ({category}), {distance} away").format(
            id=record["id"], name=record["name"], category=record["category"],
            distance=units.metres(record["distance_m"]))
        if "self_excluded" in record:
            text += _("; the applicant's own entry {id} is not counted").format(id=record["self_excluded"])
        return text

    def registry_record(self, record: dict) -> str:
        if "count" in record:
            radius = units.metres(record["radius_m"])
            head = (_("{count} within {radius}: {ids}").format(count=record["count"], radius=radius,
                                                              ids=", ".join(record["ids"]))
                    if record["count"] else _("none within {radius}").format(radius=radius))
            nearest = record["nearest"]
            return head + "; " + (nearest["note"] if "note" in nearest
                                  else _("the nearest is {who}").format(who=self.neighbour(nearest)))
        if "radius_m" in record:
            radius = units.metres(record["radius_m"])
            if record["within_radius"]:
                return _("{who}, within {radius}").format(who=self.neighbour(record), radius=radius)
            return _("none within {radius}; the nearest is {who}").format(radius=radius, who=self.neighbour(record))
        return self.neighbour(record)

    def fact(self, path: str, value: Any) -> Line:
        label = self.fact_label(path)
        if path.startswith("registry.") and isinstance(value, dict):
            return Line(label, self.registry_record(value))
        return Line(label, self.show(value, self.type_of(path), label))

    def used(self, name: str, value: Any) -> Line:
        label = self.value_label(name)
        return Line(label, self.show(value, self.type_of(name), label))

    def needed(self, path: str) -> Line:
        """A missing fact and what it would take to know it, as a handler would ask for it."""
        if path == "registry":
            registry = self.plan.registry if self.plan is not None else None
            name = (registry.label or registry.name) if registry is not None else _("the registry of designated institutions")
            return Line(name, _("the list of designated institutions with their locations, to measure the distance "
                                "to the nearest one of the same type"))
        label, type_ = self.fact_label(path), self.type_of(path)
        if type_ is not None and type_.describe() == "bool":
            need = _("whether it holds (yes or no)")
        elif isinstance(type_, EnumT):
            info = self.plan.enums.get(type_.name)
            choices = [lab or code for code, lab in info.members] if info else []
            need = _("one of: {choices}").format(choices=listing(choices))
        elif isinstance(type_, NumT):
            need = _("the figure, in {unit}").format(unit=units.unit_words(type_.unit)) if type_.unit else _("the figure")
        elif type_ is not None and type_.describe() == "date":
            need = _("the date")
        else:
            need = _("the value")
        return Line(label, need)
