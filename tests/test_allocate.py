"""`policy allocate`: 择优 up to the quota, ties to review, the round's admitted as neighbours."""
from __future__ import annotations

import json
import random
import re

from click.testing import CliRunner

from cli import main
from tests.conftest import POLICIES, SHENYANG_EXAMPLES

ROUND = SHENYANG_EXAMPLES / "round-2026.jsonl"
HEZE_ROUND = POLICIES / "examples" / "heze" / "round-2026.jsonl"


def allocate(path, plan="shenyang-2025-draft", *extra):
    result = CliRunner().invoke(main, ["allocate", "--plan", plan, str(path), *extra])
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result, records


def by_id(records):
    return {r["applicant"]: r for r in records}


def test_one_record_per_line_in_order_with_the_contract_fields():
    result, records = allocate(ROUND)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line)["applicant"]["id"] for line in ROUND.read_text(encoding="utf-8").splitlines()]
    assert [r["applicant"] for r in records] == lines
    for record in records:
        assert {"applicant", "outcome", "rank", "region", "quota"} <= set(record)
    assert "康平县 · inpatient: 40 bed, used 35; admitted 2, waitlisted 2" in result.stderr


def test_the_quota_fills_in_rank_order_and_beds_count():
    records = by_id(allocate(ROUND)[1])
    first, second, third, fourth = (records[f"SY-R26-0{i}"] for i in range(1, 5))
    assert [(r["outcome"], r["rank"], r["used_before"]) for r in (first, second, third, fourth)] == [
        ("admitted", 1, 0), ("admitted", 2, 20), ("waitlisted", 3, 35), ("waitlisted", 4, 35)]
    assert second["priorities"] == ["同等条件优先纳入"]  # it ranks above SY-R26-03 at equal score
    assert third["why"].endswith("it needs 10 bed and only 5 of the quota of 40 bed remain after 35 used by those "
                                 "ranked above, so the quota closes here")
    assert "the quota closed at rank 3" in fourth["why"]  # 3 beds would fit, but not ahead of rank 3
    assert first["quota_rule"]["article"]["id"] == "三（一）"


def test_a_tie_the_plan_does_not_break_goes_to_review():
    records = by_id(allocate(ROUND)[1])
    for applicant in ("SY-R26-06", "SY-R26-07"):
        record = records[applicant]
        assert (record["outcome"], record["rank"]) == ("needs_review", 2)
        assert "the plan does not break the tie" in record["why"]


def test_a_neighbour_admitted_in_the_same_round_counts_under_the_800_m_rule():
    records = by_id(allocate(ROUND)[1])
    better, worse = records["SY-R26-12"], records["SY-R26-11"]
    assert (better["outcome"], better["rank"]) == ("admitted", 1)
    assert worse["outcome"] == "spacing_conflict" and worse["decision"] == "eligible"
    assert worse["conflicts_with"] == {"applicant": "SY-R26-12", "line": 12, "rank": 1, "score": 92,
                                       "distance_m": 331.6}
    assert worse["decided_by"]["rule"] == "服务半径800米" and worse["decided_by"]["article"]["id"] == "三"


def test_equal_neighbours_go_to_review_and_priority_breaks_ties():
    records = by_id(allocate(HEZE_ROUND, "heze-2026")[1])
    assert {records[a]["outcome"] for a in ("HZ-R26-06", "HZ-R26-07")} == {"needs_review"}
    assert records["HZ-R26-08"]["outcome"] == "admitted" and records["HZ-R26-08"]["priorities"]
    assert records["HZ-R26-09"]["outcome"] == "spacing_conflict"
    assert "ranked above by 优先纳入门诊统筹与慢特病 at equal score" in records["HZ-R26-09"]["why"]


def test_an_applicant_without_a_score_is_undetermined_and_the_others_allocated():
    records = by_id(allocate(ROUND)[1])
    record = records["SY-R26-08"]
    assert (record["outcome"], record["missing"]) == ("undetermined", ["applicant.score"])
    assert "needs 择优评分" in record["why"]
    assert records["SY-R26-10"]["outcome"] == "admitted"  # same region, allocated without it
    assert records["SY-R26-09"]["missing"] == ["applicant.beds"]  # its beds would count against the quota


