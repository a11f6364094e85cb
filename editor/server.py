"""`policy lsp`: the language server (pygls, over stdio).

Each open document is indexed (editor/index.py) when it opens and when typing pauses; every
answer (hover, definition, references, completion, outline, code actions) is a look-up in
the last good index. A text that does not parse reports its syntax error and is indexed
with the broken item blanked, if that parses; else the last good index stays. Diagnostics are those of `policy check`: the same codes and
messages, the help line and labels alongside, the did-you-mean names in `data` so that a code
action can offer each as a replacement. Formatting is `policy fmt` (dsl/formatter.py).

LSP counts columns in UTF-16 code units, spans in characters; `_pos` and `_place` convert.
"""
from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote, urlparse

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer

from dsl.diagnostics import Diagnostic, PolicyError
from dsl.spans import Span

from .describe import OUTCOME_MEANINGS, describe
from .index import Key, ParseFailed, PlanIndex, build_index

_SUGGESTION = re.compile(r"did you mean (.*)\?")
_KINDS = ("gate", "exemption", "exclusion", "spacing", "ratio", "admission", "referral", "priority", "qualification",
          "steering")


def uri_to_path(uri: str) -> str:
    """A file's path; any other document (`untitled:`) a `<…>` name, which has no folder, so the
    checker reads no source document for it (a policy reads nothing outside its own folder)."""
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else f"<{uri}>"


def suggestions(diagnostic: Diagnostic) -> list[str]:
    """The names a did-you-mean hint offers, in its order."""
    match = _SUGGESTION.search(diagnostic.help or "")
    return re.findall(r"`([^`]+)`", match.group(1)) if match else []


# ---- positions ------------------------------------------------------------------------------


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _pos(lines: list[str], line: int, column: int) -> t.Position:
    """1-based line and character column -> LSP position."""
    if line < 1:
        return t.Position(0, 0)
    text = lines[line - 1] if line - 1 < len(lines) else ""
    return t.Position(line - 1, _utf16(text[: max(column - 1, 0)]))


def _range(lines: list[str], span: Span) -> t.Range:
    start = _pos(lines, span.line, span.column)
    if span.end_line and (span.end_line, span.end_column) > (span.line, span.column):
        return t.Range(start, _pos(lines, span.end_line, span.end_column))
    return t.Range(start, t.Position(start.line, start.character + 1))


def _place(lines: list[str], position: t.Position) -> tuple[int, int]:
    """LSP position -> 1-based line and character column."""
    text = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for i, ch in enumerate(text):
        if units >= position.character:
            return position.line + 1, i + 1
        units += _utf16(ch)
    return position.line + 1, len(text) + 1


# ---- the server -----------------------------------------------------------------------------


class PolicyServer(LanguageServer):
    def __init__(self):
        super().__init__("policy-lsp", "0.1.0", text_document_sync_kind=t.TextDocumentSyncKind.Full)
        self.indexes: dict[str, PlanIndex] = {}  # uri -> last good index
        self.latest: dict[str, int] = {}  # uri -> the version being typed, so a stale check is dropped
        # One checker thread: checks run one at a time, in the order the texts came.
        self.checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policy-check")

    async def refresh(self, uri: str, wait: float = 0.0) -> None:
        """Check the document and publish its diagnostics; while typing, once per pause.

        The check runs in a worker thread, so hovers and the rest keep answering (from the
        last index) while a big plan is checked; a result older than the text is dropped.
        """
        document = self.workspace.get_text_document(uri)
        version = document.version or 0
        self.latest[uri] = version
        if wait:
            await asyncio.sleep(wait)
            if self.latest.get(uri) != version:
                return  # typed again meanwhile: that change checks
        text = document.source
        index, diagnostics = await asyncio.get_running_loop().run_in_executor(self.checks, _analyse, uri, text)
        if self.latest.get(uri) != version:
            return
        if index is not None:
            self.indexes[uri] = index
        path = uri_to_path(uri)
        lines = text.splitlines()
        shown = [to_lsp(uri, lines, d) for d in diagnostics if d.span.path in (path, "<unknown>") or not d.span.line]
        self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri, shown, version))

    def lookup(self, uri: str, position: t.Position):
        index = self.indexes.get(uri)
        if index is None:
            return None, None, []
        line, column = _place(index.lines, position)
        return index, index.at(line, column), index.lines


