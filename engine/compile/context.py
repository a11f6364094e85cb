"""What the checker's passes share: the syntax tree, the tables they build, the diagnostics.

One `CheckContext` is made per check (`engine.compile.checker.check`) and handed to every pass
in `engine.compile.checker.PASSES`, in order. A pass reads what the passes before it wrote
and writes its own tables; none keeps state of its own between calls. The fields below are
grouped by the pass that fills them.
"""
from __future__ import annotations

from dataclasses import field
from dsl.dataclass_cache import dataclass
from pathlib import Path

from dsl import ast
from dsl.diagnostics import Diagnostic
from dsl.spans import Span

from engine.compile.extends import Parent
from engine.compile.plan import (AggregateInfo, DecisionInfo, DefineInfo, EnumInfo, InputInfo, PopulationInfo,
                                 QuotaInfo, RankingInfo, RegistryInfo, RuleInfo)
from engine.compile.readings import Reading
from engine.compile.types import RecordT, Type


@dataclass(eq=False)
class CheckContext:
    policy: ast.PolicyFile
    text: str  # the file as read: its sha256 is the plan's stamp
    policy_dir: Path | None = None  # where the source document is looked for; None: quotes are not read
    diagnostics: list[Diagnostic] = field(default_factory=list)  # every pass appends; sorted at the end
    # the plan this one extends: its items are in `policy` already; its articles are quoted from its own source
    parent: Parent | None = None

    # ---- declarations: every name, indexed
    header: ast.PlanHeader | None = None
    articles: dict[str, ast.Article] = field(default_factory=dict)
    interpretations: dict[str, list[Reading]] = field(default_factory=dict)
    enums: dict[str, EnumInfo] = field(default_factory=dict)
    zones: dict[str, dict[str, str]] = field(default_factory=dict)  # zones name -> member -> zone
    zone_enum: dict[str, str] = field(default_factory=dict)  # zones name -> member enum name
    sets: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)  # set -> (its enum, member codes)
    registry_sets: dict[str, tuple[str, ...]] = field(default_factory=dict)  # set -> registry categories
    inputs: dict[str, InputInfo] = field(default_factory=dict)
    aliases: dict[str, InputInfo] = field(default_factory=dict)
    define_asts: dict[str, ast.Define] = field(default_factory=dict)
    rule_asts: dict[str, ast.Rule] = field(default_factory=dict)
    population_asts: dict[str, ast.PopulationDecl] = field(default_factory=dict)
    aggregate_asts: dict[str, tuple[str, ast.Aggregate]] = field(default_factory=dict)  # -> (population, decl)
    registry_asts: list[ast.RegistryDecl] = field(default_factory=list)
    registry: RegistryInfo | None = None
    registry_ok: bool = False  # the declaration and the inputs its questions read are sound
    cited: dict[str, list[Span]] = field(default_factory=dict)  # article id -> every place citing it (any pass)

    # ---- cycles: the uses (name, place) that close a cycle of definitions or aggregates
    cycle_uses: set[tuple[str, Span]] = field(default_factory=set)

    # ---- expressions, rules, quotas, decisions, populations: the typed plan
    defines: dict[str, DefineInfo] = field(default_factory=dict)
    aggregates: dict[str, AggregateInfo] = field(default_factory=dict)
    used_defines: set[str] = field(default_factory=set)
    registry_used: bool = False
    rules: dict[str, RuleInfo] = field(default_factory=dict)
    quotas: dict[str, QuotaInfo] = field(default_factory=dict)
    ranking: RankingInfo | None = None
    decisions: dict[str, DecisionInfo] = field(default_factory=dict)
    populations: dict[str, PopulationInfo] = field(default_factory=dict)

    # ---- quotes: the source document, once read
    source_document: str | None = None
    source_digest: str = ""  # its sha256
    parent_document: str | None = None  # the source document of the plan extended, once read
    parent_digest: str = ""  # its sha256

    # ---- reporting
    def error(self, code: str, message: str, span: Span, help: str | None = None, labels=()) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, help, tuple(labels)))

    def warn(self, code: str, message: str, span: Span, help: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, help, (), "warning"))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    # ---- lookups every pass may need
    def cite(self, ref: ast.ArticleRef) -> None:
        """Note a citation; the citations pass checks every one against the articles."""
        self.cited.setdefault(ref.id, []).append(ref.span)

    def declared_type(self, path: tuple[str, ...]) -> Type | None:
        """The type of a fact path, whether declared whole or through a record above it."""
        for cut in range(len(path), 0, -1):
            info = self.inputs.get(".".join(path[:cut]))
            if info is not None:
                found: Type | None = info.type
                for name in path[cut:]:
                    found = found.field(name) if isinstance(found, RecordT) else None
                return found
        return None
