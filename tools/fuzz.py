"""Fuzz the shipped plans as an attacker would, for a given time budget.

    python tools/fuzz.py --seconds 600            # both shipped plans, ten minutes
    python tools/fuzz.py --seconds 60 --seed 7 --plan shenyang-2025-draft

Each input is one of:
  facts   an example facts file of a plan, mutated (keys deleted, values replaced by any JSON,
          unknown keys added at any level, `city` included, enum codes and labels swapped,
          extreme numbers); it must give a decision or a coded error, and the reference
          evaluator (engine.evaluate, pydantic-checked facts) and the fast path (compiled
          explain and decide, fast-checked facts) must agree: same outcome, same JSON record,
          or both refuse;
  plan    the plan's text, mutated (lines deleted, duplicated or swapped, characters inserted,
          numbers changed, text truncated); checking it must give a plan or coded
          diagnostics, and a plan that checks must decide every example alike on both paths
          and format to text that parses to the same tree;
  bytes   raw bytes of a facts line (mutated examples with byte flips and surrogates) through
          the batch loop: one record per line, never an exception.
Every input runs under an alarm (`--hang` seconds): one that takes longer is a hang.

Prints `N inputs, K failures` and, for each failure, the kind, the exception and where the
input was saved (`--out`, default bench/fuzz-failures/). Exit 1 when any failed.
The property tests (tests/test_properties.py) run the same oracles on fewer inputs.
"""
from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dsl.diagnostics import PolicyError  # noqa: E402
from dsl.spans import Source  # noqa: E402

SHIPPED = {"shenyang-2025-draft": "shenyang", "heze-2026": "heze"}


class Hang(Exception):
    pass


class Failure(Exception):
    """An oracle said no: a traceback, a disagreement, a round-trip that changed the tree."""


# ---- generating inputs --------------------------------------------------------------------

_STRINGS = ["", "x", "住院", "inpatient", "零售药店", "pharmacy", "医保主城区", "和平区", "2025-03-01", "2025-13-45",
            "1e400", "NaN", " ", "\u0000", "a" * 300, "\ud800", "三（一）", "null", "true"]
_NUMBERS = [0, -1, 1, 0.5, 800, 800.0001, 1e308, -1e308, 1e-308, 10 ** 30, 2 ** 63, 0.1 + 0.2, 1e16, -0.0]


def random_json(rng: random.Random, depth: int = 0):
    choice = rng.randrange(9 if depth < 3 else 6)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([True, False])
    if choice == 2:
        return rng.choice(_NUMBERS)
    if choice == 3:
        return rng.randint(-10 ** 6, 10 ** 6)
    if choice == 4:
        return rng.choice(_STRINGS)
    if choice == 5:
        return rng.uniform(-1e4, 1e4)
    if choice == 6:
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(3))]
    return {rng.choice(["foo", "id", "x", "city", "regions", "designated_beds", "lat"]): random_json(rng, depth + 1)
            for _ in range(rng.randrange(3))}


def _containers(value, path=()):
    """Every (path, dict-or-list) inside a JSON value."""
    stack = [(path, value)]
    while stack:
        here, node = stack.pop()
        if isinstance(node, (dict, list)):
            yield here, node
            items = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend((here + (k,), v) for k, v in items)