_RECOVERY_TRIES = 3
_ITEM_START = re.compile(r"(plan|article|interpretation|enum|zones|set|registry|input|define|rule|decision)\b")


def _analyse(uri: str, text: str) -> tuple[PlanIndex | None, tuple[Diagnostic, ...]]:
    """The index and diagnostics of a text. For a text that does not parse: its syntax error,
    and the index of the text with the broken items blanked (up to three) if that parses, so a
    half-typed item leaves the rest of the file answering; else no index."""
    path = uri_to_path(uri)
    try:
        index = build_index(text, path)
    except ParseFailed as failed:
        syntax_error = failed.diagnostics
    else:
        return index, index.diagnostics
    lines = text.split("\n")
    problem = syntax_error
    for _ in range(_RECOVERY_TRIES):
        span = problem[0].span if problem else None
        if span is None or not 0 < span.line <= len(lines):
            break
        _blank_item(lines, span.line, span.column)
        try:
            return build_index("\n".join(lines), path), syntax_error
        except ParseFailed as again:
            problem = again.diagnostics
    return None, syntax_error


def _blank_item(lines: list[str], line: int, column: int) -> None:
    """Blank the item a syntax error is in (the one before, when the error is the next item's
    keyword: that item was left unfinished); the other lines keep their places."""
    starts = [i for i, text in enumerate(lines, 1) if _ITEM_START.match(text)]
    before = [s for s in starts if s < line or (s == line and column > 1)]
    first = before[-1] if before else 1
    last = next((s for s in starts if s > first), len(lines) + 1) - 1
    for i in range(first, last + 1):
        lines[i - 1] = ""


def to_lsp(uri: str, lines: list[str], d: Diagnostic) -> t.Diagnostic:
    message = d.message + (f"\nhelp: {d.help}" if d.help else "")
    related = [t.DiagnosticRelatedInformation(t.Location(uri, _range(lines, label.span)), label.message)
               for label in d.labels] or None
    offered = suggestions(d)
    return t.Diagnostic(
        range=_range(lines, d.span), message=message, code=d.code, source="policy",
        severity=t.DiagnosticSeverity.Error if d.severity == "error" else t.DiagnosticSeverity.Warning,
        related_information=related, data={"suggestions": offered} if offered else None,
    )


server = PolicyServer()


TYPING_PAUSE = 0.2  # seconds without a change before a check: a burst of keystrokes checks once


@server.feature(t.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: PolicyServer, params: t.DidOpenTextDocumentParams) -> None:
    await ls.refresh(params.text_document.uri)


@server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: PolicyServer, params: t.DidChangeTextDocumentParams) -> None:
    await ls.refresh(params.text_document.uri, TYPING_PAUSE)


@server.feature(t.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: PolicyServer, params: t.DidSaveTextDocumentParams) -> None:
    await ls.refresh(params.text_document.uri)  # the source document beside it may have changed too


@server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: PolicyServer, params: t.DidCloseTextDocumentParams) -> None:
    ls.indexes.pop(params.text_document.uri, None)
    ls.latest.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(params.text_document.uri, []))


@server.feature(t.TEXT_DOCUMENT_HOVER)
def hover(ls: PolicyServer, params: t.HoverParams) -> t.Hover | None:
    index, found, lines = ls.lookup(params.text_document.uri, params.position)
    if found is None:
        return None
    text = describe(index, found.key)
    if text is None:
        return None
    return t.Hover(t.MarkupContent(t.MarkupKind.Markdown, text), _range(lines, found.span))


