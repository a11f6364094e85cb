"""The decision core: from each rule's result to the outcome. One place, used by the trace's
assembly (engine/run/assemble.py: the reference `evaluate` and the fast path's `explain`) and
by the fast path's traceless `decide`.

A decision's precedence is tried in order. The first rule that holds decides, unless a rule
above it cannot be told for absent facts and could give another outcome. Partial evaluation:
an unknown rule matters only if, whichever way it went, the outcome could differ. So

- the candidates are the unknown rules above the first rule that holds, then that rule (or,
  when none holds, the decision's `otherwise`);
- if every candidate concludes the same (the same outcome, and no terms of their own that
  could differ), the outcome is decided whatever the unknowns are, by the rule that holds
  (or the `otherwise`): a 菏泽 key project with its licence dates missing is `exempt` either
  way;
- otherwise the outcome is `undetermined`, and `missing` lists the facts of the unknown rules
  that could change it: an unknown rule whose conclusion equals that of every candidate
  below it changes nothing, whatever its facts, and its facts are not asked for.

Candidates are treated as independent (the core does not reason about what two conditions
share), so it never claims an outcome some reading of the facts would overturn; at worst it
asks for a fact a closer analysis would show is not needed.
"""
from __future__ import annotations

from dsl.dataclass_cache import dataclass
from datetime import date

from engine.compile.plan import UNDETERMINED, DecisionInfo, PlanStamp, RuleInfo
from engine.run.trace import APPLIED, DECIDED, NOT_APPLICABLE, OVERRIDDEN, UNKNOWN, UNKNOWN_NOT_NEEDED, WOULD_DECIDE
from engine.values.missing import Missing

OTHERWISE = "otherwise"  # the name `decided_by` gives the decision's `otherwise` clause


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the precedence gives for one applicant."""

    outcome: str
    decisive: RuleInfo | None  # the rule that decided; None for `otherwise` and `undetermined`
    reason: str | None
    statuses: tuple[str, ...]  # one per rule of the precedence, in order
    needed: tuple[RuleInfo, ...]  # unknown rules whose facts could change the outcome
    moot: tuple[RuleInfo, ...]  # unknown rules above the decisive one that conclude the same
    missing: tuple[str, ...]  # the facts of `needed`, sorted

    @property
    def by_otherwise(self) -> bool:
        return self.decisive is None and self.outcome != UNDETERMINED


def _conclusion(rule: RuleInfo) -> tuple:
    # Terms (a share, a quota) are part of what a rule concludes: two rules with terms of
    # their own are never taken to agree, since an unknown rule's terms are not computed.
    return (rule.outcome, rule.name if rule.assignments else None)


def settle(decision: DecisionInfo, rules: list[RuleInfo], held: list) -> Verdict:
    """The verdict of a precedence, given each rule's condition (True, False or Missing)."""
    first = next((i for i, h in enumerate(held) if h is True), None)
    above = range(first if first is not None else len(held))
    unknown = [i for i in above if held[i] is not True and held[i] is not False]
    decisive = rules[first] if first is not None else None
    final = _conclusion(decisive) if decisive is not None else (decision.otherwise, None)
    needed: list[int] = []
    later = {final}
    for i in reversed(unknown):  # an unknown rule matters if a candidate below it concludes otherwise
        mine = _conclusion(rules[i])
        if later != {mine}:
            needed.append(i)
        later.add(mine)
    needed.reverse()
    statuses = []
    for i, h in enumerate(held):
        if first is not None and i > first:
            statuses.append(OVERRIDDEN if h is True else NOT_APPLICABLE if h is False else UNKNOWN_NOT_NEEDED)
        elif i == first:
            statuses.append(WOULD_DECIDE if needed else DECIDED)
        elif h is False:
            statuses.append(NOT_APPLICABLE)
        else:
            statuses.append(UNKNOWN if i in needed else UNKNOWN_NOT_NEEDED)
    moot = tuple(rules[i] for i in unknown) if not needed else ()
    if needed:
        paths = {p for i in needed if type(held[i]) is Missing for p in held[i].paths}
        return Verdict(UNDETERMINED, None, None, tuple(statuses), tuple(rules[i] for i in needed), (),
                       tuple(sorted(paths)))
    if decisive is not None:
        return Verdict(decisive.outcome, decisive, decisive.reason, tuple(statuses), (), moot, ())
    return Verdict(decision.otherwise, None, decision.otherwise_reason, tuple(statuses), (), moot, ())


