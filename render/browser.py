"""Headless Chromium, to see a case document as a reader's browser shows it.

Used by tests/test_browser.py (what the page shows: outcome, article, map) and by
render/case_gallery.py (the screenshots of docs/case-documents.md). The browser
runs with a fresh profile and every network feature off: the page needs nothing from outside.
"""
from __future__ import annotations

import shutil
import subprocess
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


def print_pdf(page: Path, pdf: Path) -> Path:
    """The page printed as Chromium prints it: on the paper its print CSS asks for (A4), no header or footer."""
    _run(page, "--no-pdf-header-footer", f"--print-to-pdf={pdf.resolve()}")
    return pdf


def html_to_pdf(html: str) -> bytes:
    """A whole HTML page (the case document) as the bytes of its PDF; FileNotFoundError without Chromium."""
    with tempfile.TemporaryDirectory(prefix="policy-pdf-") as folder:
        page = Path(folder) / "case.html"
        page.write_text(html, encoding="utf-8")
        return print_pdf(page, Path(folder) / "case.pdf").read_bytes()
