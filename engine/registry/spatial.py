"""Great-circle nearest-neighbour and radius queries over points on the Earth.

Distances are arcs on a sphere of the mean Earth radius (IUGG R1 = 6,371,008.8 m), the model
the spacing rules of the plans assume ("直线距离"): no ellipsoid, no road network.

Each point is a 3D unit vector. The straight chord between two unit vectors is a monotone
function of the arc between them, arc = 2R * asin(chord / 2), so the nearest point by chord is
the nearest by arc, and a radius in metres is a radius in chord length. Working in 3D has no
seam: the antimeridian and the poles need no special case, unlike a tree over (lat, lon) pairs.

Two indexes answer the same questions with the same numbers: `SpatialIndex`, a
`scipy.spatial.cKDTree` over the vectors, for many queries or many points, and `SmallIndex`, a
scan in plain Python that imports neither numpy nor scipy (about 0.35 s of a cold start), for
a few queries over a small registry. They agree to the last bit because every number either
reports comes from the scalar functions below (`unit_vector`, `chord`, `chord_to_arc_m`): the
tree only proposes candidates, and numpy's own sin, cos and arcsin (which may differ from the
C library's in the last place) are never used for a distance.

Ties are deterministic: within one index, among points at the same chord (so the same
distance) the lowest id wins, whatever order the tree happens to return them in.

Precision: for distances up to a few thousand kilometres the arc agrees with `haversine_m`
to well under a micrometre. Both formulas lose precision near the antipode (asin near 1),
which no spacing rule comes close to.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    import numpy as np

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius R1 of IUGG, in metres."""

_HALF_CIRCUMFERENCE_M = math.pi * EARTH_RADIUS_M

# The k-d tree computes its own distances, in an order of its own: they may differ from
# `chord` by a few units in the last place (about 1e-15 for chords up to 2). A candidate set is
# complete once the farthest point the tree returned is farther than the best chord by more
# than this (6 micrometres on the Earth), so no point it left out can tie or win.
_TREE_SLACK = 1e-12

Vector = tuple[float, float, float]


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points given in decimal degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlam = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    # Rounding can push `a` a hair above 1 for antipodal points; asin would then fail.
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(a, 1.0)))


def unit_vector(lat: float, lon: float) -> Vector:
    """A point in decimal degrees as a unit vector (x, y, z)."""
    phi, lam = math.radians(lat), math.radians(lon)
    cos_phi = math.cos(phi)
    return (cos_phi * math.cos(lam), cos_phi * math.sin(lam), math.sin(phi))


def chord(a: Vector, b: Vector) -> float:
    """The straight distance between two unit vectors, summed x, y, z in that order (as
    `SpatialIndex._chords` does elementwise, so both give the same bits)."""
    dx, dy, dz = a[0] - b[0], a[1] - b[1], a[2] - b[2]
    return math.sqrt(dx * dx + dy * dy + dz * dz)


def chord_to_arc_m(chord: float) -> float:
    """Arc length in metres for a chord between unit vectors (exact on the sphere)."""
    return 2 * EARTH_RADIUS_M * math.asin(min(chord / 2, 1.0))


def arc_to_chord(arc_m: float) -> float:
    """Chord between unit vectors for an arc in metres; arcs past half the globe give 2."""
    if arc_m >= _HALF_CIRCUMFERENCE_M:
        return 2.0
    return 2 * math.sin(arc_m / (2 * EARTH_RADIUS_M))


def check_coordinate(lat: float, lon: float, k: int = 0) -> None:
    """Raise ValueError unless the latitude is in [-90, 90] and the longitude in [-180, 180].

    Queries come from facts the evaluator has already validated, so a bad coordinate here is
    a programming error, not user input: it raises rather than returning a diagnostic.
    """
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        raise ValueError(f"coordinate #{k} ({lat!r}, {lon!r}) is not a valid lat/lon in degrees")


