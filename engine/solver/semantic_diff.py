"""`policy diff --semantic`: whom two versions of a plan treat differently, proved by z3.

Both plans are translated over one space of facts (a complete applicant: every fact present,
within its declared range), and for each applicant category and district the solver is asked
whether some applicant gets a different result: another outcome, or the same outcome with other
`with` terms (纳入比例 50% -> 60%). A difference is classed by what it does to the applicant:

- `stricter`: NEW gives less (exempt > eligible > needs_approval, needs_review > a refusal:
  paused, excluded, spacing_conflict; between two eligible results, no term larger and one
  smaller), `looser` the reverse, `changed` neither (paused -> excluded, 50% -> 择优),
- and a cell is `equivalent` (no applicant differs: unsat), `stricter` or `looser` (only that
  kind of difference exists), `incomparable` (both kinds, or a change that is neither, such as
  paused -> needs_review), `unknown` (the solver gave up within its time: never equivalent).

Each difference comes with a witness (engine/solver/witness.py) that the reference evaluator
decides under both plans before it is reported; a witness the evaluator disagrees with is
marked unconfirmed rather than dropped.
"""
from __future__ import annotations

import json
from dataclasses import field
from dsl.dataclass_cache import dataclass
from fractions import Fraction

import z3

from dsl.spans import Source
from engine.compile.plan import CheckedPlan
from engine.solver.solve import Incremental, solve
from engine.solver.spaces import SymbolicSpace
from engine.solver.translate import Translation, Untranslatable, all_of, any_of, exact
from engine.solver.witness import occurring, simplest_model

# What an applicant would prefer: outside the limits, admitted, sent to a person, refused.
RANK = {"exempt": 3, "eligible": 2, "needs_approval": 1, "needs_review": 1}
KINDS = ("stricter", "looser", "changed")
CATEGORY, DISTRICT = ("applicant", "category"), ("applicant", "district")


@dataclass(frozen=True)
class Side:
    outcome: str
    rule: str | None
    terms: dict


@dataclass(frozen=True)
class Witness:
    kind: str  # stricter | looser | changed
    facts: dict
    old: Side
    new: Side
    articles: tuple[str, ...]  # the articles whose change makes the difference
    confirmed: bool  # the reference evaluator gives these two results
    file: str | None = None  # where it was written, if it was


@dataclass(frozen=True)
class Cell:
    decision: str
    category: str | None
    regions: tuple[str, ...]  # the districts this verdict holds for; () = all of them
    verdict: str  # equivalent | stricter | looser | incomparable | unknown
    witnesses: tuple[Witness, ...] = ()
    unwitnessed: tuple[str, ...] = ()  # kinds of difference proved to exist but not given a witness in time


@dataclass(frozen=True)
class SemanticDiff:
    old: CheckedPlan
    new: CheckedPlan
    cells: tuple[Cell, ...]
    untranslatable: tuple[str, ...] = ()  # what could not be proved, and why
    assumptions: tuple[str, ...] = field(default=())

    @property
    def equivalent(self) -> bool:
        return not self.untranslatable and all(c.verdict == "equivalent" for c in self.cells)

    @property
    def witnesses(self) -> list[Witness]:
        return [w for c in self.cells for w in c.witnesses]


def N_(message: str) -> str:
    """Marks an assumption for the message catalogue (i18n/); render/semantic_view.py translates it."""
    return message


ASSUMPTIONS = (
    N_("outcomes ranked as an applicant would: exempt > eligible > needs_approval, needs_review > paused, excluded, "
       "spacing_conflict"),
    N_("every fact is present (an applicant with a missing fact is `undetermined` under both versions)"),
    N_("numbers within their declared ranges: a fraction in [0, 1], a `count` a whole number, any other quantity >= 0"),
    N_("a list (such as age groups) has one item, or as many as the baseline's"),
    N_("the distance to the nearest institution of the same type is the facts' applicant.nearest_same_category_m"),
)


def _verdict(found: dict[str, str]) -> str:
    if any(v == "unknown" for v in found.values()):
        sat = [k for k, v in found.items() if v == "sat"]
        return "unknown" if not sat or sat == ["stricter"] or sat == ["looser"] else "incomparable"
    sat = {k for k, v in found.items() if v == "sat"}
    if not sat:
        return "equivalent"
    if sat == {"stricter"}:
        return "stricter"
    if sat == {"looser"}:
        return "looser"
    return "incomparable"


