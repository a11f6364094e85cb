"""`policy lsp` end to end: a real LSP client (pytest-lsp) drives the server over stdio.

The client opens the shipped 菏泽 plan, edits it as a staffer would, and reads what an editor
shows: diagnostics as one types, hover, definition, references, completion, outline,
formatting and the did-you-mean quick fix.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient

from dsl.formatter import format_policy
from dsl.parser import parse_with_lexemes

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "policies" / "heze-2026.policy"
URI = PLAN.as_uri()
TEXT = PLAN.read_text(encoding="utf-8")
LINES = TEXT.splitlines()

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[sys.executable, "-m", "cli", "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(t.InitializeParams(capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
                                                           root_uri=ROOT.as_uri()))
    yield
    await lsp_client.shutdown_session()


def where(text: str, needle: str, nth: int = 0, offset: int = 0) -> t.Position:
    """The LSP position of the nth occurrence of needle (no astral characters in these plans)."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    before = text[:start + offset]
    return t.Position(before.count("\n"), len(before) - (before.rfind("\n") + 1))


version = 1


async def show(client: LanguageClient, text: str) -> list[t.Diagnostic]:
    """Send the whole text as the editor's new content; wait for the diagnostics of it."""
    global version
    version += 1
    if version == 2:
        client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(uri=URI, language_id="policy", version=version, text=text)))
    else:
        client.text_document_did_change(t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(version=version, uri=URI), [t.TextDocumentContentChangeWholeDocument(text=text)]))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics[URI]


async def test_the_shipped_plan_opens_clean(client: LanguageClient):
    diagnostics = await show(client, TEXT)
    assert [d for d in diagnostics if d.severity == t.DiagnosticSeverity.Error] == []


async def test_hover_shows_definition_type_article_and_reading(client: LanguageClient):
    await show(client, TEXT)
    use = where(TEXT, "申请类别 = 住院 and 测算值", offset=len("申请类别 = 住院 and "))
    hover = await client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(URI), use))
    text = hover.contents.value
    assert "**define** `测算值` “基本医保需要千人床位数测算值”" in text
    assert "type: `number`" in text
    assert "未调节的需要千人床位数 × 患者调节系数 × 基金调节系数" in text
    assert "cites **二（一）**" in text and "每千常住人口床位数量目标值（以下简称“目标值”）为7.5张" in text
    assert "*reading:* When 测算值 is neither below both" in text
    # an input: its fact path, type and unit
    months = where(TEXT, "术语解释3 = 基金可支付月数 ÷", offset=len("术语解释3 = "))
    hover = await client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(URI), months))
    assert "`city.fund.months_payable` as `基金可支付月数`" in hover.contents.value
    assert "unit: `month`" in hover.contents.value
    # an article id in a `cites`: the quoted text and the reading
    cite = where(TEXT, "cites 二（一）1", offset=len("cites "))
    hover = await client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(URI), cite))
    assert "以优化存量为主，暂停全市当年度医疗机构新增医保定点的受理和评估" in hover.contents.value
    assert "*reading:* 「暂停全市当年度医疗机构新增医保定点的受理和评估」" in hover.contents.value
    assert "*解读：* 「暂停全市当年度医疗机构新增医保定点的受理和评估」暂停所有医疗机构的新增定点" in hover.contents.value
    # a field of a record input, after an index: its label, type and declaration
    field = where(TEXT, "[所在县区].bed_occupancy", offset=len("[所在县区]."))
    hover = await client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(URI), field))
    assert hover.contents.value.startswith("**field** `bed_occupancy` “床位使用率” of `city.regions`")
    assert "type: `fraction`" in hover.contents.value
    found = await client.text_document_definition_async(t.DefinitionParams(t.TextDocumentIdentifier(URI), field))
    assert LINES[found.range.start.line].startswith("input city.regions : map of { bed_occupancy")
    # an outcome and a kind of rule: what the language means by them
    outcome = where(TEXT, "then paused", offset=len("then "))
    hover = await client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(URI), outcome))
    assert hover.contents.value.startswith("**paused**: new designations are paused")
    kind = where(TEXT, ": gate cites", offset=2)
    hover = await client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(URI), kind))
    assert "concludes `paused`" in hover.contents.value


