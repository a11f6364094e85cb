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


def known_plans() -> dict[str, Path]:
    """Plan id -> file, for every .policy file in ./policies and the shipped policies/."""
    found: dict[str, Path] = {}
    for folder in policy_dirs():
        for file in sorted(folder.glob("*.policy")):
            match = _PLAN_ID.search(file.read_text(encoding="utf-8"))
            if match:
                found.setdefault(match.group(1), file)
    return found


def resolve_plan(reference: str) -> Path:
    """A plan id or a path to a .policy file -> the file; PolicyError naming the choices."""
    candidate = Path(reference)
    if candidate.suffix == ".policy" or candidate.exists():
        if candidate.is_file():
            return candidate
        raise PolicyError([Diagnostic("A001", f"no policy file `{reference}`", Span(Source(reference, "")),
                                      "give a path to a .policy file or a plan id")])
    plans = known_plans()
    if reference in plans:
        return plans[reference]
    from dsl.diagnostics import did_you_mean

    raise PolicyError([Diagnostic("A002", f"unknown plan `{reference}`", Span(Source(reference, "")),
                                  did_you_mean(reference, plans) or "known plans: " + ", ".join(sorted(plans)))])