class _Question:
    def __init__(self, old: CheckedPlan, new: CheckedPlan, decision: str, timeout_ms: int, baseline=None):
        self.space = SymbolicSpace([old, new], baseline=baseline)
        self.old, self.new = old, new
        self.a = Translation(old, self.space).decision(decision)
        self.b = Translation(new, self.space).decision(decision)
        self.timeout_ms = timeout_ms
        sp = self.space
        eligible, code = sp.code("eligible"), sp.code

        def rank(d):
            r = z3.IntVal(0)
            for outcome, value in sorted(RANK.items(), key=lambda kv: kv[1]):
                r = z3.If(d.outcome == code(outcome), value, r)
            return r

        names = sorted(set(self.a.terms) | set(self.b.terms))
        same_terms, le, ge = [], [], []
        for n in names:
            ta, tb = self.a.terms.get(n), self.b.terms.get(n)
            if ta is None or tb is None:
                t = ta or tb
                same_terms.append(z3.Not(t.defined))
                le.append(z3.Not(t.defined))
                ge.append(z3.Not(t.defined))
                continue
            both = all_of(ta.defined, tb.defined)
            same_terms.append(all_of(ta.defined == tb.defined, z3.Implies(both, ta.value == tb.value)))
            le.append(all_of(ta.defined == tb.defined, z3.Implies(both, tb.value <= ta.value)))
            ge.append(all_of(ta.defined == tb.defined, z3.Implies(both, tb.value >= ta.value)))
        same_outcome = self.a.outcome == self.b.outcome
        self.differ = z3.Or(z3.Not(same_outcome), z3.Not(all_of(*same_terms)))
        both_eligible = all_of(same_outcome, self.a.outcome == eligible)
        self.kinds = {
            "stricter": any_of(rank(self.b) < rank(self.a), all_of(both_eligible, all_of(*le), self.differ)),
            "looser": any_of(rank(self.b) > rank(self.a), all_of(both_eligible, all_of(*ge), self.differ)),
        }
        self.kinds["changed"] = all_of(self.differ, z3.Not(self.kinds["stricter"]), z3.Not(self.kinds["looser"]))
        self.base = list(sp.side)
        self.questions = Incremental(self.base, timeout_ms)

    def solver(self, *extra) -> tuple[str, z3.Solver]:
        """A fresh solver that answered: a witness is read from its model."""
        return solve([*self.base, *extra], self.timeout_ms)

    def check(self, *extra) -> str:
        return self.questions.check(*extra)


def semantic_diff(old: CheckedPlan, new: CheckedPlan, timeout_ms: int = 10_000, baseline: dict | None = None
                  ) -> SemanticDiff:
    """Every category and district of the plans' shared decisions: the verdict and its witnesses.

    `baseline` (facts, such as a context file's `city`) is what witnesses try first; it changes
    which witness is shown, never a verdict."""
    cells: list[Cell] = []
    skipped: list[str] = []
    names = [n for n in old.decisions if n in new.decisions]
    for name in names:
        try:
            q = _Question(old, new, name, timeout_ms, baseline)
        except Untranslatable as error:
            if _identical(old, new, name):
                # What the solver cannot express it need not: the two versions decide with the
                # same rules, definitions, inputs and vocabulary, so they decide alike.
                cells.append(Cell(name, None, (), "equivalent"))
                continue
            where = f" (line {error.span.line})" if error.span is not None and error.span.line else ""
            skipped.append(f"decision `{name}` is not compared: the solver cannot translate {error.what}{where}")
            continue
        cells.extend(_cells(q, name))
    for name in sorted(set(old.decisions) ^ set(new.decisions)):
        skipped.append(f"decision `{name}` is in one version only; nothing is compared for it")
    return SemanticDiff(old, new, tuple(cells), tuple(skipped), ASSUMPTIONS)


