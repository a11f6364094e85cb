"""Which files declare a plan id: `--plan ID` over the search path (engine/compile/pipeline.py)
and `extends "ID"` within a plan's own folder (engine/compile/extends.py) look the same way."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from dsl.diagnostics import PolicyError

PLAN_ID = re.compile(r'^\s*plan\s+"([^"]+)"', re.MULTILINE)  # the id, read without parsing the plan


def plans_in(folders: Iterable[Path]) -> dict[str, list[Path]]:
    """Plan id -> every .policy file of these folders declaring it, in order."""
    from engine.reading.reader import read_source  # BOM, CRLF, GBK refused, special files refused: as every input

    found: dict[str, list[Path]] = {}
    for folder in folders:
        for file in sorted(Path(folder).glob("*.policy")):
            try:
                match = PLAN_ID.search(read_source(str(file), "plan").text) if file.is_file() else None
            except PolicyError:
                continue  # an unreadable file names no plan; `policy check` on it says why
            if match:
                found.setdefault(match.group(1), []).append(file)
    return found
