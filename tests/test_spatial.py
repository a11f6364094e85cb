"""Spatial queries checked against an independent brute-force haversine."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from engine.registry.load import Institution, Neighbour, Registry, load_registry
from engine.registry.spatial import EARTH_RADIUS_M, SpatialIndex, haversine_m

FIXTURES = Path(__file__).parent / "fixtures" / "registry"
R = 6_371_008.8  # written out again on purpose: the tests do not trust the module's constant
TOL_M = 1e-6  # index distances agree with haversine far better than this below ~1000 km


# -- independent references --------------------------------------------------------------


def brute_haversine(lat, lon, lats, lons):
    """Haversine from one point to arrays of points, written independently of the module."""
    p1, p2 = np.radians(lat), np.radians(np.asarray(lats))
    dp, dl = p2 - p1, np.radians(np.asarray(lons) - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * R * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def vincenty_sphere(lat1, lon1, lat2, lon2):
    """Great-circle distance by the atan2 form, well conditioned at every distance."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.hypot(math.cos(p2) * math.sin(dl), math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl))
    x = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return R * math.atan2(y, x)


def brute_nearest(lat, lon, ids, lats, lons, exclude=None):
    """(id, distance, runner-up distance) by scanning every point."""
    d = brute_haversine(lat, lon, lats, lons)
    keep = np.array([i != exclude for i in ids])
    order = sorted((float(dd), i) for dd, i, k in zip(d, ids, keep) if k)
    runner_up = order[1][0] if len(order) > 1 else math.inf
    return (order[0][1], order[0][0], runner_up) if order else None


# Regions where a naive (lat, lon) index would go wrong: the antimeridian seam and the poles.
REGIONS = {
    "global": lambda rng, n: (np.degrees(np.arcsin(rng.uniform(-1, 1, n))), rng.uniform(-180, 180, n)),
    "antimeridian": lambda rng, n: (rng.uniform(-5, 5, n), (rng.uniform(179, 181, n) + 180) % 360 - 180),
    "north pole": lambda rng, n: (rng.uniform(89.5, 90, n), rng.uniform(-180, 180, n)),
    "south pole": lambda rng, n: (rng.uniform(-90, -89.5, n), rng.uniform(-180, 180, n)),
    "shenyang": lambda rng, n: (rng.uniform(41.6, 42.0, n), rng.uniform(123.2, 123.7, n)),
}


def random_points(region, n, seed):
    rng = np.random.default_rng(seed)
    lats, lons = REGIONS[region](rng, n)
    ids = [f"P{k:05d}" for k in rng.permutation(n)]  # id order unrelated to insertion order
    return ids, lats, lons


@pytest.fixture(params=REGIONS, ids=REGIONS.keys())
def scene(request):
    ids, lats, lons = random_points(request.param, 1500, seed=list(REGIONS).index(request.param) + 7)
    qlats, qlons = REGIONS[request.param](np.random.default_rng(99), 200)
    return ids, lats, lons, qlats, qlons


# -- haversine ---------------------------------------------------------------------------


def test_haversine_known_values():
    assert EARTH_RADIUS_M == R
    assert haversine_m(41.79, 123.40, 41.79, 123.40) == 0
    assert haversine_m(0, 0, 1, 0) == pytest.approx(R * math.pi / 180, abs=1e-9)
    assert haversine_m(0, 0, 0, 180) == pytest.approx(math.pi * R, abs=1e-6)
    assert haversine_m(90, 0, -90, 0) == pytest.approx(math.pi * R, abs=1e-6)
    assert haversine_m(0, 179.5, 0, -179.5) == pytest.approx(R * math.pi / 180, abs=1e-6)  # across the seam
    assert haversine_m(89.9, 0, 89.9, 180) == pytest.approx(R * math.radians(0.2), abs=1e-6)  # over the pole


def test_haversine_agrees_with_the_atan2_formula():
    rng = np.random.default_rng(1)
    for _ in range(2000):
        lat1, lat2 = rng.uniform(-90, 90, 2)
        lon1, lon2 = rng.uniform(-180, 180, 2)
        expected = vincenty_sphere(lat1, lon1, lat2, lon2)
        assert haversine_m(lat1, lon1, lat2, lon2) == pytest.approx(expected, abs=1e-3)
        assert haversine_m(lat1, lon1, lat2, lon2) == haversine_m(lat2, lon2, lat1, lon1)


