"""How fast the language server answers a hover on a big plan: a generated 1,000-rule plan.

    python bench/lsp_hover.py

Starts `policy lsp` as an editor does (a child process, JSON-RPC over its stdin and stdout),
opens the plan of bench/compile_scaling.py with 1,000 rules, waits for its diagnostics (the
index is built then), and times hover requests round trip, on uses of definitions spread over
the file. Target: the median under 50 ms. The time from opening to the diagnostics (parse,
check, index) is shown too; it is paid when the text changes, not per hover, in a thread of
its own: the hovers sent while a change is being checked are timed too.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import compile_scaling  # noqa: E402
from _run_util import ROOT, policy_command  # noqa: E402

TARGET_S = 0.050


class _Client:
    """Just enough of an LSP client: numbered requests, notifications, messages read in order."""

    def __init__(self, command: list[str]):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, cwd=ROOT)
        self.next_id = 0
        self.published = False  # a publishDiagnostics came while waiting for something else

    def send(self, method: str, params, request: bool = True):
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message, ensure_ascii=False).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()
        return message.get("id")

    def read(self) -> dict:
        length = 0
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("the language server ended")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def wait(self, request_id=None, method: str | None = None) -> dict:
        while True:
            message = self.read()
            self.published |= message.get("method") == "textDocument/publishDiagnostics"
            if request_id is not None and message.get("id") == request_id and "method" not in message:
                return message
            if method is not None and message.get("method") == method:
                return message

    def close(self) -> None:
        self.wait(self.send("shutdown", None))
        self.send("exit", None, request=False)
        self.process.wait(10)


def measure(rules: int = 1000, hovers: int = 200) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"generated-{rules}.policy"
        text = compile_scaling.plan_text(rules)
        path.write_text(text, encoding="utf-8")
        lines = text.splitlines()
        places = [(n, line.index("(D") + 2) for n, line in enumerate(lines) if line.startswith("  when (D")]
        client = _Client(policy_command() + ["lsp"])
        try:
            client.wait(client.send("initialize", {"processId": None, "rootUri": Path(folder).as_uri(),
                                                   "capabilities": {}}))
            client.send("initialized", {}, request=False)
            uri = path.as_uri()
            start = time.perf_counter()
            client.send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "policy", "version": 1,
                                                                  "text": text}}, request=False)
            diagnostics = client.wait(method="textDocument/publishDiagnostics")
            indexed = time.perf_counter() - start
            times = []
            for i in range(hovers):
                line, character = places[(i * 7919) % len(places)]  # spread over the file
                start = time.perf_counter()
                answer = client.wait(client.send("textDocument/hover", {
                    "textDocument": {"uri": uri}, "position": {"line": line, "character": character}}))
                times.append(time.perf_counter() - start)
                if not (answer.get("result") or {}).get("contents"):
                    raise RuntimeError(f"no hover at {line}:{character}: {answer}")
            # Hovers while a change is being checked (in the server's checker thread).
            client.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                                   "contentChanges": [{"text": text + "# typed\n"}]}, request=False)
            time.sleep(0.25)  # past the server's typing pause: the check has begun
            client.published = False
            busy = []
            while not client.published:
                line, character = places[(len(busy) * 7919) % len(places)]
                start = time.perf_counter()
                client.wait(client.send("textDocument/hover", {
                    "textDocument": {"uri": uri}, "position": {"line": line, "character": character}}))
                busy.append(time.perf_counter() - start)
                time.sleep(0.02)
        finally:
            client.close()
    errors = [d for d in diagnostics["params"]["diagnostics"] if d.get("severity") == 1]
    median = statistics.median(times)
    return {"rules": rules, "hovers": hovers, "median_s": median, "p95_s": sorted(times)[int(len(times) * 0.95) - 1],
            "indexed_s": indexed, "errors": len(errors), "ratio": median / TARGET_S,
            "busy_median_s": statistics.median(busy), "busy": len(busy)}


if __name__ == "__main__":
    row = measure()
    print(f"hover on a {row['rules']:,}-rule plan, {row['hovers']} requests: median {row['median_s'] * 1000:.1f} ms, "
          f"95th percentile {row['p95_s'] * 1000:.1f} ms; {row['ratio']:.2f} x the 50 ms target "
          f"({'met' if row['ratio'] < 1 else 'NOT met'}); opening to diagnostics {row['indexed_s']:.2f} s, "
          f"{row['errors']} error(s); while a change is checked, median {row['busy_median_s'] * 1000:.1f} ms "
          f"of {row['busy']}")
