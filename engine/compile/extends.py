"""`extends`: a city plan that builds on a provincial guidance.

The plan header's `extends "guidance.policy"` (a path beside the plan, or a plan id as
`--plan` takes them) makes every item of that plan part of this one, as if written in it:
its vocabulary, inputs, definitions, articles, registry, rules and decisions. The checker
then sees one resolved syntax tree. What stays the parent's own:
  - its spans name its file, so a diagnostic or a trace step of its rule points there;
  - its articles are quoted from its own `source` document, and the coverage of that
    document is the parent's to give (the checker reads both documents).
Nothing is overridden: a name declared by both plans is an error naming both places (C127).
Both documents usually number their articles 一, 二, …: `cite_as "省"` in the header gives the
parent's articles in this plan the ids 省一, 省二 (its own rules' citations with them), so the
two numberings never meet and a trace says whose article it quotes.
One level only: a parent that extends a plan in turn is C129 (C128 when it leads back here).
"""
from __future__ import annotations

import re
from dataclasses import fields, replace
from dsl.dataclass_cache import dataclass
from pathlib import Path

from dsl import ast
from dsl.diagnostics import Diagnostic, Label, PolicyError
from dsl.spans import Span
from engine.compile.lookup import plans_in


@dataclass(frozen=True, slots=True)
class Parent:
    """The plan a plan extends, as the checker needs it beside the resolved tree."""

    reference: str  # as the header writes it
    path: str  # the file, as its spans name it
    text: str
    header: ast.PlanHeader
    articles: frozenset[str]  # ids (prefixed) of the articles it declares: quoted from its own source
    prefix: str = ""  # `cite_as`: what its article ids take in this plan


def parent_file(reference: str, child: str | Path) -> Path:
    """The file `extends "<reference>"` names: a .policy path relative to the plan's folder, or the
    id of a plan in that folder (a plan reads nothing outside its folder, as its `source`).
    OSError when there is none, or when two files there declare the id."""
    folder = Path(child).parent
    if reference.endswith(".policy") or "/" in reference:
        return folder / reference
    found = plans_in([folder]).get(reference, [])
    if len(found) != 1:
        what = "no plan of that id" if not found else f"{len(found)} files declare that id"
        raise OSError(f"{what} in `{folder}`")
    return found[0]