# -- nearest and within against brute force ----------------------------------------------


def test_nearest_matches_brute_force(scene):
    ids, lats, lons, qlats, qlons = scene
    index = SpatialIndex(ids, lats, lons)
    for qlat, qlon in zip(qlats, qlons):
        want_id, want_d, runner_up = brute_nearest(qlat, qlon, ids, lats, lons)
        pos, dist = index.nearest(qlat, qlon)
        assert dist == pytest.approx(want_d, abs=TOL_M)
        if runner_up - want_d > TOL_M:  # otherwise the two are a tie within rounding
            assert index.ids[pos] == want_id


def test_nearest_excluding_self_matches_brute_force(scene):
    ids, lats, lons, _, _ = scene
    index = SpatialIndex(ids, lats, lons)
    for k in range(0, len(ids), 7):
        pos, dist = index.nearest(lats[k], lons[k], exclude_id=ids[k])
        want_id, want_d, runner_up = brute_nearest(lats[k], lons[k], ids, lats, lons, exclude=ids[k])
        assert index.ids[pos] != ids[k]
        assert dist == pytest.approx(want_d, abs=TOL_M)
        if runner_up - want_d > TOL_M:
            assert index.ids[pos] == want_id
        # without the exclusion a point is its own nearest neighbour, at distance zero
        assert index.nearest(lats[k], lons[k]) == (index.position(ids[k]), 0.0)


def test_within_matches_brute_force(scene):
    ids, lats, lons, qlats, qlons = scene
    index = SpatialIndex(ids, lats, lons)
    for qlat, qlon in zip(qlats[:50], qlons[:50]):
        d = brute_haversine(qlat, qlon, lats, lons)
        radius = float(np.quantile(d, 0.02))  # about 30 points
        got = index.within(qlat, qlon, radius)
        got_ids = {index.ids[p] for p, _ in got}
        want_ids = {i for i, dd in zip(ids, d) if dd <= radius - TOL_M}
        maybe = {i for i, dd in zip(ids, d) if abs(dd - radius) <= TOL_M}
        assert want_ids <= got_ids <= want_ids | maybe
        assert [dd for _, dd in got] == sorted(dd for _, dd in got)
        for p, dd in got:
            assert dd == pytest.approx(d[ids.index(index.ids[p])], abs=TOL_M)


def test_nearest_many_equals_nearest_one_by_one(scene):
    ids, lats, lons, qlats, qlons = scene
    index = SpatialIndex(ids, lats, lons)
    # Mix plain queries with queries from points that exclude themselves or a stranger.
    qlats = np.concatenate([qlats, lats[:100]])
    qlons = np.concatenate([qlons, lons[:100]])
    excludes = [None] * 200 + [ids[k] if k % 3 else "stranger" for k in range(100)]
    positions, dists = index.nearest_many(qlats, qlons, excludes)
    for k in range(len(qlats)):
        assert (int(positions[k]), float(dists[k])) == index.nearest(qlats[k], qlons[k], excludes[k])


# -- ties, duplicates and edge cases -----------------------------------------------------


def test_ties_go_to_the_lowest_id():
    # Symmetric about the query point, so the two distances are bit-for-bit equal.
    index = SpatialIndex(["z", "y"], [0.0, 0.0], [1.0, -1.0])
    pos, _ = index.nearest(0.0, 0.0)
    assert index.ids[pos] == "y"
    assert [index.ids[p] for p, _ in index.within(0.0, 0.0, 200_000)] == ["y", "z"]


def test_many_institutions_at_one_address():
    # Ten ids at one spot: the index must look past its first few neighbours to find the
    # lowest id, with and without excluding one of them.
    ids = [f"D{k}" for k in (7, 3, 9, 1, 5, 0, 8, 2, 6, 4)] + ["far"]
    lats, lons = [41.79] * 10 + [41.80], [123.40] * 10 + [123.40]
    index = SpatialIndex(ids, lats, lons)
    assert index.ids[index.nearest(41.79, 123.40)[0]] == "D0"
    assert index.ids[index.nearest(41.79, 123.40, exclude_id="D0")[0]] == "D1"
    assert index.ids[index.nearest(41.7901, 123.40, exclude_id="D5")[0]] == "D0"
    pos, dist = index.nearest_many([41.79] * 3, [123.40] * 3, ["D0", None, "D1"])
    assert [index.ids[p] for p in pos] == ["D1", "D0", "D0"] and list(dist) == [0.0] * 3


