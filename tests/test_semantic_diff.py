"""`policy diff --semantic`: every difference found with a witness that `policy explain` confirms,
and `equivalent` for copies that only change the layout or the wording."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import POLICIES, ROOT, SHENYANG

DIFF = ROOT / "tests" / "fixtures" / "diff"
HEZE = POLICIES / "heze-2026.policy"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def copy_plan(tmp_path: Path, plan: Path, name: str, old: str, new: str) -> Path:
    """A copy of a shipped plan with one text replaced (its sources beside it, so quotes check)."""
    if not (tmp_path / "sources").exists():
        shutil.copytree(POLICIES / "sources", tmp_path / "sources")
    text = plan.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def semantic(tmp_path: Path, old: Path, new: Path) -> tuple[int, dict]:
    result = run("diff", old, new, "--semantic", "--witness-dir", tmp_path / "witnesses", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


def confirm_every_witness(data: dict) -> int:
    """Run `policy explain` on every witness the report printed, under both plans: the outcome,
    the deciding rule and the terms are the ones the report claims."""
    count = 0
    for cell in data["cells"]:
        assert cell["verdict"] != "unknown", cell
        assert not cell["unwitnessed"], cell
        for d in cell["differences"]:
            assert d["confirmed"], d
            for side, plan in (("old", data["old"]["path"]), ("new", data["new"]["path"])):
                result = run("explain", d["file"], "--plan", plan, "--format", "json")
                assert result.exit_code == 0, result.output
                got = json.loads(result.output)
                claim = d[side]
                assert got["outcome"] == claim["outcome"], (d["file"], side, got["outcome"], claim)
                # explain names the `otherwise` clause as decided_by {"rule": "otherwise", ...} (issue
                # 11's contract); the report's rule is None for it.
                by = got["decided_by"] or {}
                assert (None if by.get("kind") == "otherwise" else by.get("rule")) == claim["rule"]
                terms = got.get("terms") or {}
                for name, value in claim["terms"].items():
                    assert terms.get(name) == pytest.approx(value), (name, terms, claim)
            # The witness on screen is the file on disk.
            assert json.loads(Path(d["file"]).read_text(encoding="utf-8")) == d["facts"]
            count += 1
    return count


def differing(data: dict) -> list[dict]:
    return [c for c in data["cells"] if c["verdict"] != "equivalent"]


def test_radius_800_to_500_is_looser_for_every_category(tmp_path):
    code, data = semantic(tmp_path, DIFF / "draft.policy", DIFF / "radius-500.policy")
    assert code == 1 and not data["equivalent"]
    cells = differing(data)
    assert cells and all(c["verdict"] == "looser" for c in cells)
    assert confirm_every_witness(data) >= len(cells)
    distances = [d["facts"]["applicant"]["nearest_same_category_m"] for c in cells for d in c["differences"]]
    assert all(500 < m <= 800 for m in distances)  # inside the band the change moved
    assert all("三" in d["articles"] for c in cells for d in c["differences"])


def test_ratio_50_to_60_is_looser_for_inpatients_only(tmp_path):
    code, data = semantic(tmp_path, DIFF / "draft.policy", DIFF / "ratio-60.policy")
    assert code == 1
    cells = differing(data)
    assert [c["category"] for c in cells] == ["inpatient"]
    (diff,) = cells[0]["differences"]
    assert diff["old"]["terms"]["纳入比例"] == 0.5 and diff["new"]["terms"]["纳入比例"] == 0.6
    assert diff["articles"] == ["三（一）"]
    confirm_every_witness(data)


def test_zone_move_differs_in_the_district_that_moved(tmp_path):
    _, data = semantic(tmp_path, DIFF / "draft.policy", DIFF / "zone-moved.policy")
    cells = differing(data)
    assert cells and all(c["regions"] == ["浑南区"] for c in cells)
    confirm_every_witness(data)


@pytest.mark.parametrize("variant", ["draft-reformatted.policy", "reworded.policy"])
def test_reformatted_or_reworded_copy_is_equivalent(tmp_path, variant):
    code, data = semantic(tmp_path, DIFF / "draft.policy", DIFF / variant)
    assert code == 0 and data["equivalent"]
    assert all(c["verdict"] == "equivalent" for c in data["cells"])


def test_shipped_shenyang_radius_change_found(tmp_path):
    new = copy_plan(tmp_path, SHENYANG, "sy.policy", "最近同类型距离 <= 800 m", "最近同类型距离 <= 500 m")
    _, data = semantic(tmp_path, SHENYANG, new)
    assert {c["verdict"] for c in differing(data)} == {"looser"}
    confirm_every_witness(data)


def test_heze_radius_800_to_500(tmp_path):
    new = copy_plan(tmp_path, HEZE, "heze.policy", "最近同类型距离 <= 800 m", "最近同类型距离 <= 500 m")
    _, data = semantic(tmp_path, HEZE, new)
    cells = differing(data)
    assert cells and "inpatient" not in {c["category"] for c in cells}  # 菏泽 spaces no inpatient institution
    assert {c["verdict"] for c in cells} == {"looser"}
    confirm_every_witness(data)


def test_heze_target_7_5_to_7_0(tmp_path):
    new = copy_plan(tmp_path, HEZE, "heze.policy", "= 7.5", "= 7.0")
    _, data = semantic(tmp_path, HEZE, new)
    cells = differing(data)
    # Since issue 11's reading of 二（一）1 the pause covers every 医疗机构, not only inpatient ones:
    # the target moves the outcome for every category but the pharmacy, and only in 准入.
    assert cells and {c["category"] for c in cells} == {
        "inpatient", "outpatient_pooling", "outpatient_chronic", "personal_account", "dental"}
    assert {c["decision"] for c in cells} == {"准入"}
    assert all("二（一）" in d["articles"] for c in cells for d in c["differences"])
    assert confirm_every_witness(data) >= 1


def test_heze_target_raised_is_stricter_somewhere(tmp_path):
    new = copy_plan(tmp_path, HEZE, "heze.policy", "= 7.5", "= 8.0")
    _, data = semantic(tmp_path, HEZE, new)
    kinds = {d["kind"] for c in differing(data) for d in c["differences"]}
    assert "stricter" in kinds
    confirm_every_witness(data)


def test_heze_reformatted_and_reworded_copies_are_equivalent(tmp_path):
    text = HEZE.read_text(encoding="utf-8")
    reformatted = copy_plan(tmp_path, HEZE, "a.policy", "# ---- rules ---", "\n\n# a comment a reviewer left\n# ---- rules ---")
    reformatted.write_text(reformatted.read_text(encoding="utf-8").replace("\n  when ", "\n    when "), encoding="utf-8")
    reworded = tmp_path / "b.policy"
    reworded.write_text(text.replace('"全市均暂不新增规划指标"', '"全市暂不新增规划指标（措辞修改）"')
                        .replace("is read as both the licence", "is read as the licence and"), encoding="utf-8")
    for copy in (reformatted, reworded):
        code, data = semantic(tmp_path, HEZE, copy)
        assert code == 0 and data["equivalent"], differing(data)


def test_semantic_text_output_prints_witnesses(tmp_path):
    result = run("diff", DIFF / "draft.policy", DIFF / "radius-500.policy", "--semantic",
                 "--witness-dir", tmp_path / "w")
    assert result.exit_code == 1
    assert "pharmacy, every district: looser" in result.output
    assert "witness: {" in result.output and "policy explain" in result.output


def test_semantic_bad_plan_exits_2(tmp_path):
    result = run("diff", DIFF / "draft.policy", tmp_path / "nope.policy", "--semantic")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_baseline_keeps_a_real_citys_statistics_in_the_witness(tmp_path):
    new = copy_plan(tmp_path, HEZE, "heze.policy", "= 7.5", "= 7.0")
    context = POLICIES / "examples" / "heze" / "context-2026.json"
    result = run("diff", HEZE, new, "--semantic", "--baseline", context, "--witness-dir", tmp_path / "w",
                 "--format", "json")
    data = json.loads(result.output)
    confirm_every_witness(data)
    city = json.loads(context.read_text(encoding="utf-8"))["city"]
    for d in (d for c in differing(data) for d in c["differences"]):
        assert d["facts"]["city"]["fund"]["months_payable"] == city["fund"]["months_payable"]
        assert len(d["facts"]["city"]["age_groups"]) == len(city["age_groups"])


def test_bad_baseline_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    result = run("diff", DIFF / "draft.policy", DIFF / "ratio-60.policy", "--semantic", "--baseline", bad)
    assert result.exit_code == 2 and "Traceback" not in result.output


UNTRANSLATABLE = """\
plan "partial"
  title "部分"
  version "1"

