"""The words a registry file may use for a category, from the plan's own declarations.

A registry row's `category` may be written as the plan's `registry` block names it
(`零售药店`), or as the applicant category's enum code or label (`pharmacy`, `零售药店`): both
name the same category, so a file exported with the facts' codes is read the same way in
every plan. The list is closed: a plan's `categories` line if it has one, else every name its
`same_type` lines use and every label of the applicant category enum, so a typo (`零售药房`)
is refused with a did-you-mean instead of silently counting as no type at all.
"""
from __future__ import annotations

from .plan import CheckedPlan
from .types import EnumT


def registry_vocabulary(plan: CheckedPlan) -> tuple[frozenset[str] | None, dict[str, str]]:
    """(the registry categories the plan knows, other spelling -> that category); (None, {})
    when the plan declares no registry (then any category is taken as written)."""
    info = plan.registry
    if info is None:
        return None, {}
    named = {name for _, names in info.same_type for name in names}
    category = plan.inputs.get("applicant.category")
    enum = plan.enums.get(category.type.name) if category is not None and isinstance(category.type, EnumT) else None
    members = enum.members if enum is not None else ()
    if info.categories is not None:
        known = set(info.categories)
    else:
        known = named | {label for _, label in members if label}
    aliases: dict[str, str] = {}
    same_type = dict(info.same_type)
    for code, label in members:
        if label in known and code not in known:
            aliases[code] = label  # `pharmacy` -> 零售药店
        elif code in known and label and label not in known:
            aliases[label] = code  # a plan whose registry speaks in codes
        elif code not in known and len(same_type.get(code, ())) == 1:
            aliases[code] = same_type[code][0]
    return frozenset(known), aliases