def test_empty_and_single_point_indexes():
    empty = SpatialIndex([], [], [])
    assert len(empty) == 0 and empty.nearest(0, 0) is None and empty.within(0, 0, 1e7) == []
    pos, dist = empty.nearest_many(np.array([1.0]), np.array([2.0]))
    assert pos.tolist() == [-1] and dist.tolist() == [math.inf]
    one = SpatialIndex(["A"], [41.79], [123.40])
    assert one.nearest(41.79, 123.40, exclude_id="A") is None
    assert one.within(41.79, 123.40, 10, exclude_id="A") == []
    pos, _ = one.nearest_many([41.79, 41.79], [123.40, 123.40], ["A", None])
    assert pos.tolist() == [-1, 0]


def test_within_boundary_is_inclusive_and_radius_zero_finds_coincident_points():
    index = SpatialIndex(["A", "B"], [41.79, 41.80], [123.40, 123.40])
    d = index.nearest(41.80, 123.40, exclude_id="B")[1]
    assert [index.ids[p] for p, _ in index.within(41.80, 123.40, d)] == ["B", "A"]
    assert [index.ids[p] for p, _ in index.within(41.80, 123.40, math.nextafter(d, 0))] == ["B"]
    assert index.within(41.80, 123.40, 0.0) == [(1, 0.0)]
    assert len(index.within(-41.80, -56.60, 3e7)) == 2  # past half the globe: everything


def test_bad_queries_raise_value_error():
    index = SpatialIndex(["A"], [1.0], [2.0])
    for lat, lon in [(91, 0), (0, 180.5), (math.nan, 0), (0, math.inf)]:
        with pytest.raises(ValueError):
            index.nearest(lat, lon)
    with pytest.raises(ValueError):
        index.within(0, 0, -1)
    with pytest.raises(ValueError):
        index.nearest_many([0.0, 95.0], [0.0, 0.0])
    with pytest.raises(ValueError):
        SpatialIndex(["A", "A"], [1.0, 2.0], [1.0, 2.0])


# -- the registry: several categories as one ---------------------------------------------


def make_registry(seed=5, n=900):
    ids, lats, lons = random_points("shenyang", n, seed)
    cats = ["综合医院", "中医医院", "零售药店"]
    insts = [Institution(i, f"机构{i}", cats[k % 3], float(la), float(lo), k + 2)
             for k, (i, la, lo) in enumerate(zip(ids, lats, lons))]
    return Registry(insts), insts


def test_registry_nearest_over_several_categories_matches_brute_force():
    reg, insts = make_registry()
    wanted = {"综合医院", "中医医院"}
    pool = [i for i in insts if i.category in wanted]
    qlats, qlons = REGIONS["shenyang"](np.random.default_rng(3), 150)
    got_many = reg.nearest_many(qlats, qlons, wanted)
    for qlat, qlon, many in zip(qlats, qlons, got_many):
        want_id, want_d, _ = brute_nearest(qlat, qlon, [i.id for i in pool], [i.lat for i in pool],
                                           [i.lon for i in pool])
        got = reg.nearest(qlat, qlon, wanted)
        assert got.institution.id == want_id and got.distance_m == pytest.approx(want_d, abs=TOL_M)
        assert many == got


def test_registry_within_over_several_categories():
    reg, insts = make_registry()
    got = reg.within(41.8, 123.45, ["零售药店", "中医医院", "零售药店"], 3000)
    want = sorted((haversine_m(41.8, 123.45, i.lat, i.lon), i.id) for i in insts
                  if i.category in ("零售药店", "中医医院") and haversine_m(41.8, 123.45, i.lat, i.lon) <= 3000)
    assert [(n.institution.id) for n in got] == [i for _, i in want]
    assert all(isinstance(n, Neighbour) for n in got)


