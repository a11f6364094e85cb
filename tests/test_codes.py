"""The catalogue of diagnostic codes (dsl/codes.py) against the source that raises them,
its examples against what the product says, and docs/errors.md against the catalogue."""
from __future__ import annotations

import ast
import re

import pytest
from click.testing import CliRunner

from cli import main
from commands.errors import catalogue_markdown, example_diagnostics, run_cli
from dsl.codes import CODES, PREFIXES
from tests.conftest import ROOT

CODE = re.compile(r"^[A-Z]\d{3}$")
SOURCE_FILES = sorted(p for folder in ("dsl", "engine", "render", "commands") for p in (ROOT / folder).rglob("*.py")
                      if p != ROOT / "dsl" / "codes.py") + [ROOT / "cli.py"]


def _skeleton(text: str) -> str:
    """A message with every `{…}` (an f-string part, or a template's placeholder) as `{}`."""
    return re.sub(r"\{[^{}]*\}", "{}", text)


def _literal(node: ast.expr) -> str | None:
    """The text of a message argument with its f-string parts as `{}`; None when it is computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        return None if left is None or right is None else left + right
    return None


def raised_codes() -> list[tuple[str, str | None, str]]:
    """(code, message skeleton or None, place) for every place the source names a code."""
    found = []
    for path in SOURCE_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = set()
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):  # Diagnostic(code, message, …), self.error(code, message, …)
                args = {**dict(enumerate(node.args)), **{k.arg: k.value for k in node.keywords}}
                code, message = args.get(0, args.get("code")), args.get(1, args.get("message"))
                if isinstance(code, ast.Constant) and isinstance(code.value, str) and CODE.match(code.value):
                    calls.add(id(code))
                    found.append((code.value, _literal(message) if message is not None else None, where))
            elif isinstance(node, ast.Dict):  # a batch error object written out: {"code": …, "message": …}
                pairs = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant)}
                code = pairs.get("code")
                if isinstance(code, ast.Constant) and isinstance(code.value, str) and CODE.match(code.value):
                    calls.add(id(code))
                    found.append((code.value, _literal(pairs["message"]) if "message" in pairs else None, where))
        for node in ast.walk(tree):  # any other mention (`d.code == "C054"`) must be a catalogued code too
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value)
                    and id(node) not in calls):
                found.append((node.value, None, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return found


RAISED = raised_codes()


def test_the_scan_sees_the_codes_it_should():
    # The scanner must find codes raised every way the source raises them, or the tests below prove nothing.
    codes = {code for code, _, _ in RAISED}
    assert {"P002", "C001", "C088", "W001", "F002", "R007", "E003", "X000", "O001", "T002", "A002"} <= codes
    assert any(code == "C023" and message for code, message, _ in RAISED)


def test_every_code_the_source_raises_is_catalogued():
    missing = sorted({f"{code} ({where})" for code, _, where in RAISED if code not in CODES})
    assert missing == [], "add each to dsl/codes.py: " + ", ".join(missing)


def test_every_catalogued_code_is_raised_somewhere():
    raised = {code for code, _, _ in RAISED}
    assert sorted(set(CODES) - raised) == []


@pytest.mark.parametrize("code, message, where", [r for r in RAISED if r[1] is not None], ids=lambda v: str(v)[:40])
def test_each_place_raises_its_code_with_the_catalogued_meaning(code, message, where):
    # One meaning per code: a message other than the catalogued one is a new problem, so a new code.
    if code not in CODES:
        pytest.skip("not catalogued: the test above fails")
    templates = {_skeleton(t) for t in CODES[code].templates}
    assert _skeleton(message) in templates, f"{where}: {code} says {message!r}; the catalogue: {sorted(templates)}"


def test_the_split_codes_have_one_message_each():
    messages: dict[str, set[str]] = {}
    for code, message, _ in RAISED:
        if message is not None:
            messages.setdefault(code, set()).add(_skeleton(message))
    for code in ("C002", "C008", "C013", "C023", "C034", "C080", "C081", "C082", "C083", "C084", "C085", "C086",
                 "C087"):
        assert len(messages[code]) == 1, (code, messages[code])


def test_entries_are_complete():
    for key, code in CODES.items():
        assert key == code.code and CODE.match(code.code), code.code
        assert code.prefix in PREFIXES, f"{code.code}: say what the prefix `{code.prefix}` is for in PREFIXES"
        assert code.message and code.help, code.code
        assert not code.message.endswith(".") and (code.message[0].islower() or not code.message[0].isalpha()), code.code
        assert code.how in ("check", "file", "fmt", "facts", "registry", "cli", ""), code.code


@pytest.mark.parametrize("code", [c for c in CODES.values() if c.example and c.how == "cli"], ids=lambda c: c.code)
def test_each_command_example_gives_its_code(code):
    exit_code, output = run_cli(code)
    assert f"error[{code.code}]" in output and exit_code in (1, 2), output
    assert "Traceback" not in output


@pytest.mark.parametrize("code", [c for c in CODES.values() if c.example and c.how not in ("", "cli")],
                         ids=lambda c: c.code)
def test_each_example_gives_its_code(code):
    found = example_diagnostics(code)
    assert code.code in {d.code for d in found}, [d.headline() for d in found]
    first = next(d for d in found if d.code == code.code)
    assert first.severity == code.severity
    templates = {_skeleton(t) for t in code.templates}
    if code.code != "F002":  # its wording comes from the JSON reader (pydantic)
        assert _skeleton(first.message) in templates or any(
            re.fullmatch(re.escape(t).replace(r"\{\}", ".*"), first.message) for t in templates), first.message


def test_docs_errors_md_is_the_generated_catalogue():
    committed = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert committed == catalogue_markdown(), "regenerate it: policy errors > docs/errors.md"


def test_policy_errors_explains_one_code():
    result = CliRunner().invoke(main, ["errors", "c088"])
    assert result.exit_code == 0
    assert result.output.startswith("### C088\n\n> decision `{name}` gives `{clause}` twice\n")
    assert "error[C088]: decision `其他` gives `otherwise` twice" in result.output


def test_policy_errors_refuses_an_unknown_code():
    result = CliRunner().invoke(main, ["errors", "C99"])
    assert result.exit_code == 2 and "unknown code `C99`" in result.output and "did you mean" in result.output
