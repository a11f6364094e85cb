"""The applicants admitted in a round count as designated institutions for the spacing rules.

When two new pharmacies 300 m apart apply in one round, the better ranked one is admitted and
the other must now meet the 800 m principle against it. Nothing here knows a radius or a
category: the plan's own decision is asked again, against the registry with the round's
admitted applicants added (`RoundRegistry`), and says what it says.

Asking again is needed only when the answer could change. `Recorder` wraps the registry of
the first decision and notes each question's horizon: for `nearest`, the distance to the
nearest registered institution (an admitted applicant farther than that changes nothing);
for `count_within`, the radius. `Round.closer` then looks for an admitted applicant of the
asked categories within that horizon, in a grid of about 1 km cells, so a round of 100,000
applicants asks again only where a neighbour of this round is near.
"""
from __future__ import annotations

import math
from dsl.dataclass_cache import dataclass
from typing import Any

from engine.registry.spatial import haversine_m

_CELL_DEG = 0.01  # about 1.1 km of latitude
_MAX_RINGS = 40  # beyond this the search scans every admitted applicant of the categories


@dataclass(frozen=True, slots=True, eq=False)  # by identity: the grid removes exactly the one it added
class Admitted:
    """An applicant admitted in this round, as the registry would list it."""

    id: str
    name: str
    category: str  # a registry category (the first of its code's same_type line)
    lat: float
    lon: float
    line: int = 0  # its line in the round's file
    rank: int | None = None
    score: Any = None

    @property
    def categories(self) -> tuple[str, ...]:  # as engine.registry.load.Institution has them
        return (self.category,)

    @property
    def shown_category(self) -> str:
        return self.category


@dataclass(frozen=True, slots=True)
class _Neighbour:  # the shape engine.registry.load.Neighbour has, for engine.run.spacing
    institution: Any
    distance_m: float


@dataclass(frozen=True, slots=True)
class Question:
    lat: float
    lon: float
    categories: tuple[str, ...]
    exclude: str | None
    horizon: float  # an institution of this round farther than this changes no answer


class Recorder:
    """A registry that answers as `base` does and notes every question's horizon."""

    def __init__(self, base):
        self.base = base
        self.questions: list[Question] = []

    def get(self, id_):
        return self.base.get(id_)

    def nearest(self, lat, lon, categories, exclude_id=None):
        found = self.base.nearest(lat, lon, categories, exclude_id)
        self.questions.append(Question(lat, lon, tuple(categories), exclude_id,
                                       math.inf if found is None else found.distance_m))
        return found

    def within(self, lat, lon, categories, radius_m, exclude_id=None):
        self.questions.append(Question(lat, lon, tuple(categories), exclude_id, radius_m))
        return self.base.within(lat, lon, categories, radius_m, exclude_id)

    def count(self, categories=None):  # registry-wide (count_all, share): the registry's own figure
        return self.base.count(categories)


class Round:
    """The applicants admitted so far in this round, by category, in a grid."""

    def __init__(self):
        # dicts by identity rather than lists: a tie class adds and removes its members, and a
        # list's remove would scan every applicant admitted so far
        self.cells: dict[tuple[str, int, int], dict[int, Admitted]] = {}
        self.by_category: dict[str, dict[int, Admitted]] = {}
        self.by_id: dict[str, Admitted] = {}

    @staticmethod
    def _cell(lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat / _CELL_DEG), math.floor(lon / _CELL_DEG)

    def add(self, item: Admitted) -> None:
        self.cells.setdefault((item.category, *self._cell(item.lat, item.lon)), {})[id(item)] = item
        self.by_category.setdefault(item.category, {})[id(item)] = item
        self.by_id[item.id] = item

    def remove(self, item: Admitted) -> None:
        del self.cells[(item.category, *self._cell(item.lat, item.lon))][id(item)]
        del self.by_category[item.category][id(item)]
        self.by_id.pop(item.id, None)

    def closer(self, question: Question) -> tuple[Admitted, float] | None:
        """The nearest admitted applicant of the question's categories within its horizon."""
        return self.nearest(question.lat, question.lon, question.categories, question.exclude, question.horizon)

    def nearest(self, lat, lon, categories, exclude=None, horizon=math.inf) -> tuple[Admitted, float] | None:
        cell_m = 111_000 * _CELL_DEG * max(math.cos(math.radians(lat)), 0.05)  # the narrower side of a cell
        rings = math.ceil(horizon / cell_m) + 1 if math.isfinite(horizon) else _MAX_RINGS + 1
        if rings > _MAX_RINGS:
            pool = [a for c in categories for a in self.by_category.get(c, {}).values()]
        else:
            row, col = self._cell(lat, lon)
            pool = [a for c in categories for r in range(row - rings, row + rings + 1)
                    for k in range(col - rings, col + rings + 1) for a in self.cells.get((c, r, k), {}).values()]
        best = None
        for item in pool:
            if item.id == exclude:
                continue
            d = haversine_m(lat, lon, item.lat, item.lon)
            if d <= horizon and (best is None or (d, item.id) < (best[1], best[0].id)):
                best = (item, d)
        return best

    def within(self, lat, lon, categories, radius, exclude=None) -> list[tuple[Admitted, float]]:
        found = []
        for item in (a for c in categories for a in self.by_category.get(c, {}).values()):
            d = haversine_m(lat, lon, item.lat, item.lon)
            if item.id != exclude and d <= radius:
                found.append((item, d))
        return found


class RoundRegistry:
    """The base registry with the round's admitted applicants added, for a second decision."""

    def __init__(self, base, round_: Round):
        self.base = base
        self.round = round_

    def get(self, id_):
        return self.base.get(id_) or self.round.by_id.get(id_)

    def count(self, categories=None):  # registry-wide (count_all, share): the registry's own figure
        return self.base.count(categories)

    def nearest(self, lat, lon, categories, exclude_id=None):
        found = self.base.nearest(lat, lon, categories, exclude_id)
        horizon = math.inf if found is None else found.distance_m
        mine = self.round.nearest(lat, lon, tuple(categories), exclude_id, horizon)
        if mine is not None and (found is None or mine[1] < found.distance_m):
            return _Neighbour(mine[0], mine[1])
        return found

    def within(self, lat, lon, categories, radius_m, exclude_id=None):
        hits = list(self.base.within(lat, lon, categories, radius_m, exclude_id))
        hits += [_Neighbour(a, d) for a, d in self.round.within(lat, lon, tuple(categories), radius_m, exclude_id)]
        return sorted(hits, key=lambda h: (h.distance_m, h.institution.id))