def test_registry_excludes_an_applicant_that_is_itself_registered():
    reg, insts = make_registry()
    me = insts[10]
    got = reg.nearest(me.lat, me.lon, [me.category], exclude_id=me.id)
    assert got.institution.id != me.id and got.distance_m > 0
    assert reg.nearest(me.lat, me.lon, [me.category]).institution.id == me.id
    assert all(n.institution.id != me.id for n in reg.within(me.lat, me.lon, [me.category], 5000, me.id))
    (many,) = reg.nearest_many([me.lat], [me.lon], [me.category], [me.id])
    assert many == got


def test_registry_empty_or_unknown_category_gives_none():
    reg, _ = make_registry()
    assert reg.nearest(41.8, 123.4, []) is None
    assert reg.nearest(41.8, 123.4, ["门诊部"]) is None
    assert reg.within(41.8, 123.4, ["门诊部"], 1e6) == []
    assert reg.nearest_many([41.8, 41.9], [123.4, 123.5], ["门诊部"]) == [None, None]
    assert reg.index("门诊部") is None
    with pytest.raises(TypeError):
        reg.nearest(41.8, 123.4, "综合医院")  # a bare string, not a collection of names


def test_registry_builds_each_index_once():
    reg, _ = make_registry()
    first = reg.index("综合医院")
    reg.nearest(41.8, 123.4, ["综合医院"])
    assert reg.index("综合医院") is first and len(first) == 300


def test_registry_ties_across_categories_go_to_the_lowest_id():
    insts = [Institution("B", "b", "x", 0.0, 1.0, 2), Institution("A", "a", "y", 0.0, -1.0, 3)]
    reg = Registry(insts)
    assert reg.nearest(0.0, 0.0, ["x", "y"]).institution.id == "A"
    assert [n.institution.id for n in reg.nearest_many([0.0], [0.0], ["x", "y"])] == ["A"]


# -- a realistic case: 沈阳 -----------------------------------------------------------------
# Coordinates in the fixture are approximate, for testing only.


def hand_haversine(lat1, lon1, lat2, lon2):
    """The textbook formula, step by step, as one would check it on paper."""
    phi1, phi2 = lat1 * math.pi / 180, lat2 * math.pi / 180
    dphi, dlam = (lat2 - lat1) * math.pi / 180, (lon2 - lon1) * math.pi / 180
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * R * math.atan2(math.sqrt(a), math.sqrt(1 - a))


def test_shenyang_heping_applicant():
    reg = load_registry(FIXTURES / "shenyang.csv")
    lat, lon = 41.79, 123.40  # an applicant in 和平区
    hospital = reg.nearest(lat, lon, ["综合医院"])
    assert hospital.institution.name == "中国医科大学附属第一医院"
    assert hospital.distance_m == pytest.approx(hand_haversine(lat, lon, 41.7948, 123.4026), abs=0.01)
    assert hospital.distance_m == pytest.approx(575.62, abs=0.01)  # the hand formula's value, frozen

    pharmacy = reg.nearest(lat, lon, ["零售药店"])
    assert pharmacy.institution.id == "SY-P001"
    assert pharmacy.distance_m == pytest.approx(hand_haversine(lat, lon, 41.7880, 123.3990), abs=0.01)

    # A policy that counts 中医医院 as the same type as 综合医院 widens the search.
    near = reg.within(lat, lon, ["综合医院", "中医医院"], 3400)
    assert [n.institution.id for n in near] == ["SY-G001", "SY-G004", "SY-G005", "SY-G002"]
    for n in near:
        i = n.institution
        assert n.distance_m == pytest.approx(hand_haversine(lat, lon, i.lat, i.lon), abs=0.01)


def test_shenyang_registered_hospital_is_not_its_own_neighbour():
    reg = load_registry(FIXTURES / "shenyang.csv")
    me = reg["SY-G003"]
    other = reg.nearest(me.lat, me.lon, ["综合医院"], exclude_id=me.id)
    assert other.institution.id == "SY-G002"
    assert other.distance_m == pytest.approx(hand_haversine(me.lat, me.lon, 41.7790, 123.4378), abs=0.01)