def mutate_facts(rng: random.Random, data: dict, enums: list[tuple[str, str | None]]) -> dict:
    data = json.loads(json.dumps(data))
    for _ in range(rng.randint(1, 4)):
        containers = list(_containers(data))
        _, node = rng.choice(containers)
        kind = rng.randrange(7)
        if isinstance(node, list):
            if node and kind < 3:
                node[rng.randrange(len(node))] = random_json(rng)
            else:
                node.append(random_json(rng))
            continue
        keys = list(node)
        if kind == 0 and keys:
            del node[rng.choice(keys)]
        elif kind == 1 and keys:
            node[rng.choice(keys)] = random_json(rng)
        elif kind == 2:  # an unknown key, anywhere: `city` and its records included
            node[rng.choice(["foo", "unknown", "未知", "x" * 50, ""])] = random_json(rng)
        elif kind == 3 and keys and enums:  # a code for its label, a label for its code, a code of another enum
            code, label = rng.choice(enums)
            node[rng.choice(keys)] = rng.choice([code, label or code])
        elif kind == 4 and keys:
            node[rng.choice(keys)] = rng.choice(_NUMBERS)
        elif kind == 5:
            city = data.setdefault("city", {})
            if isinstance(city, dict):
                city[rng.choice(["foo", "regions", "fund", "population", "未知"])] = random_json(rng)
        elif keys:
            value = node[rng.choice(keys)]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                node[rng.choice(keys)] = value * rng.choice([-1, 0, 10, 0.5, 1e6])
    return data


def mutate_plan(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(7)
        i = rng.randrange(len(lines))
        if kind == 0:
            del lines[i]
        elif kind == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif kind == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == 3 and lines[i]:
            k = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:k] + rng.choice(["(", ")", "{", "}", "\"", "if ", " > ", "-", "%", "×", "1e999",
                                                  "9" * 40, " or ", "\\", "…", "\t", "m"]) + lines[i][k:]
        elif kind == 4:
            import re

            numbers = list(re.finditer(r"\d+(\.\d+)?", lines[i]))
            if numbers:
                m = rng.choice(numbers)
                lines[i] = lines[i][:m.start()] + rng.choice(["0", "-1", "1e308", "99999999999999999999", "0.5"]) \
                    + lines[i][m.end():]
        elif kind == 5:
            return "\n".join(lines)[:rng.randrange(len(text) + 1)]
        elif kind == 6 and lines[i]:
            k = rng.randrange(len(lines[i]))
            lines[i] = lines[i][:k] + lines[i][k + 1:]
    return "\n".join(lines)


# ---- the oracles --------------------------------------------------------------------------

def _jsonable(pairs) -> dict:
    from render.values import jsonable

    return {k: jsonable(v) for k, v in pairs}


def _canonical(explanation) -> str:
    from render.json_view import explanation_to_json

    return json.dumps(explanation_to_json(explanation), ensure_ascii=False, sort_keys=False, default=str)


_WORKSPACES: dict = {}


def decide_both(plan_path: str, data: dict, base: Path, context: str | None = None, workspaces: dict | None = None):
    """(reference record, fast record, fast decision outcome), or the PolicyError both raise.

    Raises Failure when one path decides and the other refuses, or when they differ.
    """
    from engine import evaluate
    from engine.facts.case import Workspace
    from engine.run.compiled import fast_path
    from engine.run.decide import OTHERWISE
    from engine.facts.fastcase import FastWorkspace

    from engine.facts.validate import parse_json

    text = json.dumps(data, ensure_ascii=True)  # as a file holds it: a lone surrogate is a `\ud800` escape
    results = []
    for workspace_class in (Workspace, FastWorkspace):
        key = (workspace_class, plan_path, context)
        kept = _WORKSPACES if workspaces is None else workspaces  # a plan is compiled once per run, not per case
        workspace = kept.get(key)
        if workspace is None:
            workspace = kept[key] = workspace_class(plan_path, context, None)
        try:
            source = Source("<fuzz>", text)
            case = workspace.open_case(parse_json(text, source), source, base)
            if workspace_class is Workspace:
                results.append(("ok", _canonical(evaluate(case.plan, case.facts, registry=case.registry))))
            else:
                compiled = fast_path(case.plan)
                explained = _canonical(compiled.explain(case.facts, registry=case.registry))
                decision = compiled.decide(case.facts, registry=case.registry)
                full = json.loads(explained)
                by = full["decided_by"]
                pairs = [("outcome", full["outcome"], decision.outcome), ("missing", full["missing"], list(decision.missing)),
                         # the record names the `otherwise` clause (the contract); a Decision's rule is None then
                         ("rule", by and by["rule"], OTHERWISE if decision.by_otherwise else decision.rule),
                         ("values", full["values"], json.loads(json.dumps(_jsonable(decision.values), default=str))),
                         ("terms", full["terms"], json.loads(json.dumps(_jsonable(decision.terms), default=str)))]
                for name, a, b in pairs:
                    if a != b:
                        raise Failure(f"fast explain and decide disagree on {name}: {str(a)[:200]} | {str(b)[:200]}")
                results.append(("ok", explained))
        except PolicyError as error:
            results.append(("refused", tuple(d.code for d in error.diagnostics)))
    (ref_kind, ref), (fast_kind, fast) = results
    if ref_kind != fast_kind:
        raise Failure(f"the reference {'decides' if ref_kind == 'ok' else 'refuses ' + str(ref)} but the fast path "
                      f"{'decides' if fast_kind == 'ok' else 'refuses ' + str(fast)}")
    if ref_kind == "ok" and ref != fast:
        a, b = json.loads(ref), json.loads(fast)
        where = next((k for k in a if a[k] != b.get(k)), "the order of fields")
        raise Failure(f"reference and fast path differ in `{where}`: {str(a.get(where))[:300]} | "
                      f"{str(b.get(where))[:300]}")
    return results