def _identical(old: CheckedPlan, new: CheckedPlan, name: str) -> bool:
    """Whether a decision means the same in both plans because it is the same checked IR: its
    precedence and outcomes, every rule and definition it reaches (spans and wording of
    reasons aside), and the enums and zones of both plans."""
    from engine.compile import ir

    a, b = old.decisions[name], new.decisions[name]
    if (a.precedence, a.notes, a.otherwise) != (b.precedence, b.notes, b.otherwise):
        return False
    if old.enums != new.enums or old.zones != new.zones:
        return False
    seen: set[str] = set()
    stack = [n for r in (*a.precedence, *a.notes) for n in _rule_nodes(old, r)]
    for r in (*a.precedence, *a.notes):
        x, y = old.rules.get(r), new.rules.get(r)
        if x is None or y is None or (x.kind, x.when, x.outcome, x.assignments) != (y.kind, y.when, y.outcome, y.assignments):
            return False
    while stack:
        for sub in ir.walk(stack.pop()):
            if isinstance(sub, ir.DefRef) and sub.name not in seen:
                seen.add(sub.name)
                x, y = old.defines.get(sub.name), new.defines.get(sub.name)
                if x is None or y is None or x.node != y.node:
                    return False
                stack.append(x.node)
    return True


def _rule_nodes(plan: CheckedPlan, name: str) -> list:
    rule = plan.rules.get(name)
    return [] if rule is None else [rule.when, *(n for _, n in rule.assignments)]


def _domain(q: _Question, path) -> list[str | None]:
    if path not in q.space.vars:
        return [None]
    var, type_ = q.space.vars[path]
    return sorted(q.space.members(path, type_.name)) if hasattr(type_, "name") else [None]


def _pin(q: _Question, path, value):
    if value is None:
        return []
    var, _ = q.space.vars[path]
    return [var == q.space.code(value)]


def _cells(q: _Question, decision: str) -> list[Cell]:
    out: list[Cell] = []
    for category in _domain(q, CATEGORY):
        pin_c = _pin(q, CATEGORY, category)
        first = q.check(*pin_c, q.differ)
        if first == "unsat":
            out.append(Cell(decision, category, (), "equivalent"))
            continue
        by_region: dict[str, tuple[str, dict]] = {}
        districts = _domain(q, DISTRICT)
        if districts != [None] and _district_free(q, pin_c):
            districts = [None]  # no district matters for this category: one cell for all of them
        for district in districts:
            pins = pin_c + _pin(q, DISTRICT, district)
            found = {k: q.check(*pins, q.kinds[k]) for k in KINDS}
            by_region[district] = (_verdict(found), found)
        groups: dict[tuple, list] = {}
        for district, (verdict, found) in by_region.items():
            groups.setdefault((verdict, tuple(sorted(k for k, v in found.items() if v == "sat"))), []).append(district)
        for (verdict, kinds), regions in groups.items():
            witnesses, unwitnessed = [], []
            for kind in kinds:
                pins = pin_c + _pin(q, DISTRICT, regions[0])
                w = _witness(q, pins, kind, decision)
                (witnesses.append(w) if w is not None else unwitnessed.append(kind))
            whole = len(regions) == len(districts) or regions == [None]
            out.append(Cell(decision, category, () if whole else tuple(regions), verdict, tuple(witnesses),
                            tuple(unwitnessed)))
    return out


def _district_free(q: _Question, pins: list) -> bool:
    pairs = [(p.arg(0), p.arg(1)) for p in pins]
    shown = z3.simplify(z3.substitute(q.differ, *pairs)) if pairs else q.differ
    return ".".join(DISTRICT) not in occurring([shown])


def _witness(q: _Question, pins: list, kind: str, decision: str) -> Witness | None:
    status, s = q.solver(*pins, q.kinds[kind])
    if status != "sat":
        return None
    # The facts this witness must give: those the question still depends on once the category
    # and district are pinned; every other fact is left out of the file.
    asked = [q.kinds[kind], q.a.outcome, q.b.outcome]
    for d in (q.a, q.b):
        asked += [t.value for t in d.terms.values()] + [t.defined for t in d.terms.values()]
    pairs = [(p.arg(0), p.arg(1)) for p in pins]
    names = occurring([z3.simplify(z3.substitute(t, *pairs)) if pairs else t for t in asked]) | occurring(pins)
    found = simplest_model(s, q.space, names)
    if found is None:
        return None
    model, facts = found
    applicant = facts.setdefault("applicant", {})
    facts["applicant"] = {"id": f"witness-{kind}", **applicant}
    old_side = _side(q.old, facts, decision)
    new_side = _side(q.new, facts, decision)
    claimed_old = _claimed(q, q.a, model)
    claimed_new = _claimed(q, q.b, model)
    confirmed = (old_side is not None and new_side is not None and old_side == claimed_old and new_side == claimed_new)
    return Witness(kind, facts, claimed_old, claimed_new, _articles(q.old, q.new, claimed_old, claimed_new),
                   confirmed)


