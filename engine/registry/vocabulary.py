"""The words a registry file may use for a category, from the plan's own declarations.

A registry row's `category` may be written as the plan's `registry` block names it
(`零售药店`), or as the applicant category's enum code or label (`pharmacy`, `零售药店`): both
name the same category, so a file exported with the facts' codes is read the same way in
every plan. The list is closed: a plan's `categories` line if it has one, else every name its
`same_type` lines use and every label of the applicant category enum, so a typo (`零售药房`)
is refused with a did-you-mean instead of silently counting as no type at all.
"""
from __future__ import annotations

from engine.compile.plan import CheckedPlan
from engine.compile.types import EnumT


def registry_vocabulary(plan: CheckedPlan) -> tuple[frozenset[str] | None, dict[str, str]]:
    """(the registry categories the plan knows, other spelling -> that category); (None, {})
    when the plan declares no registry (then any category is taken as written)."""
    info = plan.registry
    if info is None:
        return None, {}
    named = {name for _, names in info.same_type for name in names}
    category = plan.inputs.get("applicant.category")
    enum = plan.enums.get(category.type.name) if category is not None and isinstance(category.type, EnumT) else None
    same_type = dict(info.same_type)
    closed = set(info.categories) if info.categories is not None else None
    known = set(closed if closed is not None else named)
    aliases: dict[str, str] = {}
    for code, label in enum.members if enum is not None else ():
        name = _registry_name(code, label, named | (closed or set()), same_type.get(code, ()))
        if closed is not None and name not in closed:
            continue  # a closed list that does not name this category: its rows are refused
        known.add(name)
        for spelling in (code, label):
            if spelling and spelling != name and spelling not in named:
                aliases[spelling] = name
    return frozenset(known), aliases


def _registry_name(code: str, label: str | None, used: set[str], counted: tuple[str, ...]) -> str:
    """The name the plan's registry uses for one applicant category: its label or its code
    where the registry block writes it, else the one category its `same_type` line counts,
    else its label (its code when it has none)."""
    if label and label in used:
        return label
    if code in used:
        return code
    if len(counted) == 1:
        return counted[0]
    return label or code
