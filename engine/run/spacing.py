"""Spacing questions asked of the registry of designated institutions, and what the trace says.

A plan declares its registry and what counts as the applicant's "same type" in it
(`registry 定点医药机构 { same_type pharmacy: 零售药店 }`); its expressions ask
`nearest(定点医药机构)` (metres to the nearest same-type institution) or
`count_within(定点医药机构, 800 m)`. Both evaluators (the reference walker and the compiled
fast path) evaluate the applicant's category, place and id, then call `ask`, which answers
and builds the record the trace shows under `registry.nearest` or `registry.within`: the
institution by id, name and category, its distance rounded to 0.1 m, and for a radius the
count and the ids within it. A question with a last argument naming registry categories
(`count_within(R, 800 m, 门慢药店)`, or a `set … of R`) counts those instead of the applicant's
same type; its record lists them, under its own key (`registry.within(门慢药店)`).

Answers, when there is nothing to find:
- an applicant category with no `same_type` line has no same-type institution: `nearest` is
  NONE_NEAR, farther than any distance (so `nearest(R) <= 800 m` is false; JSON writes "none"), `count_within` is 0, and the record says why;
- the applicant's own id is never its own neighbour (a re-application or a relocation).

`with_neighbours` then copies a definition's record into the steps of the rules that use it,
with the radius when the rule compares the definition with a distance (`最近同类型距离 <= 800 m`),
so the decisive spacing rule names its neighbour and the radius in its own step. It runs in
`evaluate`, which both evaluators share, so their traces stay equal.
"""
from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any

from dsl.diagnostics import Diagnostic, PolicyError
from engine.compile import ir
from engine.compile.types import NumT, make_unit
from engine.run.trace import Step
from engine.values.numbers import NONE_NEAR, is_number, to_json

if TYPE_CHECKING:  # the registry module imports numpy and scipy: only a run that has a registry pays for them
    from engine.registry.load import Neighbour, Registry

REGISTRY_PATH = "registry"  # what `missing` names when a query needs a registry and none was given
NEAREST, WITHIN = "registry.nearest", "registry.within"
_METRES = make_unit("m")
_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _neighbour(found: Neighbour) -> dict[str, Any]:
    inst = found.institution
    # An institution of several categories shows them all (`门慢药店;统筹药店`), as its row writes them.
    return {"id": inst.id, "name": inst.name, "category": inst.shown_category, "distance_m": round(found.distance_m, 1)}


def _bad_place(node: ir.RegistryQuery, lat, lon) -> PolicyError | None:
    for axis, value, limit in (("lat", lat, 90), ("lon", lon, 180)):
        if not (is_number(value) and math.isfinite(value) and abs(value) <= limit):
            return PolicyError([Diagnostic(
                "E003", f"`{to_json(value)}` is outside [-{limit}, {limit}]", node.span,
                "give the applicant's location in decimal degrees" + ("; did you swap lat and lon?" if axis == "lat" else ""),
                path=f"applicant.location.{axis}")])
    return None


def ask(registry: Registry, node: ir.RegistryQuery, category: str, lat: float, lon: float, exclude_id,
        radius: float | None) -> tuple[Any, str, dict[str, Any]]:
    """Answer one query for known facts: (value, trace key, trace record)."""
    if node.question in ("count_all", "share"):
        return _tally(registry, node)
    bad = _bad_place(node, lat, lon)
    if bad is not None:
        raise bad
    lat, lon = float(lat), float(lon)  # a place is a measurement: the great circle is computed in floats
    if radius is not None and radius < 0:
        raise PolicyError([Diagnostic("E002", f"the radius is negative ({float(radius):g} m) for these facts", node.span,
                                      "a radius is a distance of 0 m or more")])
    exclude = exclude_id if isinstance(exclude_id, str) else None
    named = node.categories is not None  # of named categories, not the applicant's same type
    counted = node.categories if named else dict(node.same_type).get(category)
    own = registry.get(exclude) if exclude is not None else None
    self_excluded = own is not None and counted is not None and any(c in counted for c in own.categories)  # its own entry would count
    if counted is None:
        label = dict(node.labels).get(category)
        shown = f"{label} ({category})" if label and label != category else category
        note = {"note": f"{shown} has no same_type line in registry {node.registry}, so no institution counts as "
                        "its type"}
        nearest, hits = None, []
    else:
        nearest = registry.nearest(lat, lon, counted, exclude)
        hits = registry.within(lat, lon, counted, radius, exclude) if radius is not None else []
        note = None
        if nearest is None:
            what = " or ".join(counted)
            note = {"note": f"no {what} institution in the registry" + (
                " other than the applicant itself" if self_excluded else "")}
    record = note if nearest is None else _neighbour(nearest)
    if nearest is not None and self_excluded:
        record["self_excluded"] = exclude  # its own entry (a re-application, a relocation) is not its neighbour
    # A question of named categories has its own key, naming them, so that a rule asking of both
    # the same type and (say) 门慢药店 keeps both answers in its step.
    suffix = f"({node.counted_as})" if named else ""
    if named:
        record = {"categories": list(counted), **record}
    if node.question == "nearest":
        return (NONE_NEAR if nearest is None else nearest.distance_m), NEAREST + suffix, record
    within = {"radius_m": radius, "count": len(hits), "ids": [h.institution.id for h in hits], "nearest": record}
    if named:
        within = {"categories": list(counted), **within}
    return len(hits), WITHIN + suffix, within


