"""The case document's "what would change the outcome" (`explain --what-if`), in the handler's words.

Laid out from the record render/whatif_view.py builds of engine/solver/whatif.py's
counterfactuals and engine/solver/needed.py's facts still needed: each change by the fact's
label, its value now and the bound it would have to cross with its unit, the outcome it would
then get in words. When the engine finds nothing it can say, the document says so and why,
rather than leaving the section out: an auditor must see that the question was asked.
"""
from __future__ import annotations

from dsl.dataclass_cache import dataclass

from i18n import N_
from i18n import gettext as _
from i18n.diagnostics import fill, translated

from .case_words import OUTCOME_WORDS, Line, Vocabulary, aside, listing, pair, word

_RELATION = {">": N_("more than {bound} (not {bound} itself)"), ">=": N_("at least {bound}"),
             "<": N_("less than {bound} (not {bound} itself)"), "<=": N_("at most {bound}"), "=": N_("{bound}")}
_EFFECT = {"settles": N_("knowing it decides the outcome"), "can settle": N_("knowing it can decide the outcome"),
           "not alone": N_("it does not decide the outcome alone")}
# What engine/solver/whatif.py notes when it computes no counterfactual, as it words it.
_NOTES = (N_("the outcome is undetermined: see the facts still needed"),
          N_("{what} cannot be translated; no counterfactual is computed"),
          N_("the solver's reading of this case differs from the evaluator's; no counterfactual is claimed"))


@dataclass(frozen=True, slots=True)
class WhatIfGroup:
    heading: str
    changes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WhatIfSection:
    groups: tuple[WhatIfGroup, ...]
    stuck: str | None  # the rules no change of one fact makes decide
    needed: tuple[Line, ...]  # the facts still needed, in the order to ask for them
    notes: tuple[str, ...]
    cannot_say: str | None  # set when the engine can say nothing of what would change it

    @property
    def lead(self) -> str | None:
        """The section's first sentence: that the engine cannot say, or how the changes are meant."""
        return self.cannot_say or (_("One fact at a time, every other fact as it is.") if self.groups else None)


# What engine/solver/translate.py (and spaces.py, numberline.py) says it cannot translate: the
# `{what}` of a note, translated inside it.
_UNTRANSLATABLE = (N_("a figure of the whole population"), N_("a value of type {type}"), N_("a fact of type {type}"),
                   N_("definition `{name}` used as a record"), N_("a map that is not a declared fact"),
                   N_("a map key whose values cannot be listed"), N_("a record-valued `{node}`"),
                   N_("`if` choosing between records"), N_("function `{name}`"),
                   N_("a sum over something other than a declared list"), N_("a rounding function of the changed fact"),
                   N_("fact `{path}` with two types ({one}, {other})"))


def solver_phrase(what: str) -> str:
    """What the solver could not translate, in the current language."""
    return translated(what, _UNTRANSLATABLE)


def note_text(note: str) -> str:
    for template in _NOTES:
        shown = fill(template, _(template), note, solver_phrase)
        if shown is not None:
            return shown
    return note


def _shown(words: Vocabulary, change: dict, value) -> str:
    what = change["what"]
    label = words.value_label(what) if change["kind"] == "definition" else words.fact_label(what)
    return words.show(value, words.type_of(what), label)


def _change(words: Vocabulary, c: dict) -> str:
    what = words.value_label(c["what"]) if c["kind"] == "definition" else (c.get("label") or words.fact_label(c["what"]))
    bound = _shown(words, c, c["bound"])
    if "/" in str(c["exact"]):  # a bound no short decimal writes: its exact fraction beside it
        bound = aside(bound, c["exact"])
    relation = _(_RELATION.get(c["relation"], "{bound}")).format(bound=bound)
    now = _shown(words, c, c["current"]) if c["current"] is not None else _("not given")
    if c["example"] is None:  # only the exact point flips it, and no decimal writes that point
        relation = _("{relation} (no figure a facts file can write is that point)").format(relation=relation)
    elif c["example"] != c["bound"]:
        relation = _("{relation}, for example {value}").format(relation=relation, value=_shown(words, c, c["example"]))
    line = _("{what}: now {now}; it would have to be {relation}; the outcome would then be {outcome}").format(
        what=what, now=now, relation=relation, outcome=aside(word(OUTCOME_WORDS, c["outcome"]), c["outcome"]))
    if c["confirmed"] is True:
        line += _(" (checked: deciding the changed facts gives it)")
    elif c["confirmed"] is False:
        line += _(" (not confirmed by the evaluator)")
    return line


def _heading(t: dict) -> str:
    articles = listing(_("Article {id}").format(id=a) for a in t["articles"])
    if t["role"] == "decisive":
        return _("What would undo the decisive rule {rule} ({articles})").format(rule=t["rule"], articles=articles)
    return _("What would let the rule {rule} decide: {outcome} ({articles})").format(
        rule=t["rule"], outcome=word(OUTCOME_WORDS, t["concludes"]), articles=articles)


def _needed(words: Vocabulary, n: dict) -> Line:
    label = n.get("label") or words.fact_label(n["fact"])
    text = _("{effect}; its value can lead to {outcomes}").format(
        effect=_(_EFFECT[n["effect"]]) if n["effect"] in _EFFECT else n["effect"],
        outcomes=listing(word(OUTCOME_WORDS, o) for o in n["outcomes"]))
    pieces = []
    for piece in n.get("by_value", ()):  # `<= 800: spacing_conflict`: the range as written, the outcome in words
        where, _colon, outcome = piece.rpartition(": ")
        pieces.append(pair(where, word(OUTCOME_WORDS, outcome)))
    return Line(label, aside(text, _("; ").join(pieces)) if pieces else text)


def what_if_section(data: dict, words: Vocabulary) -> WhatIfSection:
    """The section of the document from the `what_if` record of `explain --what-if`."""
    groups, unanalysed = [], []
    for t in data.get("targets", ()):
        lines = [_change(words, c) for c in t["changes"]]
        if t["cannot_change_it"] and lines:
            lines.append(_("No single value of these changes it: {facts}").format(
                facts=listing(words.fact_label(f) for f in t["cannot_change_it"])))
        unanalysed += t["not_analysed"]
        if lines:
            groups.append(WhatIfGroup(_heading(t), tuple(lines)))
    stuck_rules = [t["rule"] for t in data.get("targets", ()) if not t["changes"]]
    stuck = (_("No change of one fact makes these rules decide: {rules}").format(rules=listing(stuck_rules))
             if stuck_rules and (groups or not unanalysed) else None)
    needed = tuple(_needed(words, n) for n in data.get("still_needed", ()))
    notes = tuple(note_text(n) for n in data.get("notes", ()) if not (needed and n == _NOTES[0]))
    cannot = None
    if not groups and not needed:
        why = [*notes, *(_("not analysed: {why}").format(why=u) for u in unanalysed)]
        cannot = _("The engine cannot say what would change this outcome: no change of one fact it can reason about "
                   "changes it.") if not why else _("The engine cannot say what would change this outcome: {why}.").format(
            why=_("; ").join(why))
        notes = ()
    return WhatIfSection(tuple(groups), stuck, needed, notes, cannot)