def _location(uri: str, lines: list[str], span: Span) -> t.Location:
    return t.Location(uri, _range(lines, span))


@server.feature(t.TEXT_DOCUMENT_DEFINITION)
def definition(ls: PolicyServer, params: t.DefinitionParams) -> t.Location | None:
    index, found, lines = ls.lookup(params.text_document.uri, params.position)
    symbol = index.symbols.get(found.key) if found else None
    return _location(params.text_document.uri, lines, symbol.span) if symbol else None


@server.feature(t.TEXT_DOCUMENT_REFERENCES)
def references(ls: PolicyServer, params: t.ReferenceParams) -> list[t.Location]:
    index, found, lines = ls.lookup(params.text_document.uri, params.position)
    if found is None:
        return []
    keep = params.context.include_declaration
    return [_location(params.text_document.uri, lines, o.span) for o in index.references(found.key)
            if keep or not o.declaration]


# ---- completion -----------------------------------------------------------------------------

_AFTER = [  # what the text before the cursor, on its line, asks for
    (re.compile(r"(\bcites\s+|\binterpretation\s+|\barticle\s+|,\s*)[^\s,]*$"), "articles"),
    (re.compile(r"\b(then|otherwise)\s+\w*$"), "outcomes"),
    (re.compile(r"^\s*rule\s+\S+\s*:\s*\w*$"), "kinds"),
    (re.compile(r"(\bprecedence\s+|>\s*|\bnotes\s+)\w*$"), "rules"),
]


def _items_for(index: PlanIndex, want: str, line_text: str) -> list[t.CompletionItem]:
    K = t.CompletionItemKind
    c = index.checker
    if want == "articles" and ("cites" in line_text or "interpretation" in line_text or "article" in line_text):
        return [t.CompletionItem(a.id, kind=K.Reference, detail=a.status, documentation=a.text)
                for a in c.articles.values()]
    if want == "outcomes":
        return [t.CompletionItem(o, kind=K.EnumMember, detail=meaning) for o, meaning in OUTCOME_MEANINGS.items()]
    if want == "kinds":
        return [t.CompletionItem(k, kind=K.Keyword) for k in _KINDS]
    if want == "rules":
        return [t.CompletionItem(r, kind=K.Event, detail=a.kind) for r, a in c.rule_asts.items()]
    return []


def _names(index: PlanIndex) -> list[t.CompletionItem]:
    K = t.CompletionItemKind
    c = index.checker
    items = [t.CompletionItem(n, kind=K.Function, detail="define" + (f" {d.label}" if d.label else ""))
             for n, d in c.define_asts.items()]
    for dotted, info in c.inputs.items():
        items.append(t.CompletionItem(dotted, kind=K.Field, detail="input " + info.type.describe()))
        if info.alias:
            items.append(t.CompletionItem(info.alias, kind=K.Variable, detail=f"input {dotted}"))
    for enum in c.enums.values():
        for code, label in enum.members:
            items.append(t.CompletionItem(code, kind=K.EnumMember, detail=f"{enum.name}" + (f" {label}" if label else "")))
            if label:
                items.append(t.CompletionItem(label, kind=K.EnumMember, detail=f"{enum.name} {code}"))
    items += [t.CompletionItem(n, kind=K.Enum, detail="enum") for n in c.enums]
    items += [t.CompletionItem(o, kind=K.Constant, detail=m) for o, m in OUTCOME_MEANINGS.items()]
    return items


@server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=[" ", ".", ">", ","]))
def completion(ls: PolicyServer, params: t.CompletionParams) -> t.CompletionList:
    index = ls.indexes.get(params.text_document.uri)
    if index is None:
        return t.CompletionList(False, [])
    document = ls.workspace.get_text_document(params.text_document.uri)
    lines = document.source.splitlines()
    line, column = _place(lines, params.position)
    before = (lines[line - 1] if line - 1 < len(lines) else "")[: column - 1]
    for pattern, want in _AFTER:
        if pattern.search(before):
            items = _items_for(index, want, before)
            if items:
                return t.CompletionList(False, items)
    return t.CompletionList(False, _names(index))