async def test_definition_and_references(client: LanguageClient):
    await show(client, TEXT)
    use = where(TEXT, "and 测算值 <", offset=len("and "))
    found = await client.text_document_definition_async(t.DefinitionParams(t.TextDocumentIdentifier(URI), use))
    assert LINES[found.range.start.line].startswith("define 测算值")
    refs = await client.text_document_references_async(t.ReferenceParams(
        text_document=t.TextDocumentIdentifier(URI), position=use, context=t.ReferenceContext(include_declaration=False)))
    # every use of the name in the code (not in strings or comments), the declaration apart
    uses = [lx for lx in parse_with_lexemes(TEXT)[1] if lx.type == "NAME" and lx.text == "测算值"]
    assert len(refs) == len(uses) - 1
    assert all(LINES[r.range.start.line][r.range.start.character:r.range.end.character] == "测算值" for r in refs)
    # an enum member written by its label jumps to its code; a zone to its zone; a rule to its rule
    for needle, offset, declared in [("申请类别 = 住院", len("申请类别 = "), "  inpatient"),
                                     ("in 结合实际情况确定", 3, "  结合实际情况确定:"),
                                     ("> 分县区配置", 2, "rule 分县区配置"),
                                     ("cites 二（二）第1句\n  when", len("cites "), "article 二（二）")]:
        found = await client.text_document_definition_async(t.DefinitionParams(
            t.TextDocumentIdentifier(URI), where(TEXT, needle, offset=offset)))
        assert LINES[found.range.start.line].startswith(declared), needle
    refs = await client.text_document_references_async(t.ReferenceParams(
        text_document=t.TextDocumentIdentifier(URI), position=where(TEXT, "article 二（一）2", offset=8),
        context=t.ReferenceContext(include_declaration=True)))
    cited = {LINES[r.range.start.line].split()[0] for r in refs}
    assert cited == {"article", "interpretation", "zones", "define", "rule", "quota", "ranking"}


async def test_an_error_as_one_types_and_its_quick_fix(client: LanguageClient):
    typo = TEXT.replace("and 测算值 < 目标值 and", "and 测算直 < 目标值 and", 1)
    diagnostics = await show(client, typo)
    errors = [d for d in diagnostics if d.severity == t.DiagnosticSeverity.Error]
    assert [(d.code, d.message.splitlines()[0]) for d in errors] == [("C010", "unknown name `测算直`")]
    error = errors[0]
    assert LINES[error.range.start.line][error.range.start.character:error.range.end.character] == "测算值"
    assert "help: did you mean `测算值`" in error.message
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        text_document=t.TextDocumentIdentifier(URI), range=error.range, context=t.CodeActionContext(diagnostics=[error])))
    assert actions and actions[0].title == "replace with `测算值`"
    edit = actions[0].edit.changes[URI][0]
    assert edit.new_text == "测算值" and edit.range == error.range
    # a misspelt field: the fix replaces the field's name, not the path before it
    typo = TEXT.replace("[所在县区].bed_occupancy", "[所在县区].bed_ocupancy", 1)
    (error,) = [d for d in await show(client, typo) if d.severity == t.DiagnosticSeverity.Error]
    assert error.code == "C011"
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        text_document=t.TextDocumentIdentifier(URI), range=error.range, context=t.CodeActionContext(diagnostics=[error])))
    edit = actions[0].edit.changes[URI][0]
    typo_line = typo.splitlines()[edit.range.start.line]
    assert edit.new_text == "bed_occupancy"
    assert typo_line[edit.range.start.character:edit.range.end.character] == "bed_ocupancy"
    # fixed again: the error goes
    diagnostics = await show(client, TEXT)
    assert not [d for d in diagnostics if d.severity == t.DiagnosticSeverity.Error]


async def test_a_burst_of_keystrokes_is_checked_once_as_it_ends(client: LanguageClient):
    global version
    await show(client, TEXT)
    for typed in ("测", "测算", "测算直"):  # typed one after another, no pause
        version += 1
        client.text_document_did_change(t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(version=version, uri=URI),
            [t.TextDocumentContentChangeWholeDocument(text=TEXT.replace("and 测算值 < 目标值 and", f"and {typed} < 目标值 and", 1))]))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    errors = [d.message.splitlines()[0] for d in client.diagnostics[URI] if d.severity == t.DiagnosticSeverity.Error]
    assert errors == ["unknown name `测算直`"]


async def test_a_text_that_does_not_parse_keeps_the_last_index(client: LanguageClient):
    await show(client, TEXT)
    broken = TEXT.replace("rule 分县区配置 : admission cites 二（一）2\n  when", "rule 分县区配置 : admission cites 二（一）2\n  wen", 1)
    diagnostics = await show(client, broken)
    assert [d.code for d in diagnostics] == ["P002"]
    assert diagnostics[0].range.start.line == LINES.index("rule 分县区配置 : admission cites 二（一）2") + 1
    use = where(TEXT, "and 测算值 <", offset=len("and "))
    hover = await client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(URI), use))
    assert "**define** `测算值`" in hover.contents.value


async def test_completion(client: LanguageClient):
    edited = TEXT.replace("define 目标值 \"每千常住人口床位数量目标值\" cites 二（一） = 7.5",
                          "define 目标值 \"每千常住人口床位数量目标值\" cites 二（一） = 7.5\ndefine 新 cites \n", 1)
    await show(client, edited)
    line = edited.splitlines().index("define 新 cites ")

    async def labels(character: int, line: int = line) -> set[str]:
        result = await client.text_document_completion_async(t.CompletionParams(
            t.TextDocumentIdentifier(URI), t.Position(line, character)))
        return {item.label for item in result.items}

    assert {"二（一）", "二（二）", "术语解释1", "结语"} <= await labels(len("define 新 cites "))
    then = edited.splitlines().index('  then exempt "不受本规划限制，可按规定纳入医保定点评估范围"')
    assert {"exempt", "paused", "needs_review", "spacing_conflict"} <= await labels(len("  then "), then)
    when = next(i for i, text in enumerate(edited.splitlines()) if text.startswith("  when 列入省市重点建设项目"))
    names = await labels(len("  when "), when)
    assert {"测算值", "申请类别", "applicant.category", "inpatient", "住院", "结合实际情况确定"} <= names
    rule = edited.splitlines().index("rule 省市重点建设项目 : exemption cites 二（三）2")
    assert await labels(len("rule 省市重点建设项目 : "), rule) == {
        "gate", "exemption", "exclusion", "spacing", "ratio", "admission", "referral", "priority", "qualification",
        "steering"}
    ranked = edited.splitlines().index("           > 省市重点建设项目")
    assert {"分县区配置", "门诊与药店", "优先纳入门诊统筹与慢特病"} <= await labels(len("           > "), ranked)


