"""The batch's JSON parse (msgspec where installed) gives every line what the one parse of
engine/reading/reader.py gives: the same values of the same types, exact numbers included,
and for any text it refuses, the same diagnostic."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.diagnostics import PolicyError
from dsl.spans import Source
from engine.reading.reader import json_loads, many_loads, parse_json

LOADS = many_loads()


def same_tree(a, b) -> bool:
    """Equal, and of the same types all the way down (1 is not 1.0, nor a Fraction)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_tree(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_tree(x, y) for x, y in zip(a, b))
    if hasattr(a, "text"):  # a refused number: the same text, refused for the same reason
        return (a.text, a.why) == (b.text, b.why)
    return a == b


def outcome(text: str):
    try:
        return "value", parse_json(Source("line.jsonl:1", text), "facts", LOADS)
    except PolicyError as error:
        return "error", [(d.code, d.message, d.span.line, d.span.column, d.path) for d in error.diagnostics]


def reference(text: str):
    try:
        return "value", parse_json(Source("line.jsonl:1", text), "facts")
    except PolicyError as error:
        return "error", [(d.code, d.message, d.span.line, d.span.column, d.path) for d in error.diagnostics]


def assert_same(text: str) -> None:
    mine, theirs = outcome(text), reference(text)
    assert mine[0] == theirs[0], text
    assert same_tree(mine[1], theirs[1]) if mine[0] == "value" else mine[1] == theirs[1], text


NUMBERS = ["0", "-0", "0.0", "-0.0", "1.5", "41.85888", "-123.000100", "1e5", "1E-5", "1.5e+3", "0e0",
           "12345678901234567890.123", "0.1234567890123456789012345", "1e400", "1e-400", "1.7976931348623157e309",
           "5e-324", "9" * 30, "-" + "9" * 30, "7" * 4300, "-" + "7" * 4300, "7" * 4301, "1" * 25 + ".5",
           "NaN", "Infinity", "-Infinity", "01", "1.", ".5", "+1", "-", "1e", "1e+"]


@pytest.mark.parametrize("number", NUMBERS)
def test_every_kind_of_number_reads_the_same(number):
    assert_same('{"a": %s, "b": [%s]}' % (number, number))
    assert_same('{"a": {"b": %s}}' % number)


@pytest.mark.parametrize("text", [
    '{"a": 1, "a": 2, "b": 3}', '{"a": "\\ud800"}', '{"\\ud800": 1}', '{"a": "\\udc00\\ud800"}',
    '{"a": "\\ud83d\\ude00"}', '{"a": "\x01"}', '{"a": "\x7f"}', '\u00a0{}', '\f{}', '{} x', ' {}\n',
    '{"a": "\\u0000 \\/ \\n \\u00e9 é"}', '{"a": tru}', '{"a": 1,}', "{'a': 1}", '[1]', '"x"', "", "   ",
    '{"a": {"b": {"c": [1, {"d": null}]}}}', '{"a": 1}\u2028', '\t{"a":\r1}\n', "[" * 70 + "]" * 70,
    '{"a": ' + "[" * 63 + "]" * 63 + "}", '{"a": "\\x"}', '{"a": "unterminated}',
])
def test_text_json_and_msgspec_might_read_differently_reads_the_same(text):
    assert_same(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.decimals(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12)


def as_json(value, ascii: bool) -> str:
    """JSON text with decimals written as the numbers a facts file holds (json.dumps cannot)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=ascii)}: {as_json(v, ascii)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(as_json(v, ascii) for v in value) + "]"
    return json.dumps(value, ensure_ascii=ascii)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6), st.booleans())
def test_generated_objects_read_the_same(value, ascii):
    assert_same(as_json(value, ascii))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='{}[]":,. -+eE0123456789tfnrulasNIy\\u\n\t ', max_size=40))
def test_generated_near_json_reads_the_same(text):
    assert_same(text)


@settings(max_examples=200, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=None))
def test_decimals_are_exact(number):
    text = '{"x": %s}' % number
    try:
        expected = json_loads(text)
    except ValueError:
        return
    assert same_tree(LOADS(text), expected)
