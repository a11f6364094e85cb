"""Every size and depth limit of the engine, declared in one place.

Each limit has a name, a default, an environment variable that overrides it, and its own
diagnostic code, so a plan or a facts file that passes one is refused with a one-line
reason rather than a RecursionError, a hang or an exhausted memory. `policy --limit NAME=N`
sets one for a run (it sets the variable). The defaults leave the shipped plans far inside
(their longest line is 199 characters, their deepest expression a dozen levels) and keep
every recursive stage (the parser's tree builder, the checker, both evaluators, the code
generator and the printers) well inside Python's recursion limit: tests/test_limits.py
runs plans at each limit through check, explain, eval and fmt.

docs/errors.md, section "Limits", lists them; keep it in step with `LIMITS`.
"""
from __future__ import annotations

import os
from dsl.dataclass_cache import dataclass


@dataclass(frozen=True, slots=True)
class Limit:
    name: str  # the name `--limit NAME=N` takes
    code: str  # the diagnostic code of a breach
    default: int
    unit: str
    what: str  # what is counted, as the docs say it

    @property
    def env(self) -> str:
        return "POLICY_MAX_" + self.name.upper().replace("-", "_")

    @property
    def value(self) -> int:
        """The limit in force: the environment's, when it holds a positive whole number."""
        raw = os.environ.get(self.env)
        if raw is not None:
            try:
                number = int(raw.replace("_", ""))
            except ValueError:
                number = 0
            if number > 0:
                return number
        return self.default


PLAN_BYTES = Limit("plan-bytes", "L001", 4 * 1024 * 1024, "bytes", "size of one .policy file")
LINE_CHARS = Limit("line-chars", "L002", 4000, "characters", "length of one line of a .policy file")
TOKEN_CHARS = Limit("token-chars", "L003", 256, "characters",
                    "length of one name or number of a .policy file (strings are bounded by the line)")
NESTING = Limit("nesting", "L004", 200, "levels",
                "nesting of one expression, type or `if` (parentheses, operators, calls, branches)")
CHAIN = Limit("chain", "L005", 100, "definitions", "definitions in one chain of `define`s that use one another")
DEPTH = Limit("depth", "L006", 300, "levels",
              "nesting of an expression counted through the definitions it uses (what evaluation descends)")
STEPS = Limit("steps", "L007", 5_000_000, "steps",
              "evaluation steps of one decision, counted at check time as the parts of the plan's expressions "
              "(a definition is evaluated once per decision and remembered)")
JSONL_LINE = Limit("jsonl-line-bytes", "L008", 16 * 1024 * 1024, "bytes", "length of one line of a JSON Lines file")
REGISTRY_ROWS = Limit("registry-rows", "L009", 2_000_000, "rows", "rows of one registry CSV file")

LIMITS: tuple[Limit, ...] = (PLAN_BYTES, LINE_CHARS, TOKEN_CHARS, NESTING, CHAIN, DEPTH, STEPS, JSONL_LINE,
                             REGISTRY_ROWS)
BY_NAME = {limit.name: limit for limit in LIMITS}


def set_limit(assignment: str) -> None:
    """`NAME=N` from the command line: sets the limit's variable for this process.

    Raises ValueError with a message for the user when the name or the number is wrong.
    """
    name, _, raw = assignment.partition("=")
    limit = BY_NAME.get(name.strip())
    if limit is None:
        raise ValueError(f"unknown limit `{name}`; the limits are " + ", ".join(BY_NAME))
    try:
        number = int(raw.strip().replace("_", ""))
    except ValueError:
        number = 0
    if number <= 0:
        raise ValueError(f"limit `{name}` takes a positive whole number, as `{name}={limit.default}`")
    os.environ[limit.env] = str(number)


def breach_help(limit: Limit) -> str:
    return (f"the limit is {limit.value:,} {limit.unit}; raise it with `policy --limit {limit.name}=N` "
            f"or {limit.env}=N if this is intended")


# ---- the checks on a plan's text and on its parse tree (dsl/parser.py runs them) ----------

