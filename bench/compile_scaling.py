"""How long a plan takes to compile as it grows: 250, 500, 1,000 and 2,000 generated rules.

    python bench/compile_scaling.py

Each generated plan has ten inputs, one definition per five rules, and rules that mix
comparisons, arithmetic, `and`/`or`/`not` and membership, all in one decision. Two times per
size: the policy compiler (parse, check, graph) and the fast path (IR -> Python -> bytecode),
each mode (a batch run builds only the no-trace one, explain only the traced one), in CPU
seconds (wall in brackets: other work on the machine stretches it). Target: under a second for
1,000 rules, compiler and one mode of the fast path together.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

KINDS = [("exclusion", "excluded"), ("gate", "paused"), ("spacing", "spacing_conflict"), ("ratio", "eligible"),
         ("admission", "eligible"), ("referral", "needs_review")]


def plan_text(rules: int) -> str:
    lines = ['plan "generated"', '  title "generated"', '  version "1"', "",
             'article 一 "一、生成的条款。"', 'article 二 "二、另一条款。"', "",
             'enum 类别 { a "甲" b "乙" c "丙" d "丁" }',
             "input applicant.category : 类别 as 类别值"]
    lines += [f"input applicant.x{i} : number as X{i}" for i in range(6)]
    lines += [f"input applicant.f{i} : bool as F{i}" for i in range(3)]
    defines = max(1, rules // 5)
    for i in range(defines):
        lines.append(f"define D{i} cites 二 = X{i % 6} * {i + 1} + X{(i + 1) % 6} / 2 - {i}")
    for i in range(rules):
        kind, outcome = KINDS[i % len(KINDS)]
        members = "{甲, 乙}" if i % 2 else "{丙}"
        lines.append(f"rule R{i} : {kind} cites 一")
        lines.append(f"  when (D{i % defines} > {i} and not F{i % 3}) or (类别值 in {members} and X{i % 6} <= {i * 3})")
        lines.append(f"  then {outcome}" + (f" with 份额 = D{i % defines} * 50%" if outcome == "eligible" else ""))
    lines.append("decision 准入 {")
    lines.append("  precedence " + "\n    > ".join(f"R{i}" for i in range(rules)))  # one per line, as staff write it
    lines.append("  otherwise needs_review")
    lines.append("}")
    return "\n".join(lines) + "\n"


def measure(sizes=(250, 500, 1000, 2000)) -> list[dict]:
    from engine.compile.pipeline import compile_plan
    from engine.run.compiled import CompiledPlan

    out = []
    with tempfile.TemporaryDirectory() as folder:
        for rules in sizes:
            path = Path(folder) / f"generated-{rules}.policy"
            path.write_text(plan_text(rules), encoding="utf-8")
            clock = [(time.perf_counter(), time.process_time())]
            plan = compile_plan(path)
            clock.append((time.perf_counter(), time.process_time()))
            compiled = CompiledPlan(plan)
            compiled.module(False)
            clock.append((time.perf_counter(), time.process_time()))
            compiled.module(True)
            clock.append((time.perf_counter(), time.process_time()))
            row = {"rules": rules}
            for kind, i in (("", 0), ("cpu_", 1)):  # wall, and CPU: on a shared machine the one to read
                start, checked, batch_ready, done = (c[i] for c in clock)
                row.update({f"{kind}compile_s": checked - start, f"{kind}fast_path_s": batch_ready - checked,
                            f"{kind}fast_path_trace_s": done - batch_ready, f"{kind}total_s": batch_ready - start})
            out.append(row)
    return out


if __name__ == "__main__":
    compile_plan_warmup = measure((10,))  # imports, grammar: paid once, not per size
    for row in measure():
        print(f"{row['rules']:>5} rules, CPU: compile {row['cpu_compile_s']:.3f} s, fast path {row['cpu_fast_path_s']:.3f} s "
              f"(with trace {row['cpu_fast_path_trace_s']:.3f} s), compile + fast path {row['cpu_total_s']:.3f} s "
              f"(wall {row['total_s']:.3f} s)")