async def test_outline(client: LanguageClient):
    await show(client, TEXT)
    symbols = await client.text_document_document_symbol_async(t.DocumentSymbolParams(t.TextDocumentIdentifier(URI)))
    by_name = {s.name: s for s in symbols}
    assert by_name["二（一）1"].kind == t.SymbolKind.String
    assert by_name["测算值"].kind == t.SymbolKind.Function
    assert by_name["分县区配置"].kind == t.SymbolKind.Event and by_name["分县区配置"].detail == "admission"
    assert by_name["准入"].kind == t.SymbolKind.Class
    assert [m.name for m in by_name["机构类别"].children][:2] == ["inpatient", "outpatient_pooling"]
    lines = [s.range.start.line for s in symbols]
    assert lines == sorted(lines)


async def test_formatting_is_policy_fmt(client: LanguageClient):
    messy = TEXT.replace("define 基金调节系数 cites 术语解释3 = 基金可支付月数 ÷ 基金安全要求可支付月数",
                         "define   基金调节系数   cites  术语解释3 =  基金可支付月数 ÷ 基金安全要求可支付月数", 1)
    assert messy != TEXT
    await show(client, messy)
    edits = await client.text_document_formatting_async(t.DocumentFormattingParams(
        t.TextDocumentIdentifier(URI), t.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert len(edits) == 1 and edits[0].new_text == format_policy(messy, str(PLAN)) == TEXT
    await show(client, TEXT)
    edits = await client.text_document_formatting_async(t.DocumentFormattingParams(
        t.TextDocumentIdentifier(URI), t.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert list(edits) == []
    # a text that does not parse is left as it is, and the editor is told why
    await show(client, TEXT.replace("then paused", "then", 1))
    edits = await client.text_document_formatting_async(t.DocumentFormattingParams(
        t.TextDocumentIdentifier(URI), t.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert edits is None  # the server told the editor before it answered: the message is in
    assert client.messages[-1].message.startswith("policy fmt: ") and "error[P002]" in client.messages[-1].message


async def test_an_untitled_document_is_checked_without_a_folder(client: LanguageClient):
    uri = "untitled:Untitled-1"
    client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(
        uri=uri, language_id="policy", version=1, text='plan "draft"\n  source "sources/heze-2026.txt"\ndefine x = y\n')))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    codes = {d.code for d in client.diagnostics[uri]}
    assert "C010" in codes and "C051" not in codes  # no folder: the source document is not read


async def test_the_other_shipped_plan_as_one_types(client: LanguageClient):
    plan = ROOT / "policies" / "shenyang-2025-draft.policy"
    uri, text = plan.as_uri(), plan.read_text(encoding="utf-8")
    client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(
        uri=uri, language_id="policy", version=1, text=text)))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert not [d for d in client.diagnostics[uri] if d.severity == t.DiagnosticSeverity.Error]
    wrong = text.replace("cites 三（一）", "cites 三（九）", 1)  # an article the plan does not declare
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        t.VersionedTextDocumentIdentifier(version=2, uri=uri), [t.TextDocumentContentChangeWholeDocument(text=wrong)]))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    errors = [d for d in client.diagnostics[uri] if d.severity == t.DiagnosticSeverity.Error]
    assert [(d.code, d.message.splitlines()[0]) for d in errors] == [("C040", "article `三（九）` is cited but not declared")]
    line = wrong.splitlines()[errors[0].range.start.line]
    assert line[errors[0].range.start.character:errors[0].range.end.character] == "三（九）"


async def test_a_file_opened_half_typed_still_answers(client: LanguageClient):
    """No good index yet: the broken item is left out and the rest of the file answers."""
    uri = (PLAN.parent / "heze-2026-draft.policy").as_uri()  # beside the plan, so its source is found
    broken = TEXT.replace("define 基金调节系数 cites 术语解释3 =", "define 基金调节系数 cites 术语解释3", 1)
    client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(
        uri=uri, language_id="policy", version=1, text=broken)))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert [d.code for d in client.diagnostics[uri]] == ["P002"]
    hover = await client.text_document_hover_async(t.HoverParams(
        t.TextDocumentIdentifier(uri), where(broken, "and 测算值 <", offset=len("and "))))
    assert "**define** `测算值`" in hover.contents.value
