"""`diff --population` says how many lines neither version decided (issue 13): without a
registry every line of a spacing plan is undetermined under both, and "0 decided differently"
must not read as agreement."""
from __future__ import annotations

import json

from click.testing import CliRunner

from cli import main
from tests.conftest import ROOT

NEWCITY = ROOT / "tests" / "fixtures" / "newcity"
QUESTIONS = NEWCITY / "registry-questions.policy"
REGISTRY_CSV = NEWCITY / "registry.csv"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _versions(tmp_path):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "registry-questions.txt").write_text(
        (NEWCITY / "sources" / "registry-questions.txt").read_text(encoding="utf-8"), encoding="utf-8")
    changed = tmp_path / "wider.policy"
    changed.write_text(QUESTIONS.read_text(encoding="utf-8").replace("< 500 m", "< 700 m"), encoding="utf-8")
    population = tmp_path / "p.jsonl"
    population.write_text("\n".join(json.dumps({"applicant": {"id": f"N{k}", "category": "零售药店",
                                                              "location": {"lat": lat, "lon": 115.0}}})
                                    for k, lat in enumerate((36.0115, 36.03))) + "\n", encoding="utf-8")
    return changed, population


def test_without_a_registry_the_report_says_nothing_was_decided(tmp_path):
    changed, population = _versions(tmp_path)
    text = run("diff", QUESTIONS, changed, "--population", population, "--width", 300).output
    assert "0 decided differently" in text
    assert "nothing decided: 2 undetermined under both versions (2 under the old, 2 under the new)" in text
    assert "they lack registry (2) (give --registry REG.csv)" in text
    data = json.loads(run("diff", QUESTIONS, changed, "--population", population, "--format", "json").output)
    assert data["population"]["undetermined"] == {"old": 2, "new": 2, "both": 2,
                                                  "missing": [{"path": "registry", "lines": 2}]}
    md = run("diff", QUESTIONS, changed, "--population", population, "--format", "md").output
    assert "**Nothing decided: 2 undetermined under both versions" in md


def test_with_the_registry_the_report_counts_no_undetermined_line(tmp_path):
    changed, population = _versions(tmp_path)
    given = run("diff", QUESTIONS, changed, "--population", population, "--registry", REGISTRY_CSV)
    assert "1 decided differently" in given.output and "undetermined" not in given.output
    data = json.loads(run("diff", QUESTIONS, changed, "--population", population, "--registry", REGISTRY_CSV,
                          "--format", "json").output)
    assert data["population"]["undetermined"] == {"old": 0, "new": 0, "both": 0, "missing": []}