def _same(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


_PREFIX = re.compile(r"[\u3007\u4e00-\u9fff]+")  # CJK only: an article id of the grammar, never a number


def _prefixed(item, prefix: str):
    """The parent's item with its article ids and citations taking the prefix."""
    changes = {}
    for f in fields(item):
        value = getattr(item, f.name)
        if isinstance(value, ast.ArticleRef):
            changes[f.name] = replace(value, id=prefix + value.id)
        elif isinstance(value, tuple) and value and all(isinstance(v, ast.ArticleRef) for v in value):
            changes[f.name] = tuple(replace(v, id=prefix + v.id) for v in value)
    if isinstance(item, ast.Article):
        changes["id"] = prefix + item.id
    return replace(item, **changes) if changes else item


def _key(item) -> tuple[str, str] | None:
    """The name an item claims; None for what adds to a name rather than claiming one."""
    if isinstance(item, ast.Article):
        return ("article", item.id)
    if isinstance(item, ast.InputDecl):
        return ("input", ".".join(item.path))
    name = getattr(item, "name", None)
    if isinstance(name, str) and not isinstance(item, (ast.Interpretation, ast.PlanHeader)):
        return ("name", name)
    return None


def _claims(item):
    key = _key(item)
    if key is not None:
        yield key
    if isinstance(item, ast.InputDecl) and item.alias:
        yield ("name", item.alias)


def _cycle(files, place: Span) -> PolicyError:
    chain = " -> ".join(f"`{f}`" for f in files)
    return PolicyError([Diagnostic("C128", f"plans extend each other in a cycle: {chain}", place,
                                   "a plan cannot build on itself, directly or through another")])


def extend(policy: ast.PolicyFile, path: str) -> tuple[ast.PolicyFile, Parent | None]:
    """The plan with its parent's items after its own, and the parent; PolicyError for a
    parent that cannot be read or checked against, or for a name both declare."""
    from dsl import parse_policy
    from engine.reading.reader import read_source

    header = next(iter(policy.of_type(ast.PlanHeader)), None)
    reference = header.get("extends") if header is not None else None
    if reference is None:
        if header is not None and header.get("cite_as") is not None:
            raise PolicyError([Diagnostic("C133", "`cite_as` names the articles of the plan this one extends, and it "
                                          "extends none", header.span, "add `extends \"<plan>.policy\"`, or delete "
                                          "`cite_as`")])
        return policy, None
    place = header.span
    prefix = header.get("cite_as") or ""
    if prefix and not _PREFIX.fullmatch(prefix):
        raise PolicyError([Diagnostic("C132", f"`cite_as \"{prefix}\"` cannot begin an article id", place,
                                      "give Chinese characters, e.g. `cite_as \"省\"` for the ids 省一, 省二")])
    if Path(reference).is_absolute() or ".." in Path(reference).parts:
        raise PolicyError([Diagnostic("C130", f"the plan `{reference}` this plan extends is outside its folder", place,
                                      "keep the plan it builds on beside it, e.g. `extends \"guidance.policy\"`")])
    try:
        file = parent_file(reference, path)
        text = read_source(str(file), "plan").text
    except (OSError, PolicyError) as error:
        reason = error.diagnostics[0].message if isinstance(error, PolicyError) else str(error.strerror or error)
        reason = reason.rsplit(": ", 1)[-1] if isinstance(error, PolicyError) else reason
        raise PolicyError([Diagnostic("C131", f"cannot read the plan `{reference}` this plan extends: {reason}", place,
                                      "give a .policy file beside this plan, or the id of a plan in its folder")])
    if _same(file, path):
        raise _cycle((path, file), place)
    parent = parse_policy(text, str(file))
    parent_header = next(iter(parent.of_type(ast.PlanHeader)), None)
    if parent_header is None:
        raise PolicyError([Diagnostic("C080", "the file has no `plan` header", parent.span,
                                      "start the file with `plan \"<id>\" title \"…\" version \"…\"`")])
    further = parent_header.get("extends")
    if further is not None:
        try:
            back = _same(parent_file(further, file), path)
        except (OSError, PolicyError):
            back = False
        if back:
            raise _cycle((path, file, path), place)
        raise PolicyError([Diagnostic("C129", f"`{reference}` extends `{further}` in turn: a plan extends one plan, "
                                      "and that one extends none", place,
                                      "copy what the plan needs from the grandparent into the parent, or extend it directly")])
    items = tuple(_prefixed(item, prefix) if prefix else item
                  for item in parent.items if not isinstance(item, ast.PlanHeader))
    claimed: dict[tuple[str, str], Span] = {}
    for item in items:
        for key in _claims(item):
            claimed.setdefault(key, item.span)
    conflicts = []
    for item in policy.items:
        for key in _claims(item):
            if key in claimed:
                what = "article" if key[0] == "article" else "name"
                conflicts.append(Diagnostic(
                    "C127", f"{what} `{key[1]}` is declared both here and in `{reference}`, which this plan extends",
                    item.span, "rename one of them: a plan adds to the plan it extends and never overrides it; "
                    "give the extended plan's articles a prefix with `cite_as \"省\"`",
                    (Label(claimed[key], f"`{key[1]}` of `{reference}`"),)))
    if conflicts:
        raise PolicyError(conflicts)
    # its own items first: its first decision is the one `explain` takes when none is named
    merged = ast.PolicyFile(policy.items + items, policy.source_path, policy.span)
    articles = frozenset(item.id for item in items if isinstance(item, ast.Article))
    return merged, Parent(reference, str(file), text, parent_header, articles, prefix)