def _check_radius(radius_m: float) -> None:
    if not radius_m >= 0:  # also rejects NaN
        raise ValueError(f"radius must be a non-negative number of metres, got {radius_m!r}")


class _Points:
    """What both indexes hold: points with string ids, sorted by id, as unit vectors.

    Positions returned by the queries index `ids`, which are sorted, so a lower position
    means a lower id; that is how ties are broken.
    """

    __slots__ = ("ids", "lats", "lons", "_vectors", "_position")

    def __init__(self, ids: Sequence[str], lats: Sequence[float], lons: Sequence[float]):
        if not (len(ids) == len(lats) == len(lons)):
            raise ValueError("ids, lats and lons must have the same length")
        order = sorted(range(len(ids)), key=ids.__getitem__)
        self.ids: tuple[str, ...] = tuple(ids[k] for k in order)
        self._position = {id_: pos for pos, id_ in enumerate(self.ids)}
        if len(self._position) != len(self.ids):
            raise ValueError("ids must be unique")
        self.lats: tuple[float, ...] = tuple(float(lats[k]) for k in order)
        self.lons: tuple[float, ...] = tuple(float(lons[k]) for k in order)
        for k, (lat, lon) in enumerate(zip(self.lats, self.lons)):
            check_coordinate(lat, lon, k)
        self._vectors: list[Vector] = [unit_vector(lat, lon) for lat, lon in zip(self.lats, self.lons)]

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, id_: str | None) -> int:
        """Position of an id, or -1 when absent (so a foreign exclude_id excludes nothing)."""
        return self._position.get(id_, -1) if id_ is not None else -1

    def _best(self, candidates: Iterable[int], q: Vector, excluded: int) -> tuple[float, int] | None:
        """(chord, position) of the nearest candidate other than `excluded`, lowest position on ties."""
        vectors = self._vectors
        return min(((chord(vectors[p], q), p) for p in candidates if p != excluded), default=None)

    def _within(self, candidates: Iterable[int], q: Vector, radius_m: float, excluded: int) -> list[tuple[int, float]]:
        vectors = self._vectors
        found = []
        for p in candidates:
            if p != excluded:
                arc = chord_to_arc_m(chord(vectors[p], q))
                if arc <= radius_m:
                    found.append((arc, p))
        found.sort()
        return [(p, arc) for arc, p in found]


class SmallIndex(_Points):
    """The nearest and the points within a radius by looking at every point, in plain Python:
    no numpy, no scipy, nothing to build. For a few queries over a few thousand points this
    answers sooner than `SpatialIndex` has been imported; the answers are the same."""

    __slots__ = ()

    def nearest(self, lat: float, lon: float, exclude_id: str | None = None) -> tuple[int, float] | None:
        """(position, distance_m) of the nearest point other than `exclude_id`, or None."""
        check_coordinate(lat, lon)
        best = self._best(range(len(self.ids)), unit_vector(lat, lon), self.position(exclude_id))
        return None if best is None else (best[1], chord_to_arc_m(best[0]))

    def within(self, lat: float, lon: float, radius_m: float,
               exclude_id: str | None = None) -> list[tuple[int, float]]:
        """(position, distance_m) of every point at most `radius_m` away, nearest first.

        Ties in distance are ordered by position, i.e. by id. The boundary is inclusive.
        """
        _check_radius(radius_m)
        check_coordinate(lat, lon)
        return self._within(range(len(self.ids)), unit_vector(lat, lon), radius_m, self.position(exclude_id))


