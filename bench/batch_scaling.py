"""`policy eval` of generated 沈阳 populations from 10,000 to 1,000,000 lines: time and peak memory.

    python bench/batch_scaling.py [SIZES...]     (default: 10000 100000 1000000)

Each size is generated (bench/generate_shenyang.py), then decided twice, with `--jobs 1`
and with the default (`--jobs` = the cores), each run in its own process tree. Printed per
run: wall and CPU seconds (workers included), microseconds of CPU a line, and peak memory:
the largest resident set of any one process (`ru_maxrss` from os.wait4) and the largest sum
over the process and its workers (sampled from /proc every 50 ms). Memory flat in the
population is the point: a million lines should cost what ten thousand cost.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from _run_util import ROOT, environment, policy_command  # noqa: E402
from generate_shenyang import generate  # noqa: E402

POLICY = ROOT / "policies" / "shenyang-2025-draft.policy"


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and its children (our workers are its direct children)."""
    total, pids = 0, [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def run(command: list[str], env: dict) -> dict:
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    stderr = process.stderr.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"policy eval failed:\n{stderr}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "max_rss": usage.ru_maxrss * 1024,
            "tree_rss": peak[0], "summary": stderr.strip().splitlines()[-1]}


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = environment(work / "cache")
        print(f"load average at start {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs")
        print(f"{'lines':>10}  {'jobs':>7}  {'wall s':>7}  {'CPU s':>7}  {'µs CPU/line':>11}  "
              f"{'max RSS':>9}  {'sum RSS':>9}")
        for size in sizes:
            folder = work / str(size)
            folder.mkdir()
            people, context = generate(folder, size)
            base = [*policy_command(), "eval", "--plan", str(POLICY), "--context", str(context), str(people)]
            # The plan cache and the bytecode, warmed before each size: an engine edited meanwhile
            # would otherwise make the first run compile the plan, and count the compiler's memory.
            warm = folder / "warm.jsonl"
            with people.open("rb") as whole:
                warm.write_bytes(b"".join(whole.readline() for _ in range(10)))
            run([*base[:-1], str(warm), "--jobs", "1", "-o", str(folder / "warm-out.jsonl")], env)
            outputs = []
            for jobs in ("1", None):
                out = folder / f"out-{jobs or 'default'}.jsonl"
                r = run([*base, *(["--jobs", jobs] if jobs else []), "-o", str(out)], env)
                outputs.append(out)
                print(f"{size:>10,}  {jobs or 'default':>7}  {r['wall']:>7.1f}  {r['cpu']:>7.1f}  "
                      f"{r['cpu'] / size * 1e6:>11.0f}  {r['max_rss'] / 2**20:>5.1f} MiB  {r['tree_rss'] / 2**20:>5.1f} MiB",
                      flush=True)
            same = _same_bytes(*outputs)
            print(f"{'':>10}  outputs of --jobs 1 and the default byte-identical: {same}; {r['summary']}", flush=True)
            for path in (people, *outputs):
                path.unlink()


def _same_bytes(a: Path, b: Path) -> bool:
    with a.open("rb") as x, b.open("rb") as y:
        while True:
            p, q = x.read(1 << 20), y.read(1 << 20)
            if p != q:
                return False
            if not p:
                return True


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000])