def test_file_order_never_decides(tmp_path):
    expected = {a: (r["outcome"], r["rank"]) for a, r in by_id(allocate(ROUND)[1]).items()}
    lines = ROUND.read_text(encoding="utf-8").splitlines()
    for seed in range(3):
        random.Random(seed).shuffle(lines)
        path = tmp_path / "round-2026.jsonl"
        (tmp_path / "context-2026.json").write_text((SHENYANG_EXAMPLES / "context-2026.json").read_text(encoding="utf-8"),
                                                    encoding="utf-8")
        (tmp_path / "registry.csv").write_text((SHENYANG_EXAMPLES / "registry.csv").read_text(encoding="utf-8"),
                                               encoding="utf-8")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        got = {a: (r["outcome"], r["rank"]) for a, r in by_id(allocate(path)[1]).items()}
        assert got == expected


def test_a_bad_line_is_an_error_record_and_the_round_goes_on(tmp_path):
    lines = ROUND.read_text(encoding="utf-8").splitlines()
    lines.insert(2, '{"applicant": {"id": "BROKEN", "category": "inpatient", "beds": "many"}}')
    lines.insert(3, "not json")
    path = SHENYANG_EXAMPLES.parent / "shenyang" / "round-2026.jsonl"  # context and registry beside it
    copy = tmp_path / "round.jsonl"
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, records = allocate(copy, "shenyang-2025-draft", "--context", str(SHENYANG_EXAMPLES / "context-2026.json"),
                               "--registry", str(SHENYANG_EXAMPLES / "registry.csv"))
    assert result.exit_code == 2
    assert len(records) == len(lines) and path.exists()
    assert records[2]["applicant"] == "BROKEN" and records[2]["error"]["path"] == "applicant.beds"
    assert records[3]["error"]["code"] == "F001"
    assert by_id(records)["SY-R26-02"]["outcome"] == "admitted"
    assert "Traceback" not in result.output


def test_output_file_is_written_whole(tmp_path):
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["allocate", "--plan", "heze-2026", str(HEZE_ROUND), "-o", str(out)])
    assert result.exit_code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records[0] == {**records[0], "applicant": "HZ-R26-01", "outcome": "admitted", "rank": 1, "region": "曹县",
                          "quota": 1575}


def test_a_plan_without_quotas_cannot_allocate(write_policy):
    from tests.conftest import MINI

    result = CliRunner().invoke(main, ["allocate", "--plan", str(write_policy(MINI)), str(ROUND)])
    assert result.exit_code == 2 and "declares no quota" in result.output


