"""Headless Chromium, to see a case document as a reader's browser shows it.

Used by tests/test_browser.py (what the page shows: outcome, article, map) and by
`python -m render.browser OUT_DIR` (the screenshots of docs/case-documents.md). The browser
runs with a fresh profile and every network feature off: the page needs nothing from outside.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--disable-dev-shm-usage")


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(page: Path, *extra: str, timeout: int = 90) -> subprocess.CompletedProcess:
    binary = chromium()
    if binary is None:
        raise FileNotFoundError("no chromium on PATH")
    with tempfile.TemporaryDirectory(prefix="policy-chromium-") as profile:
        return subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
                              capture_output=True, text=True, timeout=timeout, check=True)


def dump_dom(page: Path) -> str:
    """The DOM as the browser built it from the page."""
    return _run(page, "--dump-dom").stdout


def screenshot(page: Path, png: Path, width: int = 1000, height: int = 2400) -> Path:
    _run(page, f"--window-size={width},{height}", f"--screenshot={png.resolve()}")
    return png


def main(argv: list[str]) -> int:
    """Write one zh screenshot per outcome of the shipped examples (and one en) into OUT_DIR."""
    import json
    import os

    import i18n
    from engine.run.compiled import explain
    from engine.facts.fastcase import FastWorkspace
    from render.case import case_document

    os.environ.setdefault("SOURCE_DATE_EPOCH", "1780000000")
    out = Path(argv[0] if argv else "docs/case-documents")
    out.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parent.parent / "policies" / "examples"
    seen: dict[str, Path] = {}
    for path in sorted(root.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        outcome = (data.get("expect") or {}).get("outcome") if isinstance(data, dict) else None
        # One per outcome; one that names a registry shows the map with its neighbours, so it is preferred.
        if outcome and "applicant" in data and (outcome not in seen or ("registry" in data and not json.loads(
                seen[outcome].read_text(encoding="utf-8")).get("registry"))):
            seen[outcome] = path
    workspace = FastWorkspace(None, None, None)
    shots = [(outcome, path, "zh") for outcome, path in seen.items()] + [("eligible", seen["eligible"], "en")]
    for outcome, path, lang in shots:
        i18n.activate(lang)
        case = workspace.open_case_file(str(path))
        result = explain(case.plan, case.facts, registry=case.registry)
        page = out / f"{outcome}-{lang}.html"
        page.write_text(case_document(result, case, "html"), encoding="utf-8")
        screenshot(page, out / f"{outcome}-{lang}.png")
        page.unlink()
        print(f"{out / f'{outcome}-{lang}.png'}: {path.relative_to(root.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
