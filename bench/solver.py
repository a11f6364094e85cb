"""How long the solver's questions take on both shipped plans.

    python bench/solver.py

`policy diff --semantic` of each shipped plan against a copy with one number changed (沈阳:
800 m -> 500 m and 50% -> 60%; 菏泽: 800 m -> 500 m and 目标值 7.5 -> 7.0) and against itself,
then the lints of `policy check` on each plan, and `explain --what-if` on every shipped example.
In-process times, after one warm-up (z3's import and the plans' compilation are paid once and
reported apart), wall and CPU (z3 runs in this process, so its work is in the CPU seconds; on a
shared machine they are the figure to read). The target is seconds, not a ratio: a drafter waits
for it at a terminal.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

POLICIES = ROOT / "policies"
VARIANTS = {
    "shenyang-2025-draft.policy": [("800 m -> 500 m", "最近同类型距离 <= 800 m", "最近同类型距离 <= 500 m"),
                                   ("50% -> 60%", "纳入比例 = 50%, 可新增医保床位 = floor(区域统计.beds_released × 50%)",
                                    "纳入比例 = 60%, 可新增医保床位 = floor(区域统计.beds_released × 60%)")],
    "heze-2026.policy": [("800 m -> 500 m", "最近同类型距离 <= 800 m", "最近同类型距离 <= 500 m"),
                         ("7.5 -> 7.0", "= 7.5", "= 7.0")],
}


class _Clock:
    """Wall and CPU seconds since it was made."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def row(self, what: str, **more) -> dict:
        return {"what": what, "seconds": time.perf_counter() - self.wall, "cpu": time.process_time() - self.cpu, **more}


def measure(examples: int | None = None, variants: int | None = None) -> list[dict]:
    """The solver's questions: the first `variants` of each plan, `--what-if` on the first `examples`
    shipped examples (None: all)."""
    start = _Clock()
    import z3  # noqa: F401

    from engine import compile_plan, evaluate
    from engine.facts.case import Workspace
    from engine.solver.lints import lint_plan
    from engine.solver.semantic_diff import semantic_diff
    from engine.solver.whatif import what_if
    rows = [start.row("import z3 and the solver package")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(POLICIES / "sources", folder / "sources")
        for name, changes in VARIANTS.items():
            old = compile_plan(POLICIES / name)
            t = _Clock()
            same = semantic_diff(old, old)
            rows.append(t.row(f"diff --semantic {name} against itself",
                              result="equivalent" if same.equivalent else "DIFFERENT"))
            for label, before, after in changes[:variants]:
                path = folder / f"{label.replace(' ', '')}-{name}"
                path.write_text((POLICIES / name).read_text(encoding="utf-8").replace(before, after), encoding="utf-8")
                new = compile_plan(path)
                t = _Clock()
                report = semantic_diff(old, new)
                timed = t.row(f"diff --semantic {name}, {label}")
                found = sorted({c.verdict for c in report.cells if c.verdict != "equivalent"})
                confirmed = all(w.confirmed for w in report.witnesses)
                rows.append({**timed, "result": f"{', '.join(found)}; {len(report.witnesses)} witnesses"
                                                + ("" if confirmed else " (NOT all confirmed)")})
            t = _Clock()
            findings = lint_plan(old)
            rows.append(t.row(f"lints of policy check, {name}",
                              result=", ".join(sorted(f.code for f in findings)) or "clean"))
    workspace = Workspace()
    t = _Clock()
    count = 0
    for example in sorted((POLICIES / "examples").glob("*/[0-9]*.json"))[:examples]:
        case = workspace.open_case_file(str(example))
        result = evaluate(case.plan, case.facts, registry=case.registry)
        what_if(case.plan, case.facts, result)
        count += 1
    row = t.row(f"explain --what-if, {count} shipped examples")
    rows.append({**row, "result": f"{row['seconds'] / count:.2f} s each ({row['cpu'] / count:.2f} s CPU)"})
    return rows


def main() -> None:
    rows = measure()
    width = max(len(r["what"]) for r in rows)
    for r in rows:
        print(f"{r['what']:{width}}  {r['seconds']:6.2f} s  (CPU {r['cpu']:6.2f} s)  {r.get('result', '')}")


if __name__ == "__main__":
    main()
