"""Benchmark: nearest institution of the same category, k-d tree index against brute force.

Not a test: it prints figures and exits 0. Run from the repository root:

    python -m bench.spatial            # n = 100,000 registry rows and applicants
    python bench/spatial.py --n 20000

What it measures, on seeded synthetic data spread over 山东- and 辽宁-like bounding boxes
(clustered around city centres, as real registries are) in six categories:

1. indexed: building the per-category indexes and answering the nearest-same-category query
   for every applicant through `Registry.nearest_many`, one call per category;
2. brute force: a numpy-vectorised haversine over all of the category's rows, per applicant,
   for a sample of applicants, extrapolated linearly to all of them; the two are checked to
   agree on the sample;
3. growth: the indexed path at n/8, n/4, n/2 and n (registry and applicants both n), with
   time / (n log2 n), which stays roughly flat if the cost grows like n log n (printed with
   the garbage collector on, and paused to separate its steps from the algorithm's trend).
Also, once, the cost of reading and validating an n-row registry CSV with `load_registry`.
"""
from __future__ import annotations

import argparse
import gc
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.spatial  # noqa: F401  the k-d tree's import, paid once per run, not by the first build timed below

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # so `python bench/spatial.py` works

from engine.registry.load import Institution, Registry, load_registry  # noqa: E402
from engine.registry.spatial import EARTH_RADIUS_M  # noqa: E402

# (lat min, lat max, lon min, lon max), roughly the provinces' extents, and a share of rows.
BOXES = {"山东": ((34.4, 38.4, 114.8, 122.7), 0.55), "辽宁": ((38.7, 43.5, 118.8, 125.8), 0.45)}
CATEGORIES = ("综合医院", "中医医院", "专科医院", "基层医疗机构", "零售药店", "门诊部")
SHARES = (0.08, 0.04, 0.06, 0.32, 0.40, 0.10)  # pharmacies and primary care dominate real lists
CITIES_PER_BOX = 16


def generate(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n points: 75% around city centres, 25% spread evenly; with a category code each."""
    lats, lons = np.empty(n), np.empty(n)
    box_of = rng.choice(len(BOXES), size=n, p=[share for _, share in BOXES.values()])
    for b, ((lat0, lat1, lon0, lon1), _) in enumerate(BOXES.values()):
        rows = np.flatnonzero(box_of == b)
        centres = np.column_stack((rng.uniform(lat0, lat1, CITIES_PER_BOX), rng.uniform(lon0, lon1, CITIES_PER_BOX)))
        clustered = rng.random(len(rows)) < 0.75
        pick = centres[rng.integers(0, CITIES_PER_BOX, len(rows))]
        spread = rng.normal(0, 0.12, (len(rows), 2))
        lats[rows] = np.where(clustered, np.clip(pick[:, 0] + spread[:, 0], lat0, lat1), rng.uniform(lat0, lat1, len(rows)))
        lons[rows] = np.where(clustered, np.clip(pick[:, 1] + spread[:, 1], lon0, lon1), rng.uniform(lon0, lon1, len(rows)))
    cats = rng.choice(len(CATEGORIES), size=n, p=SHARES)
    return lats, lons, cats


def make_registry(lats: np.ndarray, lons: np.ndarray, cats: np.ndarray) -> Registry:
    return Registry(
        Institution(f"I{k:07d}", f"机构{k}", CATEGORIES[c], la, lo, k + 2)
        for k, (la, lo, c) in enumerate(zip(lats.tolist(), lons.tolist(), cats.tolist()))
    )


def indexed(reg: Registry, lats: np.ndarray, lons: np.ndarray, cats: np.ndarray) -> tuple[float, float, list]:
    """(build seconds, query seconds, nearest per applicant) on a registry not yet queried."""
    t0 = time.perf_counter()
    for c in CATEGORIES:
        reg.index(c)
    t1 = time.perf_counter()
    found: list = [None] * len(lats)
    for c, name in enumerate(CATEGORIES):
        rows = np.flatnonzero(cats == c)
        for row, hit in zip(rows.tolist(), reg.nearest_many(lats[rows], lons[rows], [name])):
            found[row] = hit
    return t1 - t0, time.perf_counter() - t1, found


def brute_force(reg_arrays, lats, lons, cats, sample) -> tuple[float, list]:
    """Seconds to scan the applicant's whole category with vectorised haversine, per sample row."""
    out = []
    t0 = time.perf_counter()
    for row in sample.tolist():
        phi, lam, cos_phi, ids = reg_arrays[cats[row]]
        p = math.radians(lats[row])
        a = np.sin((phi - p) / 2) ** 2 + math.cos(p) * cos_phi * np.sin((lam - math.radians(lons[row])) / 2) ** 2
        d = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))
        k = int(np.argmin(d))
        out.append((ids[k], float(d[k])))
    return time.perf_counter() - t0, out