def _claimed(q: _Question, d, model) -> Side:
    outcome = q.space.text(model.eval(d.outcome, model_completion=True).as_long())
    index = model.eval(d.rule, model_completion=True).as_long()
    rule = d.rules[index] if index >= 0 else None
    terms = {}
    for name, t in d.terms.items():
        if z3.is_true(model.eval(t.defined, model_completion=True)):
            v = model.eval(t.value, model_completion=True)
            terms[name] = _number(v)
    return Side(outcome, rule, terms)


def _number(v) -> Fraction:
    """A z3 number as the exact rational it is (compared exactly with the evaluator's value)."""
    return Fraction(v.as_fraction()) if z3.is_rational_value(v) else Fraction(v.approx(12).as_fraction())


def _side(plan: CheckedPlan, facts: dict, decision: str) -> Side | None:
    """The reference evaluator's result for a witness; None when the file is not valid facts."""
    from engine.facts.validate import FactsError, validate_facts
    from engine.run.evaluator import evaluate

    text = json.dumps(facts, ensure_ascii=False)
    try:
        checked = validate_facts(plan, facts, Source("<witness>", text))
    except FactsError:
        return None
    result = evaluate(plan, checked, decision)
    rule = result.decided_by.name if result.decided_by is not None else None
    # Exactly, whether the evaluator computes in binary floats (0.6 is read as 3/5, as written)
    # or in exact rationals.
    terms = {k: (exact(v) if isinstance(v, (int, float, Fraction)) and not isinstance(v, bool) else v)
             for k, v in result.terms}
    return Side(result.outcome, rule, terms)


def _articles(old: CheckedPlan, new: CheckedPlan, a: Side, b: Side) -> tuple[str, ...]:
    """Articles cited by what changed between the versions, on the way to either result."""
    def reach(plan: CheckedPlan, rule: str | None) -> tuple[set[str], set[str]]:
        rules = {rule} if rule else set()
        defs: set[str] = set()
        from engine.compile import ir

        stack = [plan.rules[rule].when, *(n for _, n in plan.rules[rule].assignments)] if rule else []
        while stack:
            node = stack.pop()
            for sub in ir.walk(node):
                if isinstance(sub, ir.DefRef) and sub.name not in defs:
                    defs.add(sub.name)
                    stack.append(plan.defines[sub.name].node)
        return rules, defs

    ra, da = reach(old, a.rule)
    rb, db = reach(new, b.rule)
    changed: list[str] = []
    for name in sorted(ra | rb):
        x, y = old.rules.get(name), new.rules.get(name)
        if x is None or y is None or x != y:
            changed += list((y or x).cites)
    for name in sorted(da | db):
        x, y = old.defines.get(name), new.defines.get(name)
        if x is None or y is None or x.node != y.node:
            changed += list((y or x).cites)
    if not changed:  # the order or the decision changed: the two deciding rules are the cause
        for plan, name in ((old, a.rule), (new, b.rule)):
            if name:
                changed += list(plan.rules[name].cites)
    return tuple(dict.fromkeys(changed))


def write_witnesses(report: SemanticDiff, folder: str) -> SemanticDiff:
    """Write every witness as a facts file in `folder` (created if need be); the report names each file."""
    import dataclasses
    from pathlib import Path

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    cells = []
    for cell in report.cells:
        witnesses = []
        for w in cell.witnesses:
            where = cell.regions[0] if cell.regions else "all"
            name = f"{cell.decision}-{cell.category or 'all'}-{where}-{w.kind}.json"
            path = out / name
            path.write_text(json.dumps(w.facts, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            witnesses.append(dataclasses.replace(w, file=str(path)))
        cells.append(dataclasses.replace(cell, witnesses=tuple(witnesses)))
    return dataclasses.replace(report, cells=tuple(cells))
