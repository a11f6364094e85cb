"""AST -> checked plan, as named passes over one collection of diagnostics.

Passes, in order: each reads what the ones before it collected, so a test runs them in this
order on a `Checker` and may stop after any. The first two, and check_populations, live in
their own modules, `declarations.py`, `resolve.py` and `aggregate_pass.py`, mixed into
`Checker`, but pass 2's driver and its cycle search (`resolve_expressions`, `_define`) are here:
  collect_declarations  names are unique; enums, zones, inputs, articles, the registry indexed
  resolve_expressions   every name resolved, every type and unit checked, cycles found
  check_rules           kinds, outcomes, assignments
  check_quotas          quotas cite an article, read city statistics, carry their unit; the
                        ranking orders by a number (`quotadecl.py`)
  check_decisions       each clause once; precedence names rules, notes name priorities, otherwise is an outcome
  check_populations     aggregates read no aggregate, and only decisions over their population read them
  check_citations       every cited article exists and is operative
  check_quotes          every quoted article text appears in the source document
  check_coverage        every numbered article of the source is accounted for
"""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from dsl import ast
from dsl.clauses import split_clause
from dsl.diagnostics import Diagnostic, Label, PolicyError, did_you_mean, sort_diagnostics
from dsl.spans import NO_SPAN, Span
from engine.compile.aggregate_pass import PopulationsPass
from engine.compile.bounds import check_bounds
from engine.compile.clauses import sentence_of
from engine.compile.declarations import DeclarationsPass
from engine.compile.plan import (
    KIND_OUTCOMES,
    NOTE_KINDS,
    OUTCOMES,
    REFERRALS,
    UNDETERMINED,
    AggregateInfo,
    CheckedPlan,
    DecisionInfo,
    DefineInfo,
    EnumInfo,
    InputInfo,
    ParentStamp,
    PlanStamp,
    PopulationInfo,
    RegistryInfo,
    RuleInfo,
)
from engine.compile.extends import Parent, extend
from engine.compile.quotadecl import QuotaPass
from engine.compile.quotes import find_quote
from engine.compile.resolve import ERROR, ExpressionResolver
from engine.compile.types import Type


