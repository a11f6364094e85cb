"""Great-circle nearest-neighbour and radius queries over points on the Earth.

Distances are arcs on a sphere of the mean Earth radius (IUGG R1 = 6,371,008.8 m), the model
the spacing rules of the plans assume ("直线距离"): no ellipsoid, no road network.

The index stores each point as a 3D unit vector in a `scipy.spatial.cKDTree`. The straight
chord between two unit vectors is a monotone function of the arc between them,
arc = 2R * asin(chord / 2), so the nearest point by chord is the nearest by arc, and a radius
in metres is a radius in chord length. Working in 3D has no seam: the antimeridian and the
poles need no special case, unlike a tree over (lat, lon) pairs.

Ties are deterministic: on equal distance the point with the lowest id wins, whatever order
the tree happens to return them in.

Precision: for distances up to a few thousand kilometres the arc agrees with `haversine_m`
to well under a micrometre. Both formulas lose precision near the antipode (asin near 1),
which no spacing rule comes close to.
"""
from __future__ import annotations

import math
from typing import Iterable, Sequence

import numpy as np
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius R1 of IUGG, in metres."""

_HALF_CIRCUMFERENCE_M = math.pi * EARTH_RADIUS_M


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points given in decimal degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlam = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    # Rounding can push `a` a hair above 1 for antipodal points; asin would then fail.
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(a, 1.0)))


def unit_vectors(lats: Iterable[float] | np.ndarray, lons: Iterable[float] | np.ndarray) -> np.ndarray:
    """Points in decimal degrees as an (n, 3) array of unit vectors (x, y, z)."""
    phi = np.radians(np.asarray(lats, dtype=float))
    lam = np.radians(np.asarray(lons, dtype=float))
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def chord_to_arc_m(chord: np.ndarray | float) -> np.ndarray | float:
    """Arc length in metres for a chord between unit vectors (exact on the sphere)."""
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(np.asarray(chord, dtype=float) / 2, 1.0))


def arc_to_chord(arc_m: float) -> float:
    """Chord between unit vectors for an arc in metres; arcs past half the globe give 2."""
    if arc_m >= _HALF_CIRCUMFERENCE_M:
        return 2.0
    return 2 * math.sin(arc_m / (2 * EARTH_RADIUS_M))


def check_coordinates(lats: np.ndarray, lons: np.ndarray) -> None:
    """Raise ValueError unless every latitude is in [-90, 90] and longitude in [-180, 180].

    Queries come from facts the evaluator has already validated, so a bad coordinate here is
    a programming error, not user input: it raises rather than returning a diagnostic.
    """
    bad = ~(np.isfinite(lats) & np.isfinite(lons) & (np.abs(lats) <= 90) & (np.abs(lons) <= 180))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ValueError(f"coordinate #{k} ({lats[k]!r}, {lons[k]!r}) is not a valid lat/lon in degrees")


class SpatialIndex:
    """Points with string ids, queried by great-circle distance.

    Positions returned by the queries index `ids`, which are sorted, so a lower position
    means a lower id; that is how ties are broken.
    """

    __slots__ = ("ids", "lats", "lons", "_xyz", "_tree", "_position")

    def __init__(self, ids: Sequence[str], lats: Sequence[float], lons: Sequence[float]):
        if not (len(ids) == len(lats) == len(lons)):
            raise ValueError("ids, lats and lons must have the same length")
        order = sorted(range(len(ids)), key=ids.__getitem__)
        self.ids: tuple[str, ...] = tuple(ids[k] for k in order)
        self._position = {id_: pos for pos, id_ in enumerate(self.ids)}
        if len(self._position) != len(self.ids):
            raise ValueError("ids must be unique")
        self.lats = np.asarray(lats, dtype=float)[order]
        self.lons = np.asarray(lons, dtype=float)[order]
        check_coordinates(self.lats, self.lons)
        self._xyz = unit_vectors(self.lats, self.lons)
        # An empty tree cannot be queried; every query method handles n == 0 itself.
        self._tree = cKDTree(self._xyz) if self.ids else None

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, id_: str | None) -> int:
        """Position of an id, or -1 when absent (so a foreign exclude_id excludes nothing)."""
        return self._position.get(id_, -1) if id_ is not None else -1

    def _arc_m(self, positions: np.ndarray, xyz: np.ndarray) -> np.ndarray:
        # INVARIANT: every distance this class reports comes from here, so nearest, within and
        # nearest_many agree to the last bit on the same pair of points.
        chord = np.sqrt(((self._xyz[positions] - xyz) ** 2).sum(axis=-1))
        return chord_to_arc_m(chord)

    # -- nearest ---------------------------------------------------------------------------

    def nearest(self, lat: float, lon: float, exclude_id: str | None = None) -> tuple[int, float] | None:
        """(position, distance_m) of the nearest point other than `exclude_id`, or None."""
        check_coordinates(np.array([lat], dtype=float), np.array([lon], dtype=float))
        xyz = unit_vectors([lat], [lon])[0]
        pos = self._nearest_one(xyz, self.position(exclude_id))
        if pos < 0:
            return None
        return pos, float(self._arc_m(np.array([pos]), xyz)[0])

    def _nearest_one(self, xyz: np.ndarray, excluded: int) -> int:
        """Position of the nearest point to a unit vector, lowest position on ties; -1 if none."""
        n = len(self.ids)
        # Ask for one neighbour beyond what we need, so we can see that the best distance is
        # not shared with a point the tree left out; widen while every neighbour seen is tied
        # (many institutions at one address).
        k = 2 if excluded < 0 else 3
        while True:
            k = min(k, n)
            if k == 0:
                return -1
            dist, pos = self._tree.query(xyz, k=k)
            dist, pos = np.atleast_1d(dist), np.atleast_1d(pos)
            keep = pos != excluded
            dist, pos = dist[keep], pos[keep]
            if len(dist) == 0:
                return -1
            best = dist[0]
            if k == n or (dist > best).any():
                return int(pos[dist == best].min())
            k *= 2

    def nearest_many(
        self, lats: np.ndarray, lons: np.ndarray, exclude_ids: Sequence[str | None] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Nearest point for many queries at once.

        Returns (positions, distances_m): position -1 and distance +inf where there is none.
        The result for each query is identical to `nearest` on that query.
        """
        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        check_coordinates(lats, lons)
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
        xyz = unit_vectors(lats, lons)

        # One vectorised query settles almost every row; the rare rows whose neighbours are all
        # tied at the best distance go through the scalar path, which widens k as needed.
        k = min(n, 3 if (excluded >= 0).any() else 2)
        dist, pos = self._tree.query(xyz, k=k)
        dist, pos = dist.reshape(m, k), pos.reshape(m, k)
        is_excluded = pos == excluded[:, None]
        live = np.where(is_excluded, np.inf, dist)
        best = live.min(axis=1)
        at_best = (live == best[:, None]) & ~is_excluded
        chosen = np.where(at_best, pos, n).min(axis=1)
        found = np.isfinite(best)
        if k == n:
            settled = np.ones(m, dtype=bool)
        else:
            settled = ((dist > best[:, None]) & ~is_excluded).any(axis=1)
        chosen = np.where(found, chosen, -1)
        for row in np.flatnonzero(~settled):
            chosen[row] = self._nearest_one(xyz[row], int(excluded[row]))

        hit = chosen >= 0
        out_pos[hit] = chosen[hit]
        out_dist[hit] = self._arc_m(chosen[hit], xyz[hit])
        return out_pos, out_dist

    # -- radius ----------------------------------------------------------------------------

    def within(
        self, lat: float, lon: float, radius_m: float, exclude_id: str | None = None
    ) -> list[tuple[int, float]]:
        """(position, distance_m) of every point at most `radius_m` away, nearest first.

        Ties in distance are ordered by position, i.e. by id. The boundary is inclusive.
        """
        if not radius_m >= 0:  # also rejects NaN
            raise ValueError(f"radius must be a non-negative number of metres, got {radius_m!r}")
        check_coordinates(np.array([lat], dtype=float), np.array([lon], dtype=float))
        if not self.ids:
            return []
        xyz = unit_vectors([lat], [lon])[0]
        # Pad the chord so rounding cannot drop a point on the boundary; the exact arc test
        # below decides membership.
        chord = arc_to_chord(float(radius_m)) * (1 + 1e-9) + 1e-12
        candidates = np.asarray(self._tree.query_ball_point(xyz, r=chord), dtype=np.intp)
        excluded = self.position(exclude_id)
        candidates = candidates[candidates != excluded]
        if len(candidates) == 0:
            return []
        arcs = self._arc_m(candidates, xyz)
        inside = arcs <= radius_m
        candidates, arcs = candidates[inside], arcs[inside]
        order = np.lexsort((candidates, arcs))
        return [(int(candidates[k]), float(arcs[k])) for k in order]