def per_category_arrays(lats, lons, cats):
    """Registry rows of each category as radians, precomputed outside the brute-force timing."""
    arrays = {}
    for c in range(len(CATEGORIES)):
        rows = np.flatnonzero(cats == c)
        phi = np.radians(lats[rows])
        arrays[c] = (phi, np.radians(lons[rows]), np.cos(phi), [f"I{k:07d}" for k in rows.tolist()])
    return arrays


def time_load(lats, lons, cats) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "registry.csv"
        with path.open("w", encoding="utf-8") as fh:
            fh.write("id,name,category,lat,lon\n")
            for k, (la, lo, c) in enumerate(zip(lats.tolist(), lons.tolist(), cats.tolist())):
                fh.write(f"I{k:07d},机构{k},{CATEGORIES[c]},{la:.6f},{lo:.6f}\n")
        t0 = time.perf_counter()
        load_registry(path, CATEGORIES)
        return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="registry rows and applicants (default 100000)")
    parser.add_argument("--sample", type=int, default=1_000, help="applicants scanned by brute force")
    parser.add_argument("--seed", type=int, default=20250601)
    args = parser.parse_args(argv)
    n, rng = args.n, np.random.default_rng(args.seed)

    reg_lats, reg_lons, reg_cats = generate(n, rng)
    app_lats, app_lons, app_cats = generate(n, rng)
    sizes = np.bincount(reg_cats, minlength=len(CATEGORIES))
    print(f"registry: {n:,} rows in {len(CATEGORIES)} categories "
          f"({', '.join(f'{c} {s:,}' for c, s in zip(CATEGORIES, sizes))}); applicants: {n:,}")

    t0 = time.perf_counter()
    reg = make_registry(reg_lats, reg_lons, reg_cats)
    t_rows = time.perf_counter() - t0
    t_build, t_query, found = indexed(reg, app_lats, app_lons, app_cats)
    t_indexed = t_build + t_query
    print(f"indexed:     {t_indexed:8.3f} s  (build indexes {t_build:.3f} s + {n:,} queries {t_query:.3f} s;"
          f" {n / t_query:,.0f} queries/s; Registry from rows {t_rows:.3f} s not included)")

    sample = rng.choice(n, size=min(args.sample, n), replace=False)
    t_brute, brute = brute_force(per_category_arrays(reg_lats, reg_lons, reg_cats),
                                 app_lats, app_lons, app_cats, sample)
    t_brute_all = t_brute * n / len(sample)
    print(f"brute force: {t_brute_all:8.3f} s  (extrapolated from {len(sample):,} applicants in {t_brute:.3f} s,"
          f" {t_brute / len(sample) * 1e3:.3f} ms each)")
    print(f"ratio:       {t_brute_all / t_indexed:8.1f} x  (brute force / indexed)")

    agree = sum(found[row].institution.id == bid or abs(found[row].distance_m - bd) < 1e-6
                for row, (bid, bd) in zip(sample.tolist(), brute))
    worst = max(abs(found[row].distance_m - bd) for row, (_, bd) in zip(sample.tolist(), brute))
    print(f"check:       {agree:,}/{len(sample):,} sampled answers agree; largest distance gap {worst:.2e} m")

    print(f"load_registry on a {n:,}-row CSV: {time_load(reg_lats, reg_lons, reg_cats):.3f} s")

    # The query answers are Python objects, so the cyclic garbage collector runs during the
    # timing, and its full passes (over the whole registry) show up as steps, not as a trend.
    # Both are printed: with the collector, as a batch run sees it, and with it paused, which
    # isolates the algorithm's growth.
    print("growth (registry = applicants = n; best of 3; build indexes + all queries):")
    print(f"  {'n':>9}  {'s, gc on':>9}  {'ns/(n log2 n)':>14}  {'s, gc paused':>12}  {'ns/(n log2 n)':>14}")
    for m in (n // 8, n // 4, n // 2, n):
        sub = np.random.default_rng(args.seed + m)
        r_lats, r_lons, r_cats = generate(m, sub)
        a_lats, a_lons, a_cats = generate(m, sub)
        best = {True: math.inf, False: math.inf}
        for collect in (True, False) * 3:
            fresh = make_registry(r_lats, r_lons, r_cats)  # indexes are cached: start cold each time
            gc.collect()
            if not collect:
                gc.disable()
            try:
                build, query, _ = indexed(fresh, a_lats, a_lons, a_cats)
            finally:
                gc.enable()
            best[collect] = min(best[collect], build + query)
        nlogn = m * math.log2(m) / 1e9
        print(f"  {m:>9,}  {best[True]:9.3f}  {best[True] / nlogn:14.1f}  {best[False]:12.3f}  {best[False] / nlogn:14.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