def _breach(limit: Limit, message: str, span) -> Exception:
    from .diagnostics import Diagnostic, PolicyError

    return PolicyError([Diagnostic(limit.code, message, span, breach_help(limit))])


def check_text_limits(source) -> None:
    """Refuse a plan text too large, with a line too long, or with a name or number too long."""
    import re

    from .spans import Span

    text = source.text
    if len(text) > PLAN_BYTES.value or len(text.encode("utf-8", "surrogatepass")) > PLAN_BYTES.value:
        raise _breach(PLAN_BYTES, f"the plan is larger than {PLAN_BYTES.value:,} bytes", Span(source, 1, 1, 1, 2))
    long_line = re.search(r"[^\n]{%d}" % (LINE_CHARS.value + 1), text)
    if long_line:
        start = text.rfind("\n", 0, long_line.start()) + 1
        end = text.find("\n", long_line.start())
        line = text.count("\n", 0, start) + 1
        length = (len(text) if end < 0 else end) - start
        raise _breach(LINE_CHARS, f"line {line} is {length:,} characters long, longer than {LINE_CHARS.value:,}",
                      Span(source, line, 1, line, 2))
    # Strings and comments are skipped: only names and numbers count as tokens here.
    pattern = r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|(\w{%d,})' % (TOKEN_CHARS.value + 1)
    for match in re.finditer(pattern, text):
        if match.group(1):
            line, column = source.offset_to_line_col(match.start(1))
            raise _breach(TOKEN_CHARS, f"a name or number of {len(match.group(1)):,} characters, longer than "
                          f"{TOKEN_CHARS.value:,}", Span(source, line, column, line, column + 1))


def check_nesting(source, tree) -> None:
    """Refuse a parse tree nested deeper than NESTING below its item (walked without recursion).

    Depth counts the parse tree's levels under each top-level item: a parenthesis, an operator,
    a call, a branch of `if` or a field of a record type each add one.
    """
    from lark import Tree

    from .spans import Span

    limit = NESTING.value
    for item in getattr(tree, "children", ()):
        stack = [(item, 0)]
        while stack:
            node, depth = stack.pop()
            if depth > limit:
                meta = node.meta
                span = Span(source, meta.line, meta.column, meta.line, meta.column + 1) if not meta.empty \
                    else Span(source, 1, 1, 1, 2)
                raise _breach(NESTING, f"an expression or type nested more than {limit} levels deep", span)
            stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


def limits_markdown() -> str:
    """The "Limits" section of docs/errors.md, generated from `LIMITS` (tests keep them equal)."""
    rows = ["## Limits", "",
            "Each limit is refused with its own code, a one-line reason at the place, and how to raise it.",
            "Set one for a run with `policy --limit NAME=N` (before the command: `policy --limit nesting=200 "
            "check plan.policy`) or with its environment variable.", "",
            "| code | limit | what is counted | default | flag / variable |", "|---|---|---|---|---|"]
    for limit in LIMITS:
        rows.append(f"| {limit.code} | `{limit.name}` | {limit.what} | {limit.default:,} {limit.unit} | "
                    f"`--limit {limit.name}=N` / `{limit.env}` |")
    rows += ["", "Why bounded rather than rewritten without recursion: the parser's LALR automaton and these",
             "checks are iterative; the tree builder, the name resolver, both evaluators, the code generator",
             "and the printers recurse once or a few times per level of an expression and once per definition",
             "used. `nesting` bounds one expression before the tree builder runs; `chain` and `depth` bound",
             "what the later stages descend before the resolver runs (engine/compile/bounds.py), so none of them meets",
             "more than a few hundred levels. tests/test_limits.py runs plans at each limit through `check`,",
             "`explain` (both evaluators), `eval --trace` and `fmt`; the deepest recursion, the reference",
             "evaluator's, still decides at 400 levels, so the defaults keep a margin. Facts files have their",
             "own limits on JSON depth and numbers (the `F` codes)."]
    return "\n".join(rows) + "\n"