def test_diff_shows_the_quota_change_and_whose_allocation_flips(tmp_path):
    import shutil

    shutil.copytree(POLICIES / "sources", tmp_path / "sources")
    new = (POLICIES / "shenyang-2025-draft.policy").read_text(encoding="utf-8").replace(
        "then floor(区域统计.beds_released × 50%)", "then floor(区域统计.beds_released × 60%)")
    (tmp_path / "new.policy").write_text(new, encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(POLICIES / "shenyang-2025-draft.policy"), str(tmp_path / "new.policy"),
                                       "--population", str(ROUND), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert {"region": "康平县", "category": "inpatient", "rule": "住院新增医保床位", "old": 40, "new": 48,
            "unit": "bed"} in data["allocation"]["quotas"]
    flips = {f["applicant"]: (f["old"]["outcome"], f["new"]["outcome"]) for f in data["allocation"]["flips"]}
    assert flips["SY-R26-03"] == ("waitlisted", "admitted")
    text = CliRunner().invoke(main, ["diff", str(POLICIES / "shenyang-2025-draft.policy"), str(tmp_path / "new.policy")])
    assert "quota 住院新增医保床位 changed" in text.output and "branch 2: 50% → 60%" in text.output


def _population(tmp_path, count=400, seed=7):
    """A seeded round over 法库县 and 康平县, scores from a few values so that ties are common."""
    rng = random.Random(seed)
    conditions = {c: True for c in ("staffing", "departments", "equipment", "information_system", "safety_facilities",
                                    "accessibility_facilities", "elderly_facilities")}
    lines = []
    for number in range(count):
        category = rng.choice(["inpatient", "outpatient_pooling", "pharmacy"])
        applicant = {"id": f"P{number:04d}", "category": category, "district": rng.choice(["法库县", "康平县"]),
                     "location": {"lat": round(rng.uniform(42.40, 42.50), 5), "lon": round(rng.uniform(123.30, 123.45), 5)},
                     "score": rng.choice([60, 65, 70, 75, 80]), "beds": rng.randrange(1, 60),
                     "flags": {"key_project": rng.random() < 0.2, "public_community_health_center": False,
                               "elderly_care_embedded": False, "integrated_village_clinic": False,
                               "university_embedded": False},
                     "conditions": conditions}
        lines.append(json.dumps({"as_of": "2026-06-01", "applicant": applicant}, ensure_ascii=False))
    path = tmp_path / "population.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, lines


def _run(path):
    return allocate(path, "shenyang-2025-draft", "--context", str(SHENYANG_EXAMPLES / "context-2026.json"),
                    "--registry", str(SHENYANG_EXAMPLES / "registry.csv"))


def test_a_crowded_round_keeps_every_promise(tmp_path):
    from engine.registry.spatial import haversine_m

    path, lines = _population(tmp_path)
    result, records = _run(path)
    assert result.exit_code == 0, result.output
    groups: dict = {}
    for record in records:
        groups.setdefault((record["region"], record["category"]), []).append(record)
    places = {json.loads(line)["applicant"]["id"]: json.loads(line)["applicant"]["location"] for line in lines}
    for (region, category), members in groups.items():
        admitted = [r for r in members if r["outcome"] == "admitted"]
        if members[0]["quota"] is not None:  # never over the quota
            assert sum(r["uses"] for r in admitted) <= members[0]["quota"], (region, category)
        waiting = [r["rank"] for r in members if r["outcome"] == "waitlisted"]
        assert all(r["rank"] < min(waiting) for r in admitted) if waiting else True  # rank order, never skipped
        for a in admitted:  # no two admitted of one type within 800 m of each other
            for b in admitted:
                if a is not b:
                    pa, pb = places[a["applicant"]], places[b["applicant"]]
                    assert haversine_m(pa["lat"], pa["lon"], pb["lat"], pb["lon"]) > 800, (a["applicant"], b["applicant"])
    assert {r["outcome"] for r in records} >= {"admitted", "waitlisted", "spacing_conflict", "needs_review"}
    rng = random.Random(1)
    rng.shuffle(lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    def seen(record):  # a neighbour's line number is its place in this file, the rest must not move
        return record["outcome"], record["rank"], record["used_before"], re.sub(r"line \d+, ", "", record["why"] or "")

    again = {r["applicant"]: seen(r) for r in _run(path)[1]}
    assert again == {r["applicant"]: seen(r) for r in records}


def test_an_applicant_twice_in_a_round_is_a_bad_line(tmp_path):
    lines = ROUND.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "round.jsonl"
    path.write_text("\n".join(lines + [lines[0]]) + "\n", encoding="utf-8")
    result, records = allocate(path, "shenyang-2025-draft", "--context", str(SHENYANG_EXAMPLES / "context-2026.json"),
                               "--registry", str(SHENYANG_EXAMPLES / "registry.csv"))
    assert result.exit_code == 2
    assert records[-1]["error"]["code"] == "F040" and "is also on line 1" in records[-1]["error"]["message"]
    assert records[0]["outcome"] == "admitted"


def test_scores_with_decimals_are_written_where_a_neighbour_is_named(tmp_path):
    # A JSON decimal is read exactly (a Fraction); the record of an applicant whose round
    # neighbour conflicts with it names that neighbour's score, which must still be written.
    path, lines = _population(tmp_path)
    path.write_text("".join(json.dumps(_half_up(json.loads(line)), ensure_ascii=False) + "\n" for line in lines),
                    encoding="utf-8")
    result, records = _run(path)
    assert result.exit_code == 0, result.output
    named = [r["conflicts_with"] for r in records if r["conflicts_with"]]
    assert named and all(isinstance(n["score"], float) and n["score"] % 1 == 0.5 for n in named)


def _half_up(data: dict) -> dict:
    data["applicant"]["score"] += 0.5
    return data
