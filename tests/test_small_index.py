"""The plain-Python `SmallIndex` against the k-d tree `SpatialIndex`: the same nearest point,
the same points within a radius, the same distances to the last bit, the same tie-breaks, on
random registries with many points at one address, mirror-image ties and points exactly on
the radius; and a `Registry` answering the same before and after it moves to its trees."""
from __future__ import annotations

import math
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.registry import load as registry_module
from engine.registry.load import Institution, Registry
from engine.registry.spatial import SmallIndex, SpatialIndex

# A few spots (one address shared by many, a mirror pair about the query spots, 沈阳 streets,
# the antimeridian and a pole) and anywhere at all.
SPOTS = [(41.79, 123.40), (41.79, 123.41), (41.80, 123.40), (0.0, 1.0), (0.0, -1.0), (0.0, 0.0),
         (10.0, 179.999), (10.0, -179.999), (89.99, 0.0), (89.99, 180.0), (-41.79, -56.60)]
anywhere = st.tuples(st.floats(-90, 90), st.floats(-180, 180))
nearby = st.tuples(st.floats(41.7, 41.9), st.floats(123.3, 123.5))
point = st.one_of(st.sampled_from(SPOTS), nearby, anywhere)


@st.composite
def scenes(draw):
    places = draw(st.lists(point, min_size=0, max_size=40))
    ids = draw(st.permutations([f"I{k:03d}" for k in range(len(places))]))  # ids not in position order
    queries = draw(st.lists(point, min_size=1, max_size=6))
    exclude = draw(st.lists(st.one_of(st.none(), st.sampled_from(ids or ["nobody"])),
                            min_size=len(queries), max_size=len(queries)))
    return ids, places, queries, exclude


def both(ids, places):
    lats, lons = [p[0] for p in places], [p[1] for p in places]
    return SmallIndex(ids, lats, lons), SpatialIndex(ids, lats, lons)


@settings(max_examples=300, deadline=None)
@given(scenes())
def test_the_scan_and_the_tree_give_the_same_nearest_to_the_last_bit(scene):
    ids, places, queries, exclude = scene
    small, tree = both(ids, places)
    assert small.ids == tree.ids
    for (lat, lon), out in zip(queries, exclude):
        assert small.nearest(lat, lon, out) == tree.nearest(lat, lon, out)
    positions, distances = tree.nearest_many([q[0] for q in queries], [q[1] for q in queries], exclude)
    for (lat, lon), out, pos, dist in zip(queries, exclude, positions.tolist(), distances.tolist()):
        expected = small.nearest(lat, lon, out)
        assert (pos, dist) == ((-1, math.inf) if expected is None else expected)


@settings(max_examples=300, deadline=None)
@given(scenes(), st.data())
def test_the_scan_and_the_tree_find_the_same_points_within_a_radius(scene, data):
    ids, places, queries, exclude = scene
    small, tree = both(ids, places)
    for (lat, lon), out in zip(queries, exclude):
        radii = [0.0, data.draw(st.floats(0, 3e7))]
        if ids:  # exactly the distance of a point, and a hair less: the boundary is inclusive
            d = small.within(lat, lon, 3e7)[data.draw(st.integers(0, len(ids) - 1))][1]
            radii += [d, math.nextafter(d, 0)]
        for radius in radii:
            assert small.within(lat, lon, radius, out) == tree.within(lat, lon, radius, out)


def test_ties_go_to_the_lowest_id_in_both():
    for cls in (SmallIndex, SpatialIndex):
        index = cls(["z", "y"], [0.0, 0.0], [1.0, -1.0])  # mirror images: bit-for-bit equal distances
        assert index.ids[index.nearest(0.0, 0.0)[0]] == "y"
        assert [index.ids[p] for p, _ in index.within(0.0, 0.0, 200_000)] == ["y", "z"]
        one_address = cls([f"D{k}" for k in (7, 3, 9, 1, 5, 0)], [41.79] * 6, [123.40] * 6)
        assert one_address.ids[one_address.nearest(41.79, 123.40, exclude_id="D0")[0]] == "D1"


def registry_of(places):
    cats = ("零售药店", "诊所")
    return Registry(Institution(f"R{k:04d}", f"机构{k}", cats[k % 2], lat, lon, k + 2)
                    for k, (lat, lon) in enumerate(places))


@settings(max_examples=60, deadline=None)
@given(st.lists(point, min_size=1, max_size=60), st.lists(point, min_size=1, max_size=12))
def test_a_registry_answers_the_same_by_scan_and_by_tree(places, queries):
    # A budget of a few scans: the first questions are answered by scanning, the rest by the
    # trees; a registry that uses trees from the start must give every answer the same.
    scanning, with_trees = registry_of(places), registry_of(places)
    for category in with_trees.categories:
        with_trees.index(category)
    with mock.patch.object(registry_module, "SCAN_BUDGET", 4 * len(places)):
        for k, (lat, lon) in enumerate(queries):
            for cats in (["零售药店"], ["零售药店", "诊所"]):
                exclude = f"R{k:04d}"
                assert scanning.nearest(lat, lon, cats, exclude) == with_trees.nearest(lat, lon, cats, exclude)
                assert scanning.within(lat, lon, cats, 5_000.0) == with_trees.within(lat, lon, cats, 5_000.0)


def test_a_registry_scans_until_its_budget_is_spent_then_builds_trees(monkeypatch):
    monkeypatch.setattr(registry_module, "SCAN_BUDGET", 10)
    reg = registry_of([(41.79 + k / 1000, 123.40) for k in range(8)])  # 4 pharmacies, 4 clinics
    reg.nearest(41.79, 123.40, ["零售药店"])
    reg.within(41.79, 123.40, ["零售药店"], 500.0)  # 4 + 4 institutions scanned
    assert not reg._indexes  # which indexes exist is what this test is about: no tree yet
    reg.nearest(41.79, 123.40, ["零售药店"])  # 12 > 10: to its tree
    assert set(reg._indexes) == {"零售药店"}
    reg.nearest(41.79, 123.40, ["零售药店", "诊所"])
    assert set(reg._indexes) == {"零售药店", "诊所"}