class Checker(DeclarationsPass, ExpressionResolver, PopulationsPass, QuotaPass):
    def __init__(self, policy: ast.PolicyFile, text: str, parent: Parent | None = None):
        self.policy = policy
        self.text = text
        self.parent = parent  # the plan this one extends (its items are in `policy` already)
        self.parent_digest = ""  # sha256 of the parent's source document, once read
        self.parent_document: str | None = None
        self.diagnostics: list[Diagnostic] = []
        self.header: ast.PlanHeader | None = None
        self.source_digest = ""  # sha256 of the source document, once read
        self.articles: dict[str, ast.Article] = {}
        self.interpretations: dict[str, list[str]] = {}
        self.enums: dict[str, EnumInfo] = {}
        self.zones: dict[str, dict[str, str]] = {}
        self.zone_enum: dict[str, str] = {}  # zones name -> member enum name
        self.sets: dict[str, tuple[str, frozenset[str]]] = {}  # set name -> (its enum, member codes)
        self.registry_sets: dict[str, tuple[str, ...]] = {}  # set name -> registry categories
        self.inputs: dict[str, InputInfo] = {}
        self.aliases: dict[str, InputInfo] = {}
        self.define_asts: dict[str, ast.Define] = {}
        self.defines: dict[str, DefineInfo] = {}
        self.rule_asts: dict[str, ast.Rule] = {}
        self.rules: dict[str, RuleInfo] = {}
        self.decisions: dict[str, DecisionInfo] = {}
        self.cited: dict[str, list[Span]] = {}
        self.used_defines: set[str] = set()
        self._stack: list[tuple[str, Span]] = []
        self.source_document: str | None = None
        self.registry_asts: list[ast.RegistryDecl] = []
        self.registry: RegistryInfo | None = None
        self._registry_ok = False  # the declaration and the inputs its queries read are sound
        self._registry_used = False
        self.populations: dict[str, PopulationInfo] = {}
        self.population_asts: dict[str, ast.PopulationDecl] = {}
        self.aggregate_asts: dict[str, tuple[str, ast.Aggregate]] = {}  # aggregate -> (population, declaration)
        self.aggregates: dict[str, AggregateInfo] = {}
        self._resolving_aggregates: set[str] = set()
        self.quotas: dict = {}  # check_quotas fills these
        self.ranking = None

    # ---- reporting
    def error(self, code: str, message: str, span: Span, help: str | None = None, labels=()) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, help, tuple(labels)))

    def warn(self, code: str, message: str, span: Span, help: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, help, (), "warning"))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    # ---- pass 1
    # ---- pass 2
    def resolve_expressions(self) -> None:
        for name in self.define_asts:
            self._define(name, NO_SPAN)
        for name in self.aggregate_asts:
            self._aggregate(name)
    def _define(self, name: str, use: Span) -> Type:
        if name in self.defines:
            return self.defines[name].type
        on_stack = [n for n, _ in self._stack]
        if name in on_stack:
            hops = self._stack[on_stack.index(name):] + [(name, use)]
            path = " -> ".join(n for n, _ in hops)
            labels = [Label(span, f"`{a}` uses `{b}` here") for (a, _), (b, span) in zip(hops, hops[1:])]
            self.error("C020", f"definitions depend on each other in a cycle: {path}",
                       self.define_asts[name].span, "a definition cannot use itself, directly or through others",
                       labels)
            return ERROR
        node = self.define_asts[name]
        self._stack.append((name, use))
        for ref in node.cites:
            self._cite(ref)
        typed = self.expr(node.expr, {})
        self._stack.pop()
        self.defines[name] = DefineInfo(name, node.label, tuple(r.id for r in node.cites), typed, typed.type, node.span)
        return typed.type

    # ---- pass 3
    def check_rules(self) -> None:
        for name, rule in self.rule_asts.items():
            for ref in rule.cites:
                self._cite(ref)
            if rule.kind not in KIND_OUTCOMES:
                self.error("C030", f"unknown kind of rule `{rule.kind}`", rule.kind_span,
                           did_you_mean(rule.kind, KIND_OUTCOMES) or "kinds: " + ", ".join(KIND_OUTCOMES))
                allowed: tuple[str, ...] = ()
            elif rule.kind != "status":  # a status rule's outcome is its decision's to allow
                allowed = KIND_OUTCOMES[rule.kind]
                if rule.outcome not in allowed:
                    self.error("C031", f"a {rule.kind} rule concludes {' or '.join(f'`{o}`' for o in allowed)}, "
                               f"not `{rule.outcome}`", rule.outcome_span,
                               did_you_mean(rule.outcome, allowed))
            when = self.expr(rule.when, {})
            self._need_bool(when, rule.when.span)
            assignments = tuple((a.name, self.expr(a.expr, {})) for a in rule.assignments)
            self.rules[name] = RuleInfo(name, rule.kind, tuple(r.id for r in rule.cites), when, rule.outcome,
                                        rule.reason, assignments, rule.span)

    # ---- pass 4
    def check_decisions(self) -> None:
        placed: dict[str, Span] = {}
        for item in self.policy.of_type(ast.Decision):
            for clause in item.repeated:
                self.error("C088", f"decision `{item.name}` gives `{clause.name}` twice", clause.span,
                           f"merge them into one `{clause.name}` clause: only the last one would count")
            for ref in (*item.precedence, *item.notes):
                rule = self.rules.get(ref.name)
                if rule is None:
                    self.error("C032", f"unknown rule `{ref.name}`", ref.span, did_you_mean(ref.name, self.rules))
                    continue
                if ref.name in placed:
                    self.error("C033", f"rule `{ref.name}` is listed twice", ref.span, None,
                               [Label(placed[ref.name], "first listed here")])
                placed[ref.name] = ref.span
                is_note = ref in item.notes
                if is_note and rule.kind not in NOTE_KINDS:
                    self.error("C034", f"`notes` lists priority and steering rules; `{ref.name}` is a {rule.kind} rule", ref.span,
                               "move it to `precedence`")
                if not is_note and rule.kind in NOTE_KINDS:
                    self.error("C087", f"{rule.kind} rule `{ref.name}` cannot decide; list it under `notes`", ref.span)
                self._check_rule_in(item, ref, rule)
            own = self._own_outcomes(item)
            gives = (*own, *REFERRALS) if own else OUTCOMES
            if item.otherwise is None:
                self.error("C035", f"decision `{item.name}` has no `otherwise` outcome", item.span,
                           "say what holds when no rule applies, e.g. `otherwise needs_review \"…\"`")
            elif item.otherwise not in gives:
                self.error("C036", f"unknown outcome `{item.otherwise}`", item.otherwise_span,
                           did_you_mean(item.otherwise, gives) or "outcomes: " + ", ".join(gives))
            population = item.population.name if item.population is not None else None
            self.decisions[item.name] = DecisionInfo(
                item.name, item.label, tuple(r.name for r in item.precedence), tuple(r.name for r in item.notes),
                item.otherwise or "needs_review", item.otherwise_reason, item.span, item.otherwise_span, own, population)
        if not self.decisions:
            self.error("C037", "the file has no `decision`", Span(self.policy.span.source, 1, 1, 1, 2),
                       "a decision lists its rules by precedence: `decision 准入 { precedence a > b otherwise … }`")
        for name, rule in self.rule_asts.items():
            if name not in placed:
                self.warn("W001", f"rule `{name}` is in no decision, so it never applies", rule.span,
                          "list it in a decision's `precedence` or `notes`")
        for name, define in self.define_asts.items():
            if name not in self.used_defines:
                self.warn("W002", f"definition `{name}` is never used", define.span)

        if self.registry_asts and not self._registry_used:
            self.warn("W005", f"registry `{self.registry_asts[0].name}` is asked by no definition or rule",
                      self.registry_asts[0].span, "ask it with `nearest(…)` or `count_within(…, 800 m)`")

    def _own_outcomes(self, item: ast.Decision) -> tuple[str, ...]:
        seen: dict[str, Span] = {}
        for name in item.outcomes:
            if name.name in seen or name.name in REFERRALS or name.name == UNDETERMINED:
                if name.name in seen:
                    self.error("C038", f"outcome `{name.name}` is declared twice", name.span,
                               "declare each outcome once")
                else:
                    self.error("C095", f"`{name.name}` is an outcome every decision may give; do not declare it",
                               name.span, "referrals (needs_review, needs_approval) and undetermined need no declaring")
            seen.setdefault(name.name, name.span)
        return tuple(n for n in seen if n not in REFERRALS and n != UNDETERMINED)

    def _check_rule_in(self, item: ast.Decision, ref: ast.Name, rule: RuleInfo) -> None:
        """A decision with its own outcomes holds status and referral rules; a status rule
        concludes one of its decision's outcomes."""
        own = tuple(n.name for n in item.outcomes)
        if rule.kind == "status":
            if not own:
                self.error("C039", f"status rule `{ref.name}` stands in decision `{item.name}`, which declares no "
                           "`outcomes`", ref.span, "a status rule concludes one of its decision's own outcomes: "
                           "declare them with `outcomes a, b, …`")
            elif rule.outcome not in own:
                self.error("C097", f"`{rule.outcome}` is not an outcome of decision `{item.name}`",
                           self.rule_asts[rule.name].outcome_span,
                           did_you_mean(rule.outcome, own) or "its outcomes: " + ", ".join(own))
        elif own and rule.kind not in ("referral",):
            self.error("C096", f"decision `{item.name}` has its own outcomes; a rule of kind `{rule.kind}` cannot stand in it",
                       ref.span, "write it as a `status` rule concluding one of: " + ", ".join(own))

    # ---- pass 5
    def check_citations(self) -> None:
        for cited, spans in self.cited.items():
            article_id, sentence = split_clause(cited)  # `二（二）第1句` cites one sentence of 二（二）
            article = self.articles.get(article_id)
            if article is None:
                for span in spans:
                    self.error("C040", f"article `{article_id}` is cited but not declared", span,
                               did_you_mean(article_id, self.articles) or f'declare it: `article {article_id} "<quoted text>"`')
            elif article.status != "operative":
                for span in spans:
                    self.error("C041", f"article `{article_id}` is {article.status}, so no rule may cite it", span,
                               "mark the article operative, or cite the article the rule encodes")
            elif sentence is not None:
                self._check_sentence(article, cited, sentence, spans)
        for item in self.policy.of_type(ast.Interpretation):  # a reading may concern any article
            article_id, sentence = split_clause(item.article.id)
            if article_id not in self.articles:
                self.error("C040", f"article `{article_id}` is interpreted but not declared", item.article.span,
                           did_you_mean(article_id, self.articles))
            elif sentence is not None:
                self._check_sentence(self.articles[article_id], item.article.id, sentence, [item.article.span])
        cited_articles = {split_clause(cited)[0] for cited in self.cited}
        for article in self.articles.values():
            if article.status == "operative" and article.id not in cited_articles:
                self.warn("W003", f"operative article `{article.id}` is cited by no rule", article.span,
                          "cite it, or mark it `informative` or `deferred \"reason\"`")

    def _check_sentence(self, article: ast.Article, cited: str, sentence: int, spans) -> None:
        """A citation of one sentence names one the article's quoted text holds whole."""
        text, count = sentence_of(article.text, sentence)
        for span in spans if text is None else ():
            if count is not None:
                self.error("C125", f"`{cited}` names no sentence of article `{article.id}`, whose text has {count} "
                           "sentence(s)", span, "count the sentences of the article's text (each ends at 。, ！ or "
                           "？), or cite the article whole")
            else:
                self.error("C126", f"the sentences of article `{article.id}` cannot be counted up to `{cited}`: its "
                           "text elides (`…`) before that sentence ends", span,
                           "quote the article whole up to that sentence, or cite the article whole")

    # ---- pass 6
    def check_quotes(self, policy_dir: Path | None) -> None:
        """Each article's quote against its own plan's source: the parent's against the parent's."""
        parent = self.parent
        own = {k: a for k, a in self.articles.items() if parent is None or k not in parent.articles}
        if self.header is not None:
            self.source_document, self.source_digest = self._check_source(self.header, policy_dir, own)
        if parent is not None and policy_dir is not None:
            inherited = {k: a for k, a in self.articles.items() if k in parent.articles}
            self.parent_document, self.parent_digest = self._check_source(
                parent.header, Path(parent.path).parent, inherited)

    def _check_source(self, header: ast.PlanHeader, policy_dir: Path | None,
                      articles: dict[str, ast.Article]) -> tuple[str | None, str]:
        """Read the `source` a header names and check the articles' quotes in it: (its text, its sha256)."""
        rel = header.get("source")
        if rel is None:
            self.warn("W004", "the plan names no source document, so quotes are not checked", header.span,
                      'add `source "sources/<file>.txt" sha256 "<hash>"`')
            return None, ""
        if policy_dir is None:
            return None, ""
        # INVARIANT: a policy reads nothing outside its own folder.
        target = (policy_dir / rel).resolve()
        if Path(rel).is_absolute() or not target.is_relative_to(policy_dir.resolve()):
            self.error("C050", f"source document `{rel}` is outside the policy's folder", header.span,
                       "keep the source beside the policy, e.g. `sources/<file>.txt`")
            return None, ""
        from engine.reading.reader import InputError, decode, read_bytes  # the one reader: no FIFO opened, GBK named

        try:
            raw = read_bytes(str(target), "source document")
            text = decode(raw, str(target), "source document")
        except InputError as error:
            first = error.diagnostics[0]
            self.error("C051", f"cannot read source document `{rel}`: {first.message.rsplit(': ', 1)[-1]}",
                       header.span, first.help)
            return None, ""
        except UnicodeDecodeError as error:
            reason = f"not UTF-8 text ({error.reason} at byte {error.start})"
            self.error("C051", f"cannot read source document `{rel}`: {reason}", header.span, "save the document as UTF-8")
            return None, ""
        digest = hashlib.sha256(raw).hexdigest()
        declared = header.get("sha256")
        if declared and declared != digest:
            self.error("C052", f"source document `{rel}` has changed: its sha256 is `{digest}`", header.span,
                       "re-read the articles against the new text, then update `sha256`")
        for article in articles.values():  # a sentence cited alone lies in its article's quote, checked here
            miss = find_quote(article.text, text)
            if miss is not None:
                self.error("C053", f"the text quoted for article `{article.id}` is not in the source document",
                           article.text_span,
                           f"it matches the source up to `…{miss[-12:]}`; check what follows" if miss else
                           "its first characters are not in the source; copy the text from the document")
        return text, digest

    # ---- pass 7
    def check_coverage(self) -> None:
        """Every numbered article of each source is encoded, informative or deferred: none forgotten.
        Each document by the articles of the plan that quotes it."""
        parent = self.parent
        own = {k for k in self.articles if parent is None or k not in parent.articles}
        self._cover(self.source_document, self.header, own)
        if parent is not None:
            self._cover(self.parent_document, parent.header, set(parent.articles), parent.prefix)

    def _cover(self, document: str | None, header: ast.PlanHeader | None, articles: set[str], prefix: str = "") -> None:
        if document is None or header is None:
            return
        from engine.compile.coverage import required, source_articles

        for entry in required(source_articles(document)):
            if prefix + entry.id not in articles:
                self.error("C054", f"article `{entry.id}` of the source is not accounted for", header.span,
                           f"source line {entry.line}: `{entry.heading}`; declare it operative, informative, or "
                           f"deferred \"reason\"")

    def check_effective(self) -> None:
        """`effective` is the ISO date from which decisions under the plan are in force."""
        written = self.header.get("effective") if self.header else None
        if written is None:
            return
        try:
            date.fromisoformat(written)
        except ValueError:
            self.error("C098", f"`effective \"{written}\"` is not a date", self.header.span,
                       "write the date the plan takes effect as YYYY-MM-DD")

    def run(self, policy_dir: Path | None) -> None:
        self.collect_declarations()
        breaches = check_bounds(self.define_asts, self.rule_asts)
        if breaches:  # the passes below recurse through definitions: they must not meet such a chain
            self.diagnostics.extend(breaches)
            return
        self.check_effective()
        self.resolve_expressions()
        self.check_rules()
        self.check_quotas()
        self.check_decisions()
        self.check_populations()
        self.check_citations()
        self.check_quotes(policy_dir)
        self.check_coverage()

    def plan(self, path: str) -> CheckedPlan:
        header = self.header
        parent = self.parent
        stamp = PlanStamp(header.id, header.get("version") or "", hashlib.sha256(self.text.encode("utf-8")).hexdigest(),
                          header.get("title") or "", self.source_digest, header.get("effective") or "",
                          header.get("draft") or "",
                          ParentStamp(parent.header.id, parent.header.get("version") or "", parent.reference,
                                      hashlib.sha256(parent.text.encode("utf-8")).hexdigest(), self.parent_digest)
                          if parent is not None else None)
        return CheckedPlan(
            stamp=stamp, path=path, header=header, policy=self.policy, articles=self.articles,
            interpretations={k: tuple(v) for k, v in self.interpretations.items()}, enums=self.enums,
            zones=self.zones, inputs=self.inputs, defines=self.defines, rules=self.rules,
            decisions=self.decisions, source_document=self.source_document, registry=self.registry,
            populations=self.populations,
            warnings=sort_diagnostics(d for d in self.diagnostics if d.severity == "warning"),
            quotas=self.quotas, ranking=self.ranking, parent_document=self.parent_document,
            parent_articles=self.parent.articles if self.parent is not None else frozenset(),
            parent_prefix=self.parent.prefix if self.parent is not None else "",
        )


def check_policy(policy: ast.PolicyFile, text: str, path: str) -> tuple[CheckedPlan | None, tuple[Diagnostic, ...]]:
    """Run every pass; return the plan (None when there are errors) and all diagnostics."""
    folder = Path(path).parent if path and not path.startswith("<") else None
    try:
        policy, parent = extend(policy, path) if folder is not None else (policy, None)
    except PolicyError as error:
        return None, sort_diagnostics(error.diagnostics)
    checker = Checker(policy, text, parent)
    checker.run(folder)
    diagnostics = sort_diagnostics(checker.diagnostics)
    if checker.errors:
        return None, diagnostics
    return checker.plan(path), diagnostics


def check_or_raise(policy: ast.PolicyFile, text: str, path: str) -> CheckedPlan:
    plan, diagnostics = check_policy(policy, text, path)
    if plan is None:
        raise PolicyError([d for d in diagnostics if d.severity == "error"])
    return plan