def notices(stamp: PlanStamp, as_of) -> tuple[str, ...]:
    """What the record must say about the plan it applies: a draft is not in force, and a
    decision judged before the plan takes effect is flagged (the outcome is still given, so a
    handler can see what the plan would decide; the flag says it did not yet govern)."""
    found = []
    if stamp.draft:
        found.append(f"draft: this decision applies a draft, plan {stamp.id} ({stamp.draft})")
    judged = as_of.isoformat() if isinstance(as_of, date) else as_of
    if stamp.effective and isinstance(judged, str) and judged < stamp.effective:
        found.append(f"not_in_force: judged on {judged}, before plan {stamp.id} takes effect on {stamp.effective}")
    return tuple(found)


def note_status(holds) -> str:
    """A note (a priority): it applies, does not, or cannot be told (never read as `no priority`)."""
    return APPLIED if holds is True else NOT_APPLICABLE if holds is False else UNKNOWN


def _names(rules) -> str:
    return ", ".join(f"`{r.name}`" for r in rules)


def why(verdict: Verdict, decision: DecisionInfo, overridden: list[str]) -> str:
    """The sentence that says why this outcome: which rule, its rank, what it overrides."""
    line = decision.span.line
    if verdict.needed:
        one = len(verdict.needed) == 1
        first = next((r for r, s in zip(decision.precedence, verdict.statuses) if s == WOULD_DECIDE), None)
        return (f"{_names(verdict.needed)} {'needs' if one else 'need'} facts that are absent, and "
                f"{'it ranks' if one else 'they rank'} above every rule that applied, so "
                f"{'it' if one else 'any of them'} could still decide"
                + (f"; `{first}` applies below and decides only if {'it does not' if one else 'none of them does'}"
                   if first else ""))
    if verdict.decisive is not None:
        decisive = verdict.decisive
        rank = decision.precedence.index(decisive.name) + 1
        text = (f"`{decisive.name}` applied and ranks {rank} of {len(decision.precedence)} in the precedence of "
                f"decision `{decision.name}` (line {line}); no rule above it "
                + ("is known to apply" if verdict.moot else "applied"))
    else:
        text = f"no rule of decision `{decision.name}` applied, so its `otherwise` holds (line {line})"
    if verdict.moot:
        one = len(verdict.moot) == 1
        text += (f"; {_names(verdict.moot)} cannot be told for absent facts, but "
                 f"{'it concludes' if one else 'each concludes'} `{verdict.outcome}` too, so the outcome is the "
                 "same whatever those facts are")
    if overridden:
        text += "; it overrides " + ", ".join(f"`{n}`" for n in overridden) + ", which also applied"
    return text


def judge(decision: DecisionInfo, rules: list[RuleInfo], held: list) -> tuple[Verdict, str, list[str]]:
    """The verdict, the sentence that says why, and the rules it overrides (those that applied
    below the decisive one): what the trace's assembly asks of the core."""
    verdict = settle(decision, rules, held)
    overridden = [r.name for r, s in zip(rules, verdict.statuses) if s == OVERRIDDEN]
    return verdict, why(verdict, decision, overridden), overridden


class Judgements:
    """`judge`, remembered: the verdict of a precedence is a function of what each condition
    gave (True, False, or the paths a Missing names), and a plan's applicants fall into few
    such patterns, so each is settled once. One per plan (a decision is known by its name).
    Verdicts are frozen; the list of rules overridden is shared and nothing writes to it. The
    memory is bounded (emptied past `LIMIT` patterns)."""

    LIMIT = 4096

    def __init__(self):
        self._held: dict[tuple, tuple[Verdict, str, list[str]]] = {}

    def __call__(self, decision: DecisionInfo, rules: list[RuleInfo], held: list) -> tuple[Verdict, str, list[str]]:
        key = [decision.name]
        for h in held:
            if h is True or h is False:
                key.append(h)
            elif type(h) is Missing:
                key.append(h.paths)
            else:  # not a condition's value: nothing to remember it by
                return judge(decision, rules, held)
        key = tuple(key)
        found = self._held.get(key)
        if found is None:
            if len(self._held) >= self.LIMIT:
                self._held.clear()
            found = self._held[key] = judge(decision, rules, held)
        return found
