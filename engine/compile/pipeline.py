"""Source file -> checked plan with its graph: the one entry point the CLI and tests use."""
from __future__ import annotations

from pathlib import Path

from dsl.diagnostics import Diagnostic, PolicyError
from dsl.spans import Source, Span
from engine.compile.lookup import PLAN_ID, plans_in
from engine.compile.plan import CheckedPlan

REPO_POLICIES = Path(__file__).resolve().parents[2] / "policies"  # engine/compile/pipeline.py -> the checkout


def _read(path: str | Path) -> str:
    from engine.reading.reader import read_source  # BOM, CRLF, GBK refused, special files refused: as every input

    return read_source(str(path), "plan").text


def compile_plan(path: str | Path) -> CheckedPlan:
    """Parse, check and graph a policy file; raise PolicyError with every error found."""
    from dsl import parse_policy  # lark, networkx: imported by what compiles, not by what loads a cached plan
    from engine.compile.checker import check_or_raise
    from engine.compile.graph import attach_graph
    from engine.compile.collector import collector_paused

    text = _read(path)
    with collector_paused():  # long-lived objects, no cycles to collect (engine/compile/collector.py)
        plan = check_or_raise(parse_policy(text, str(path)), text, str(path))
        return attach_graph(plan)


def plan_for_coverage(path: str | Path) -> CheckedPlan:
    """The checked plan for `policy coverage`, even when articles of its source are missing
    (C054): the coverage table is how a drafter sees which; any other error is raised."""
    from dsl import parse_policy
    from engine.compile.checker import check, checked_plan
    from engine.compile.extends import extend

    text = _read(path)
    policy, parent = extend(parse_policy(text, str(path)), str(path))
    ctx = check(policy, text, Path(path).parent, parent=parent)
    errors = [d for d in ctx.errors if d.code != "C054"]
    if errors:
        raise PolicyError(errors)
    return checked_plan(ctx, str(path))


def parse_resolved(path: str | Path):
    """The syntax tree of a plan with the plan it extends resolved into it (what `diff` compares)."""
    from dsl import parse_policy
    from engine.compile.extends import extend

    text = _read(path)
    return extend(parse_policy(text, str(path)), str(path))[0]


def check_file(path: str | Path) -> tuple[Diagnostic, ...]:
    """Every diagnostic of a policy file, errors and warnings, for `policy check`."""
    from dsl import parse_policy
    from engine.compile.checker import check_policy

    try:
        text = _read(path)
        _, diagnostics = check_policy(parse_policy(text, str(path)), text, str(path))
    except PolicyError as error:
        return error.diagnostics
    return diagnostics


def policy_dirs() -> list[Path]:
    dirs = [Path.cwd() / "policies", REPO_POLICIES]
    return list(dict.fromkeys(d.resolve() for d in dirs if d.is_dir()))


def plan_files() -> dict[str, list[Path]]:
    """Plan id -> every .policy file declaring it, in ./policies and the shipped policies/."""
    return plans_in(policy_dirs())


def known_plans() -> dict[str, Path]:
    """Plan id -> file, for every .policy file in ./policies and the shipped policies/."""
    return {plan_id: files[0] for plan_id, files in plan_files().items()}


def duplicate_plan(plan_id: str, files: list[Path]) -> Diagnostic:
    """Two files of the search path declare one plan id: neither may silently win."""
    first, *others = files
    return Diagnostic("A003", f"plan id `{plan_id}` is declared by {len(files)} files: "
                      + ", ".join(f"`{f}`" for f in files), Span(Source(str(first), "")),
                      "give the plan by its path (--plan FILE.policy), or give the copy a plan id of its own")


def duplicate_ids(paths: list[str]) -> dict[str, Diagnostic]:
    """For `policy check`: each given plan of the search path whose id another file of the
    search path declares too, as a diagnostic at its `plan` line naming the others."""
    declared = plan_files()
    searched = set(policy_dirs())
    own: dict[str, tuple[str, Source, int]] = {}
    for path in paths:
        if _parent(path) not in searched:
            continue  # a file outside the search path is only ever named by its path: it shadows nothing
        try:
            source = Source(str(path), _read(path))
        except PolicyError:
            continue  # check_file reports the unreadable file
        match = PLAN_ID.search(source.text)
        if match is None:
            continue
        own[str(path)] = (match.group(1), source, match.start(1))
    found: dict[str, Diagnostic] = {}
    for path, (plan_id, source, offset) in own.items():
        others = [f for f in declared.get(plan_id, ()) if not _same(path, f)]
        if others:
            line, column = source.offset_to_line_col(offset - 1)
            found[path] = Diagnostic("A003", f"plan id `{plan_id}` is also declared by "
                                     + ", ".join(f"`{f}`" for f in others),
                                     Span(source, line, column, line, column + len(plan_id) + 2),
                                     "a plan id names one plan: give the copy an id of its own (e.g. "
                                     f"`{plan_id}-revision`), or move it out of policies/")
    return found


def _parent(path: str | Path) -> Path | None:
    try:
        return Path(path).resolve().parent
    except OSError:
        return None


def _same(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def resolve_plan(reference: str) -> Path:
    """A plan id or a path to a .policy file -> the file; PolicyError naming the choices."""
    from dsl.diagnostics import did_you_mean
    from engine.reading.reader import check_name, require_regular

    check_name(reference, "plan")
    candidate = Path(reference)
    try:
        exists = candidate.exists()
    except OSError:  # a name the system will not even look up
        exists = False
    if candidate.suffix == ".policy" or exists:
        if candidate.is_file():
            return candidate
        if exists:
            require_regular(reference, "plan")  # a folder, a FIFO: say which
        raise PolicyError([Diagnostic("A001", f"no policy file `{reference}`", Span(Source(reference, "")),
                                      "give a path to a .policy file or a plan id")])
    files = plan_files()
    if reference in files:
        if len(files[reference]) > 1:
            raise PolicyError([duplicate_plan(reference, files[reference])])
        return files[reference][0]
    raise PolicyError([Diagnostic("A002", f"unknown plan `{reference[:200]}`", Span(Source(reference[:200], "")),
                                  did_you_mean(reference, files) or "known plans: " + ", ".join(sorted(files)))])