def check_plan_text(text: str, folder: Path, examples: list[dict]) -> str:
    """`folder` holds the plan's sources/ and the examples' context and registry files."""
    """Check, decide the examples under, and format a (mutated) plan text. Returns what happened."""
    from dsl import format_policy, parse_policy
    from engine.compile.pipeline import compile_plan

    path = folder / "fuzzed.policy"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        compile_plan(path)
    except PolicyError:
        return "refused"
    workspaces: dict = {}
    for data in examples:
        decide_both(str(path), {k: v for k, v in data.items() if k != "plan"}, folder, workspaces=workspaces)
    try:
        formatted = format_policy(text, str(path))
    except PolicyError:
        return "checked, not formatted"
    if parse_policy(formatted, str(path)) != parse_policy(text, str(path)):
        raise Failure("parse(fmt(x)) != parse(x)")
    return "checked"


def batch_bytes(plan_path: str, lines: list[bytes], folder: Path) -> None:
    import contextlib
    import io

    from commands.eval import run_batch

    people = folder / "fuzzed.jsonl"
    people.write_bytes(b"\n".join(lines) + b"\n")
    out = folder / "fuzzed.out.jsonl"
    with contextlib.redirect_stderr(io.StringIO()):  # the run's summary
        run_batch(str(people), plan_path, None, str(out), False)
    written = out.read_text(encoding="utf-8").splitlines()
    expected = len(people.read_bytes().split(b"\n")) - 1
    if [json.loads(w)["line"] for w in written] != list(range(1, expected + 1)):
        raise Failure("the batch lost or reordered lines")
    if any(json.loads(w).get("error", {}).get("code") == "X000" for w in written):
        raise Failure("an internal error on a batch line: " + next(w for w in written if '"X000"' in w)[:300])


# ---- the run ------------------------------------------------------------------------------

def _alarm(signum, frame):
    raise Hang


