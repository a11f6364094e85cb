"""Source file -> checked plan with its graph: the one entry point the CLI and tests use."""
from __future__ import annotations

import re
from pathlib import Path

from dsl.diagnostics import Diagnostic, PolicyError
from dsl.spans import Source, Span

from .plan import CheckedPlan

REPO_POLICIES = Path(__file__).resolve().parent.parent / "policies"


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise PolicyError([Diagnostic("P000", f"cannot read `{path}`: {reason}", Span(Source(str(path), "")))]) from None


def compile_plan(path: str | Path) -> CheckedPlan:
    """Parse, check and graph a policy file; raise PolicyError with every error found."""
    from dsl import parse_policy  # lark, networkx: imported by what compiles, not by what loads a cached plan

    from .checker import check_or_raise
    from .graph import attach_graph

    text = _read(path)
    plan = check_or_raise(parse_policy(text, str(path)), text, str(path))
    return attach_graph(plan)


def check_file(path: str | Path) -> tuple[Diagnostic, ...]:
    """Every diagnostic of a policy file, errors and warnings, for `policy check`."""
    from dsl import parse_policy

    from .checker import check_policy

    try:
        text = _read(path)
        _, diagnostics = check_policy(parse_policy(text, str(path)), text, str(path))
    except PolicyError as error:
        return error.diagnostics
    return diagnostics


_PLAN_ID = re.compile(r'^\s*plan\s+"([^"]+)"', re.MULTILINE)


def policy_dirs() -> list[Path]:
    dirs = [Path.cwd() / "policies", REPO_POLICIES]
    return list(dict.fromkeys(d.resolve() for d in dirs if d.is_dir()))


def known_plans(skipped: list[str] | None = None) -> dict[str, Path]:
    """Plan id -> file, for every .policy file in ./policies and the shipped policies/.

    A `.policy` that is not a regular file (a folder, a FIFO that would block the lookup
    forever, a device) or not UTF-8 text names no plan: it is skipped, and said so in
    `skipped` when a list is given, so one stray file cannot stop every lookup.
    """
    found: dict[str, Path] = {}
    for folder in policy_dirs():
        for file in sorted(folder.glob("*.policy")):
            plan_id, problem = _plan_id_of(file)
            if problem and skipped is not None:
                skipped.append(f"{file.name} ({problem})")
            if plan_id:
                found.setdefault(plan_id, file)
    return found


def _plan_id_of(file: Path) -> tuple[str | None, str | None]:
    import stat

    from dsl.limits import PLAN_BYTES

    try:
        if not stat.S_ISREG(file.stat().st_mode):  # stat follows a symlink, and never blocks on a FIFO
            return None, "not a regular file"
        with open(file, "rb") as handle:
            text = handle.read(PLAN_BYTES.value).decode("utf-8")
    except OSError as error:
        return None, (error.strerror or str(error)).lower()
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    match = _PLAN_ID.search(text)
    return (match.group(1), None) if match else (None, None)


def resolve_plan(reference: str) -> Path:
    """A plan id or a path to a .policy file -> the file; PolicyError naming the choices."""
    candidate = Path(reference)
    try:
        exists = candidate.exists()
    except OSError:  # a name too long for a path (5,000 characters) is no file, not a traceback
        exists = False
    if candidate.suffix == ".policy" or exists:
        if exists and candidate.is_file():
            return candidate
        raise PolicyError([Diagnostic("A001", f"no policy file `{reference}`", Span(Source(reference, "")),
                                      "give a path to a .policy file or a plan id")])
    skipped: list[str] = []
    plans = known_plans(skipped)
    if reference in plans:
        return plans[reference]
    from dsl.diagnostics import did_you_mean

    hint = did_you_mean(reference, plans) or "known plans: " + ", ".join(sorted(plans))
    if skipped:
        hint += "; skipped " + ", ".join(skipped)
    raise PolicyError([Diagnostic("A002", f"unknown plan `{reference}`", Span(Source(reference, "")), hint)])