article 一 "一、新增机构距离同类机构800米以上。"

enum 类别 { pharmacy "零售药店" clinic "诊所" }
input applicant.category : 类别 as 申请类别
input applicant.name : text as 名称
input applicant.distance : metres as 距离
input city.regions : map of { rate: fraction "比率" }

define 名称比率 cites 一 = city.regions[名称].rate

rule 半径 : spacing cites 一
  when 距离 <= 800 m
  then spacing_conflict

rule 药店 : admission cites 一
  when 申请类别 = 零售药店
  then eligible

rule 比率高 : admission cites 一
  when 名称比率 > 50%
  then eligible

decision 准入 {
  precedence 半径 > 药店
  otherwise needs_review "无条款"
}

decision 另一 {
  precedence 比率高
  otherwise needs_review "无条款"
}
"""


def test_untranslatable_decision_is_named_and_the_rest_still_proved(write_policy, tmp_path):
    old = write_policy(UNTRANSLATABLE, name="old.policy")
    new = write_policy(UNTRANSLATABLE.replace("<= 800 m", "<= 500 m").replace("> 50%", "> 60%"), name="new.policy")
    code, data = semantic(tmp_path, old, new)
    assert code == 1
    assert any("decision `另一`" in t and "map key" in t for t in data["not_translated"]), data["not_translated"]
    assert {c["decision"] for c in data["cells"]} == {"准入"}
    assert {c["verdict"] for c in differing(data)} == {"looser"}
    confirm_every_witness(data)
    # Changed only where the solver can see: the untranslated decision is identical, so proved.
    only = write_policy(UNTRANSLATABLE.replace("> 50%", "> 60%"), name="only.policy")
    code, data = semantic(tmp_path, old, only)
    assert code == 1 and not data["equivalent"] and data["not_translated"]
    assert all(c["verdict"] == "equivalent" for c in data["cells"])  # what was proved; 另一 was not


def test_a_timeout_is_unknown_never_equivalent(monkeypatch):
    """When the solver gives up, the cell says `unknown` and the versions are not called equivalent."""
    import z3

    from engine import compile_plan
    from engine.solver import semantic_diff as sd

    def gives_up(assertions, timeout_ms):
        return "unknown", z3.Solver()

    class GivesUp:  # the incremental solver the cells' questions go to first
        def __init__(self, assertions, timeout_ms):
            pass

        def check(self, *extra):
            return "unknown"

    monkeypatch.setattr(sd, "solve", gives_up)
    monkeypatch.setattr(sd, "Incremental", GivesUp)
    report = sd.semantic_diff(compile_plan(DIFF / "draft.policy"), compile_plan(DIFF / "draft-reformatted.policy"))
    assert report.cells and all(c.verdict == "unknown" for c in report.cells)
    assert not report.equivalent


def test_a_tight_timeout_never_claims_the_7_0_change_away(tmp_path):
    new = copy_plan(tmp_path, HEZE, "heze.policy", "= 7.5", "= 7.0")
    result = run("diff", HEZE, new, "--semantic", "--timeout", "0.1", "--format", "json")
    data = json.loads(result.output)
    assert result.exit_code == 1
    # 双通道 (a decision of its own since issue 11) never reads the target: only 准入's cells count.
    inpatient = [c for c in data["cells"] if c["category"] == "inpatient" and c["decision"] == "准入"]
    assert inpatient and all(c["verdict"] != "equivalent" for c in inpatient)


def test_an_untranslatable_decision_identical_in_both_versions_is_equivalent(write_policy, tmp_path):
    old = write_policy(UNTRANSLATABLE, name="old.policy")
    copy = write_policy("# a copy, with a comment\n" + UNTRANSLATABLE.replace('then spacing_conflict',
                                                                             'then spacing_conflict "半径内"'),
                        name="copy.policy")
    code, data = semantic(tmp_path, old, copy)
    assert code == 0 and data["equivalent"] and not data["not_translated"]
    assert {c["decision"] for c in data["cells"]} == {"准入", "另一"}


def test_the_incremental_solver_answers_as_the_portfolio_and_hands_it_what_it_gives_up(monkeypatch):
    """The cells' questions go to one solver holding the plan's assertions; its definite answers
    are the portfolio's, and a question it gives up goes to the portfolio, never `unknown` at once."""
    import z3

    from engine.solver import solve as solve_module
    from engine.solver.solve import Incremental, solve

    x, y = z3.Reals("x y")
    base = [x >= 0, y >= 0, x * y == 2]
    questions = Incremental(base, 10_000)
    for extra in ([x > 3], [x + y < 1], [x == y], [x * x == 2, y < 0], [x == 1]):
        assert questions.check(*extra) == solve([*base, *extra], 10_000)[0]

    asked = []

    class Stuck:
        def check(self, *extra):
            return z3.unknown

    def portfolio(assertions, timeout_ms):
        asked.append(len(assertions))
        return "sat", None

    questions._solver = Stuck()
    monkeypatch.setattr(solve_module, "solve", portfolio)
    assert questions.check(x > 5) == "sat" and asked == [len(base) + 1]