# -- several indexes as one ------------------------------------------------------------------
# A policy may count several registry categories as "the same type", so a query runs over
# several indexes and keeps the best. Ids are unique across them (one registry), so a tie in
# distance is broken by comparing ids, as within one index.


def nearest_in(
    indexes: Sequence[SpatialIndex], lat: float, lon: float, exclude_id: str | None = None
) -> tuple[str, float] | None:
    """(id, distance_m) of the nearest point over several indexes, lowest id on ties."""
    best: tuple[float, str] | None = None
    for idx in indexes:
        hit = idx.nearest(lat, lon, exclude_id)
        if hit is not None and (best is None or (hit[1], idx.ids[hit[0]]) < best):
            best = (hit[1], idx.ids[hit[0]])
    return None if best is None else (best[1], best[0])


def within_in(
    indexes: Sequence[SpatialIndex], lat: float, lon: float, radius_m: float, exclude_id: str | None = None
) -> list[tuple[str, float]]:
    """(id, distance_m) of every point within `radius_m` over several indexes, by distance then id."""
    found = [(d, idx.ids[p]) for idx in indexes for p, d in idx.within(lat, lon, radius_m, exclude_id)]
    found.sort()
    return [(id_, d) for d, id_ in found]


def nearest_many_in(
    indexes: Sequence[SpatialIndex],
    lats: np.ndarray,
    lons: np.ndarray,
    exclude_ids: Sequence[str | None] | None = None,
) -> list[tuple[str, float] | None]:
    """`nearest_in` for many points at once; None where no point qualifies."""
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
