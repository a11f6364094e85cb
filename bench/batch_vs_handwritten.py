"""`policy eval` over 20,000 generated 沈阳 applicants against bench/handwritten_shenyang.py.

    python bench/batch_vs_handwritten.py [N]

Both run as subprocesses on the same JSON Lines and context file; the best wall-clock time of
three runs each is taken. Before timing, the two outputs are compared line by line (as JSON):
they must say the same thing, or the comparison would mean nothing.
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _run_util import ROOT, environment, policy_command, python, wall  # noqa: E402
from generate_shenyang import generate  # noqa: E402

POLICY = ROOT / "policies" / "shenyang-2025-draft.policy"


def measure(count: int = 20_000) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        people, context = generate(folder, count)
        env = environment(folder / "cache")
        engine = [*policy_command(), "eval", "--plan", str(POLICY), "--context", str(context), str(people),
                  "-o", str(folder / "engine.jsonl")]
        by_hand = [python(), str(HERE / "handwritten_shenyang.py"), str(people), str(context), str(POLICY)]
        wall(engine, env, repeat=1)  # warm the plan cache and the bytecode
        with open(folder / "hand.jsonl", "w") as out:
            wall(by_hand, env, repeat=1, stdout=out)
        engine_lines = (folder / "engine.jsonl").read_text(encoding="utf-8").splitlines()
        hand_lines = (folder / "hand.jsonl").read_text(encoding="utf-8").splitlines()
        differ = sum(json.loads(a) != json.loads(b) for a, b in zip(engine_lines, hand_lines))
        assert len(engine_lines) == len(hand_lines) == count and differ == 0, f"{differ} lines differ"
        engine_s = wall(engine, env, repeat=3)
        hand_s = wall(by_hand, env, repeat=3)
    return {"applicants": count, "engine_s": engine_s, "handwritten_s": hand_s, "ratio": engine_s / hand_s}


if __name__ == "__main__":
    result = measure(*(int(a) for a in sys.argv[1:2]))
    print(f"policy eval, {result['applicants']:,} applicants: {result['engine_s']:.2f} s; hand-written: "
          f"{result['handwritten_s']:.2f} s; ratio {result['ratio']:.2f} (target ≤ 2)")