def load_examples(plan_id: str) -> tuple[Path, list[dict]]:
    folder = ROOT / "policies" / "examples" / SHIPPED[plan_id]
    examples = []
    for path in sorted(folder.glob("[0-9]*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("expect", None)
        examples.append(data)
        if isinstance(data.get("context"), str):  # and with its city statistics inline, for mutations to reach
            from engine.facts.validate import merge_context

            context = json.loads((folder / data["context"]).read_text(encoding="utf-8"))
            inline = merge_context({k: v for k, v in data.items() if k != "context"}, context)
            examples.append(inline)
    return folder, examples


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--plan", action="append", choices=sorted(SHIPPED), help="default: both shipped plans")
    parser.add_argument("--hang", type=int, default=20, help="seconds after which one input is a hang")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "fuzz-failures")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    plans = args.plan or sorted(SHIPPED)
    import tempfile

    from engine.compile.pipeline import compile_plan

    import shutil

    work = Path(tempfile.mkdtemp(prefix="policy-fuzz-"))
    setup = {}
    for plan_id in plans:
        plan_path = ROOT / "policies" / f"{plan_id}.policy"
        plan = compile_plan(plan_path)
        enums = [m for e in plan.enums.values() for m in e.members]
        folder, examples = load_examples(plan_id)
        own = work / SHIPPED[plan_id]  # a folder of its own: the sources, the context and registry the examples name
        shutil.copytree(ROOT / "policies" / "sources", own / "sources")
        for extra in folder.iterdir():
            if not extra.name[0].isdigit() and extra.is_file():
                shutil.copy(extra, own / extra.name)
        setup[plan_id] = (plan_path, plan_path.read_text(encoding="utf-8"), folder, examples, enums, own)
    signal.signal(signal.SIGALRM, _alarm)
    from collections import Counter

    inputs, failures, tally = 0, [], Counter()
    deadline = time.monotonic() + args.seconds
    print(f"fuzzing {', '.join(plans)} for {args.seconds:g} s, seed {seed}", file=sys.stderr)
    while time.monotonic() < deadline:
        plan_id = rng.choice(plans)
        plan_path, text, folder, examples, enums, own = setup[plan_id]
        kind = rng.choices(["facts", "plan", "bytes"], weights=[6, 2, 1])[0]
        if kind == "facts":
            payload = mutate_facts(rng, rng.choice(examples), enums)
        elif kind == "plan":
            payload = mutate_plan(rng, text)
        else:
            payload = [_flip(rng, json.dumps(mutate_facts(rng, rng.choice(examples), enums), ensure_ascii=rng.random() < .5)
                             .encode("utf-8", "surrogatepass")) for _ in range(rng.randint(1, 4))]
        inputs += 1
        signal.alarm(args.hang)
        try:
            if kind == "facts":
                (result, _), _ = decide_both(str(plan_path), payload, folder)
                tally[kind, "decided" if result == "ok" else "refused"] += 1
            elif kind == "plan":
                tally[kind, check_plan_text(payload, own, examples)] += 1
            else:
                batch_bytes(str(plan_path), payload, own)
                tally[kind, "batched"] += 1
        except Hang:
            failures.append(_save(args.out, kind, plan_id, payload, "hang: more than {} s".format(args.hang)))
        except Failure as failure:
            failures.append(_save(args.out, kind, plan_id, payload, str(failure)))
        except Exception:
            failures.append(_save(args.out, kind, plan_id, payload, traceback.format_exc(limit=-6)))
        finally:
            signal.alarm(0)
    print("  " + ", ".join(f"{kind} {result} {n}" for (kind, result), n in sorted(tally.items())), file=sys.stderr)
    print(f"{inputs} inputs, {len(failures)} failures")
    for failure in failures[:20]:
        print(failure)
    return 1 if failures else 0


def _flip(rng: random.Random, line: bytes) -> bytes:
    if rng.random() < 0.5 or not line:
        return line
    data = bytearray(line)
    for _ in range(rng.randint(1, 3)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data).replace(b"\n", b" ")


def _save(out: Path, kind: str, plan_id: str, payload, reason: str) -> str:
    import hashlib

    out.mkdir(parents=True, exist_ok=True)
    if kind == "facts":
        blob = json.dumps(payload, ensure_ascii=True, default=str).encode()
    elif kind == "plan":
        blob = payload.encode("utf-8", "surrogatepass")
    else:
        blob = b"\n".join(payload)
    name = f"{kind}-{plan_id}-{hashlib.sha256(blob).hexdigest()[:12]}"
    (out / (name + {"facts": ".json", "plan": ".policy", "bytes": ".jsonl"}[kind])).write_bytes(blob)
    (out / (name + ".reason.txt")).write_text(reason, encoding="utf-8")
    return f"- {kind} {plan_id}: {reason.strip().splitlines()[-1][:300]} ({out / name})"


if __name__ == "__main__":
    sys.exit(main())
