"""Facts keys the plan does not declare: a typo (`catgory`) must not pass as an absent fact.

Each key of a facts file (or of a context file's statistics) that the plan's facts tree does
not hold is a warning naming the key, its JSON path, the file and line, and the nearest
declared name; `--strict` makes them errors. Keys that are the tools' own stay allowed: the
ones facts_tree declares for every plan (`plan`, `as_of`, `applicant.id`, `applicant.name`),
and those the command line reads beside the facts (`context`, `registry`, `decision`,
`expect`, `$schema`). An integrator's own fields are allowed under a name that starts with
`_` or `x-` (`"_crm_ref"`, `"x-source"`), and the applicant names of the facts contract
(`CONTRACT`) stay allowed in every plan; any other is reported, since nothing reads it.

A facts file that gives none of the facts the plan declares (`{"plan": "heze-2026"}`) is a
warning too: the decision it gets is `undetermined` at best, and rarely what was meant.
"""
from __future__ import annotations

from typing import Any

from dsl.diagnostics import Diagnostic, did_you_mean
from dsl.spans import Source, Span
from engine.compile.plan import CheckedPlan
from engine.compile.types import ListT, MapT, RecordT
from engine.facts.validate import facts_tree
from engine.reading.reader import locate

TOOL_KEYS = frozenset({"context", "registry", "decision", "expect", "$schema"})  # read by the CLI, not the plan

# The applicant's names of the facts contract (docs/facts.md; FACTS.md of the design): one
# integrator's export serves every plan, so a contract name a plan happens not to read is no
# typo. City statistics differ by plan and have no such list.
CONTRACT = frozenset({
    "applicant.id", "applicant.name", "applicant.category", "applicant.level", "applicant.district",
    "applicant.location", "applicant.location.lat", "applicant.location.lon", "applicant.beds",
    "applicant.licensed_on", "applicant.operating_since", "applicant.nearest_same_category_m", "applicant.score",
    "applicant.relocating_from", "applicant.flags", "applicant.conditions", "applicant.criteria",
    *(f"applicant.flags.{k}" for k in ("key_project", "public_community_health_center", "elderly_care_embedded",
                                      "integrated_village_clinic", "university_embedded", "basic_public_health",
                                      "special_case")),
    *(f"applicant.conditions.{k}" for k in ("staffing", "departments", "equipment", "information_system",
                                           "safety_facilities", "accessibility_facilities", "elderly_facilities")),
    *(f"applicant.criteria.{k}" for k in ("qualification_compliant", "management_standard", "good_reputation",
                                         "secure_supply", "reasonable_layout")),
})
UNDECLARED, NOTHING_GIVEN = "F008", "F009"


def _own(key: str) -> bool:
    return key.startswith(("_", "x-", "x_"))


class KeyShape:
    """The declared keys of a plan as nested dicts (lists and maps of records marked as such),
    built once per plan, and the scan of a facts file against them."""

    def __init__(self, plan: CheckedPlan):
        self.plan = plan
        self.tree = self._shape(facts_tree(plan))
        self._inner: dict[int, tuple[str, ...]] = {}  # id(shape) -> its nested keys; shapes live as long as self

    def _shape(self, node: Any) -> Any:
        """dict key -> sub-shape; ("list", shape) / ("map", shape) for lists and maps of records; None for a leaf."""
        if isinstance(node, dict):
            return {key: self._shape(sub) for key, sub in node.items()}
        match node:
            case RecordT(fields=fields):
                return {name: self._shape(t) for name, t in fields}
            case ListT(item=item) if isinstance(item, RecordT):
                return ("list", self._shape(item))
            case MapT(value=value) if isinstance(value, RecordT):
                return ("map", self._shape(value))
        return None

    def warnings(self, data: dict, source: Source, top: str = "", shape: Any = None,
                 located: str = "") -> list[Diagnostic]:
        """Warnings for every undeclared key of `data`; `top` is the JSON path `data` sits at in
        the facts (`city` for a context file), `located` the path of `data` in its own file."""
        found: list[Diagnostic] = []
        self._scan(data, self.tree if not top else shape, top, located, source, found)
        found.sort(key=lambda d: (d.span.line, d.span.column))
        return found

    def _scan(self, node: Any, shape: Any, path: str, here: str, source: Source, found: list) -> None:
        if isinstance(shape, tuple):
            kind, inner = shape
            if kind == "list" and isinstance(node, list):
                for i, item in enumerate(node):
                    self._scan(item, inner, f"{path}[{i}]", f"{here}[{i}]", source, found)
            elif kind == "map" and isinstance(node, dict):
                for key, item in node.items():
                    self._scan(item, inner, f"{path}.{key}", f"{here}.{key}" if here else key, source, found)
            return
        if type(node) is not dict or not isinstance(shape, dict):
            return  # a leaf, or a value of the wrong type: validation names that
        if node.keys() - shape.keys():  # set arithmetic: the common, clean case costs no loop
            for key in node:
                full = f"{path}.{key}" if path else key
                if key not in shape and not (_own(key) or (not path and key in TOOL_KEYS) or full in CONTRACT):
                    found.append(self._warning(key, full, f"{here}.{key}" if here else key, shape, source))
        nested = self._inner.get(id(shape))
        if nested is None:  # the keys with something below them: records, lists and maps of records
            nested = self._inner[id(shape)] = tuple(k for k, v in shape.items() if v is not None)
        for key in nested:
            child = node.get(key)
            if child is not None:
                self._scan(child, shape[key], f"{path}.{key}" if path else key, f"{here}.{key}" if here else key,
                           source, found)

    def _warning(self, key: str, path: str, located: str, siblings: dict, source: Source) -> Diagnostic:
        close = did_you_mean(key, siblings)
        help_ = (f"{close} " if close else "") + (
            f"nothing in {self.plan.stamp.id} reads it, so it is ignored; a field of your own may start "
            "with `_` or `x-`")
        return Diagnostic(UNDECLARED, f"`{key}` is not a fact {self.plan.stamp.id} declares",
                          locate_at(source, located), help_, severity="warning", path=path)

    def gives_nothing(self, data: dict, source: Source) -> Diagnostic | None:
        """A warning when the facts file itself gives no value to any fact the plan declares
        outside `city` (which a context file may supply)."""
        for info in self.plan.inputs.values():
            if info.path[0] == "city":
                continue
            node: Any = data
            for part in info.path:
                node = node.get(part) if isinstance(node, dict) else None
            if node is not None:
                return None
        return Diagnostic(NOTHING_GIVEN, f"the facts give none of the facts {self.plan.stamp.id} declares about the "
                          "applicant", locate_at(source, ""),
                          f"see `policy schema {self.plan.stamp.id}` or docs/facts.md for the names",
                          severity="warning")


def locate_at(source: Source, path: str) -> Span:
    """Where a JSON path's key is in the file; the file's start for the whole file."""
    return locate(source, path) if path else Span(source, 1, 1, 1, 2)