# ---- outline, formatting, code actions ------------------------------------------------------


@server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def outline(ls: PolicyServer, params: t.DocumentSymbolParams) -> list[t.DocumentSymbol]:
    index = ls.indexes.get(params.text_document.uri)
    if index is None:
        return []
    lines = index.lines
    S = t.SymbolKind
    kinds = {"article": S.String, "define": S.Function, "rule": S.Event, "decision": S.Class, "enum": S.Enum,
             "input": S.Field, "registry": S.Module}
    out = []
    for symbol in index.symbols.values():
        kind = symbol.key[0]
        if kind not in kinds:
            continue
        item = symbol.item
        whole = _range(lines, item.span)
        detail = {"article": getattr(item, "status", None), "rule": getattr(item, "kind", None),
                  "define": getattr(item, "label", None), "decision": getattr(item, "label", None)}.get(kind)
        children = None
        if kind == "enum":
            children = [t.DocumentSymbol(m.name, S.EnumMember, _range(lines, m.span), _range(lines, m.span))
                        for m in index.symbols.values() if m.key[0] == "member" and m.key[1] == symbol.key[1]]
        out.append(t.DocumentSymbol(symbol.name, kinds[kind], whole, _range(lines, symbol.span), detail=detail or None,
                                    children=children or None))
    out.sort(key=lambda s: (s.range.start.line, s.range.start.character))
    return out


@server.feature(t.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: PolicyServer, params: t.DocumentFormattingParams) -> list[t.TextEdit] | None:
    from dsl.formatter import format_policy

    document = ls.workspace.get_text_document(params.text_document.uri)
    text = document.source
    try:
        formatted = format_policy(text, uri_to_path(params.text_document.uri))
    except PolicyError as error:
        first = error.diagnostics[0] if error.diagnostics else None
        ls.window_show_message(t.ShowMessageParams(t.MessageType.Warning, "policy fmt: " + (
            first.headline() if first else "the formatter refused")))
        return None
    if formatted == text:
        return []
    lines = text.splitlines()
    end = t.Position(len(lines), 0)
    return [t.TextEdit(t.Range(t.Position(0, 0), end), formatted)]


@server.feature(t.TEXT_DOCUMENT_CODE_ACTION, t.CodeActionOptions(code_action_kinds=[t.CodeActionKind.QuickFix]))
def code_action(ls: PolicyServer, params: t.CodeActionParams) -> list[t.CodeAction]:
    document = ls.workspace.get_text_document(params.text_document.uri)
    lines = document.source.splitlines()
    actions = []
    for diagnostic in params.context.diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        for name in data.get("suggestions", ()):
            target = _replaced(lines, diagnostic.range, name)
            edit = t.WorkspaceEdit(changes={params.text_document.uri: [t.TextEdit(target, name)]})
            actions.append(t.CodeAction(f"replace with `{name}`", kind=t.CodeActionKind.QuickFix,
                                        diagnostics=[diagnostic], edit=edit, is_preferred=len(actions) == 0))
    return actions


def _replaced(lines: list[str], where: t.Range, name: str) -> t.Range:
    """The part of a diagnostic's range a suggestion replaces: a field's name alone, not its record's."""
    if where.start.line != where.end.line or "." in name:
        return where
    text = lines[where.start.line] if where.start.line < len(lines) else ""
    start, end = _place(lines, where.start)[1] - 1, _place(lines, where.end)[1] - 1
    written = text[start:end]
    if "." not in written:
        return where
    cut = start + written.rindex(".") + 1
    return t.Range(_pos(lines, where.start.line + 1, cut + 1), where.end)


def main() -> None:
    server.start_io()


__all__ = ["Key", "PolicyServer", "main", "server", "suggestions", "to_lsp"]