def _count(registry: Registry, categories: tuple[str, ...] | None) -> int:
    """Institutions of those categories (None: all), each once though it has several of them:
    counted once per registry and set of categories, not per applicant."""
    return registry.count(categories)


def _tally(registry: Registry, node: ir.RegistryQuery) -> tuple[Any, str, dict[str, Any]]:
    """`count_all(R, C)` and `share(R, C, D)`: the whole registry, the same for every applicant."""
    count = _count(registry, node.categories)
    record: dict[str, Any] = {"categories": list(node.categories) if node.categories is not None else "all",
                              "institutions": count}
    key = f"registry.count({node.counted_as})" if node.counted_as else "registry.count"
    if node.question == "count_all":
        return count, key, record
    total = _count(registry, node.among)
    if total == 0:
        among = " or ".join(node.among) if node.among else "institution"
        raise PolicyError([Diagnostic("R020", f"the registry holds no {among}, so a share of it is undefined",
                                      node.span, "check the registry file given with --registry")])
    record.update(among=list(node.among) if node.among is not None else "all", total=total, share=count / total)
    return count / total, f"registry.share({node.counted_as}{', ' + node.among_as if node.among_as else ''})", record


def with_neighbours(when: ir.Node, step: Step, defines: dict[str, Step]) -> Step:
    """A rule step (its condition `when`) with the registry records of the definitions it uses,
    directly or through other definitions; see the module doc."""
    records: dict[str, dict[str, Any]] = {}
    owner: dict[str, set[str]] = {}  # definition the rule uses -> the record paths it brings

    def collect(name: str, top: str, seen: set[str]) -> None:
        found = defines.get(name)
        if found is None or name in seen:
            return
        seen.add(name)
        for path, value in found.reads:
            if path.startswith(REGISTRY_PATH + ".") and isinstance(value, dict):
                records.setdefault(path, value)
                owner.setdefault(top, set()).add(path)
        for used, _ in found.uses:
            collect(used, top, seen)

    for used, _ in step.uses:
        collect(used, used, set())
    own = {path for path, _ in step.reads}
    records = {path: value for path, value in records.items() if path not in own}
    if not records:
        return step
    uses = dict(step.uses)
    nearest = records.get(NEAREST)
    comparisons = [n for n in ir.walk(when) if isinstance(n, ir.Compare) and n.op in _MIRROR]
    found: dict[tuple, dict[str, Any]] = {}  # (radius, within, from) -> the record it gives
    for node in comparisons if nearest and "distance_m" in nearest else ():
        for side, other, op in ((node.left, node.right, node.op), (node.right, node.left, _MIRROR[node.op])):
            distance = uses.get(side.name) if isinstance(side, ir.DefRef) else None
            if not (is_number(distance) and NEAREST in owner.get(side.name, ())
                    and isinstance(other.type, NumT) and other.type.unit == _METRES
                    and round(distance, 1) == nearest["distance_m"]):
                continue
            # The radius is a literal (`<= 800 m`) or a definition the rule used (`<= 药店限制半径`,
            # 500 m in one zone and 800 m in another), whose value for this applicant is in `uses`.
            radius = other.value if isinstance(other, ir.Const) else (
                uses.get(other.name) if isinstance(other, ir.DefRef) else None)
            if not is_number(radius):
                continue
            within = {"<": distance < radius, "<=": distance <= radius,  # "within" unless the rule asks for farther
                      ">": distance <= radius, ">=": distance < radius}[op]
            extra = {"radius_from": other.name} if isinstance(other, ir.DefRef) else {}
            found[(radius, within, extra.get("radius_from"))] = {
                **nearest, "radius_m": radius, "within_radius": within, **extra}
    if len(found) == 1:  # with two radii in one rule, which one applied is not known here: name none
        records[NEAREST] = next(iter(found.values()))
    return dataclasses.replace(step, reads=step.reads + tuple(records.items()))