class SpatialIndex(_Points):
    """The same questions as `SmallIndex` through a k-d tree (numpy and scipy, imported when
    the first one is built), and `nearest_many` for a whole batch of queries at once."""

    __slots__ = ("_xyz", "_tree")

    def __init__(self, ids: Sequence[str], lats: Sequence[float], lons: Sequence[float]):
        super().__init__(ids, lats, lons)
        import numpy as np
        from scipy.spatial import cKDTree

        self._xyz = np.array(self._vectors, dtype=float).reshape(len(self.ids), 3)
        # An empty tree cannot be queried; every query method handles n == 0 itself.
        self._tree = cKDTree(self._xyz) if self.ids else None

    def _chords(self, positions: np.ndarray, xyz: np.ndarray) -> np.ndarray:
        # `chord` elementwise: the same operations in the same order, so the same bits.
        d = self._xyz[positions] - xyz
        x, y, z = d[..., 0], d[..., 1], d[..., 2]
        import numpy as np

        return np.sqrt(x * x + y * y + z * z)

    # -- nearest ---------------------------------------------------------------------------

    def nearest(self, lat: float, lon: float, exclude_id: str | None = None) -> tuple[int, float] | None:
        """(position, distance_m) of the nearest point other than `exclude_id`, or None."""
        check_coordinate(lat, lon)
        best = self._nearest_one(unit_vector(lat, lon), self.position(exclude_id))
        return None if best is None else (best[1], chord_to_arc_m(best[0]))

    def _nearest_one(self, q: Vector, excluded: int) -> tuple[float, int] | None:
        """(chord, position) of the nearest point to a unit vector, lowest position on ties."""
        n = len(self.ids)
        # Ask for one neighbour beyond what we need, so we can see that no point the tree left
        # out ties with the best; widen while it might (many institutions at one address).
        k = 2 if excluded < 0 else 3
        while True:
            k = min(k, n)
            if k == 0:
                return None
            dist, pos = self._tree.query(q, k=k)
            dist, pos = (dist, pos) if k > 1 else ([dist], [pos])
            best = self._best([int(p) for p in pos], q, excluded)
            if k == n or (best is not None and float(dist[-1]) > best[0] + _TREE_SLACK):
                return best
            k *= 2

    def nearest_many(
        self, lats: np.ndarray, lons: np.ndarray, exclude_ids: Sequence[str | None] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Nearest point for many queries at once.

        Returns (positions, distances_m): position -1 and distance +inf where there is none.
        The result for each query is identical to `nearest` on that query.
        """
        import numpy as np

        lats = np.asarray(lats, dtype=float).tolist()
        lons = np.asarray(lons, dtype=float).tolist()
        for k, (lat, lon) in enumerate(zip(lats, lons)):
            check_coordinate(lat, lon, k)
        m, n = len(lats), len(self.ids)
        out_pos = np.full(m, -1, dtype=np.intp)
        out_dist = np.full(m, np.inf)
        if m == 0 or n == 0:
            return out_pos, out_dist
        if exclude_ids is None:
            excluded = np.full(m, -1, dtype=np.intp)
        else:
            if len(exclude_ids) != m:
                raise ValueError("exclude_ids must have one entry per query")
            excluded = np.fromiter((self.position(e) for e in exclude_ids), dtype=np.intp, count=m)
        vectors = [unit_vector(lat, lon) for lat, lon in zip(lats, lons)]
        xyz = np.array(vectors, dtype=float).reshape(m, 3)

        # One vectorised query settles almost every row; the rare rows whose candidates may
        # tie with a point the tree left out go through the scalar path, which widens k.
        k = min(n, 3 if (excluded >= 0).any() else 2)
        dist, pos = self._tree.query(xyz, k=k)
        dist, pos = dist.reshape(m, k), pos.reshape(m, k)
        chords = np.where(pos == excluded[:, None], np.inf, self._chords(pos, xyz[:, None, :]))
        best = chords.min(axis=1)
        chosen = np.where(chords == best[:, None], pos, n).min(axis=1)
        chosen = np.where(np.isfinite(best), chosen, -1)
        settled = np.ones(m, dtype=bool) if k == n else dist[:, -1] > best + _TREE_SLACK
        for row in np.flatnonzero(~settled).tolist():
            found = self._nearest_one(vectors[row], int(excluded[row]))
            chosen[row], best[row] = (-1, np.inf) if found is None else (found[1], found[0])

        hit = chosen >= 0
        out_pos[hit] = chosen[hit]
        out_dist[hit] = [chord_to_arc_m(c) for c in best[hit].tolist()]
        return out_pos, out_dist

    # -- radius ----------------------------------------------------------------------------

    def within(
        self, lat: float, lon: float, radius_m: float, exclude_id: str | None = None
    ) -> list[tuple[int, float]]:
        """(position, distance_m) of every point at most `radius_m` away, nearest first.

        Ties in distance are ordered by position, i.e. by id. The boundary is inclusive.
        """
        _check_radius(radius_m)
        check_coordinate(lat, lon)
        if not self.ids:
            return []
        q = unit_vector(lat, lon)
        # Pad the chord so rounding cannot drop a point on the boundary; the exact arc test
        # decides membership.
        padded = arc_to_chord(float(radius_m)) * (1 + 1e-9) + 1e-12
        candidates = self._tree.query_ball_point(q, r=padded)
        return self._within(candidates, q, radius_m, self.position(exclude_id))


# -- several indexes as one ------------------------------------------------------------------
# A policy may count several registry categories as "the same type", so a query runs over
# several indexes and keeps the best. An id names one institution in all of them (one
# registry), so a tie in distance is broken by comparing ids, as within one index, and an
# institution of two categories (in two indexes) is found once.


def nearest_in(
    indexes: Sequence[SpatialIndex | SmallIndex], lat: float, lon: float, exclude_id: str | None = None
) -> tuple[str, float] | None:
    """(id, distance_m) of the nearest point over several indexes, lowest id on ties."""
    best: tuple[float, str] | None = None
    for idx in indexes:
        hit = idx.nearest(lat, lon, exclude_id)
        if hit is not None and (best is None or (hit[1], idx.ids[hit[0]]) < best):
            best = (hit[1], idx.ids[hit[0]])
    return None if best is None else (best[1], best[0])


def within_in(
    indexes: Sequence[SpatialIndex | SmallIndex], lat: float, lon: float, radius_m: float, exclude_id: str | None = None
) -> list[tuple[str, float]]:
    """(id, distance_m) of every point within `radius_m` over several indexes, by distance then id."""
    found = {(d, idx.ids[p]) for idx in indexes for p, d in idx.within(lat, lon, radius_m, exclude_id)}
    return [(id_, d) for d, id_ in sorted(found)]


def nearest_many_in(
    indexes: Sequence[SpatialIndex],
    lats: np.ndarray,
    lons: np.ndarray,
    exclude_ids: Sequence[str | None] | None = None,
) -> list[tuple[str, float] | None]:
    """`nearest_in` for many points at once; None where no point qualifies."""
    import numpy as np

    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    if len(lats) != len(lons):
        raise ValueError("lats and lons must have the same length")
    m = len(lats)
    best_dist = np.full(m, np.inf)
    best_idx = np.full(m, -1, dtype=np.intp)  # which index holds the best so far
    best_pos = np.full(m, -1, dtype=np.intp)
    for k, idx in enumerate(indexes):
        pos, dist = idx.nearest_many(lats, lons, exclude_ids)
        better = dist < best_dist
        # Equal finite distances across two indexes are rare; settle them by id in Python.
        for row in np.flatnonzero((dist == best_dist) & (pos >= 0)):
            if idx.ids[pos[row]] < indexes[best_idx[row]].ids[best_pos[row]]:
                better[row] = True
        best_dist = np.where(better, dist, best_dist)
        best_idx = np.where(better, k, best_idx)
        best_pos = np.where(better, pos, best_pos)
    return [
        (indexes[i].ids[p], d) if i >= 0 else None
        for i, p, d in zip(best_idx.tolist(), best_pos.tolist(), best_dist.tolist())
    ]
