"""The one reader of input files: plans, facts, JSON Lines, context and registries.

Every file a user hands us goes through `read_source` (or `open_lines` for JSON Lines, then
`decode` line by line), and every JSON text through `parse_json`, so a file saved by Notepad
or Excel, a GBK export, a named pipe or a hostile number meets the same rules wherever it is
given:

- only a regular file is opened (or `-`, standard input): a folder, a FIFO, a device or a
  socket is refused before anything reads it, so nothing hangs on a pipe nobody writes to;
- UTF-8 with or without a BOM is accepted, CRLF line ends too (read as LF); anything else is
  refused at the line and column of the first bad byte, with "save as UTF-8", and a file
  that decodes as GBK/GB18030 is named as such;
- JSON: syntax errors at their line and column; an integer of more than 4300 digits (past
  what int() reads), a number too large for a double (1e400) and NaN/Infinity are refused
  with their JSON path, as is a lone surrogate (`"\\ud800"`), which no file can print; nesting deeper than `MAX_DEPTH` is
  refused at the bracket that passes it, so no later stage recurses without bound.

Codes (the first of each pair is the registry's, which had its own reader first):

    R001 / F000 / P000  the file cannot be read (missing, a folder, a special file)
    R002 / F004         the file is not UTF-8 (GBK/GB18030 named when it decodes as such)
    F001                invalid JSON, or not one JSON object
    F005                a JSON number out of range, NaN or Infinity
    F006                JSON nested deeper than MAX_DEPTH
    F007                a lone surrogate in a JSON string
"""
from __future__ import annotations

import json
import math
import os
import re
import stat
import sys
from fractions import Fraction
from typing import Any, BinaryIO, Callable, Iterator

from dsl.diagnostics import Diagnostic, PolicyError
from dsl.spans import Source, Span
from engine.values.numbers import exact

MAX_DEPTH = 64  # a facts file nests 5 deep; far below the interpreter's recursion limit
MAX_DIGITS = 4300  # Python's own limit for int(str): past it int() raises
MAX_EXPONENT = 400  # a decimal's exponent: past a double's range either way, and its exact value costs its digits
MAX_NAME = 4096  # a path longer than this is no file name (PATH_MAX on Linux)
_BOM = b"\xef\xbb\xbf"

# kind -> (cannot read, not UTF-8). Plans share the facts' F004: a plan is text like any other.
_CODES = {"registry": ("R001", "R002"), "plan": ("P000", "F004")}
_DEFAULT_CODES = ("F000", "F004")


class InputError(PolicyError):
    """An input file that cannot be read as what it should be."""


def _codes(what: str) -> tuple[str, str]:
    return _CODES.get(what, _DEFAULT_CODES)


def _cannot(path: str, what: str, reason: str, help: str | None = None) -> InputError:
    shown = _short("<stdin>" if path == "-" else path)
    noun = "registry" if what == "registry" else f"{what} file"
    return InputError([Diagnostic(_codes(what)[0], f"cannot read {noun} `{shown}`: {reason}",
                                  Span(Source(shown, "")), help)])


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def check_name(path: str, what: str) -> None:
    """Refuse a name no file can have (over-long, or holding a NUL) with a clean error."""
    if len(path) > MAX_NAME:
        raise _cannot(path, what, "the name is too long to be a file name",
                      "give the path of a file, or a plan id")
    if "\0" in path:
        raise _cannot(path, what, "the name holds a NUL character")


def require_regular(path: str, what: str) -> None:
    """INVARIANT: nothing opens a path this did not find to be a regular file (opening a FIFO blocks)."""
    check_name(path, what)
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise _cannot(path, what, (error.strerror or str(error)).lower()) from None
    if stat.S_ISDIR(mode):
        raise _cannot(path, what, "is a directory", "give a file, not a folder")
    if not stat.S_ISREG(mode):
        raise _cannot(path, what, "is not a regular file (a pipe, device or socket)",
                      "save the input to a file, or pipe it into `-` (standard input)")


def read_bytes(path: str, what: str = "facts") -> bytes:
    """The bytes of a regular file, or of standard input for `-`."""
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        return stream.read() if stream is not None else sys.stdin.read().encode("utf-8", "surrogatepass")
    require_regular(path, what)
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise _cannot(path, what, (error.strerror or str(error)).lower()) from None


def decode(data: bytes, path: str, what: str = "facts") -> str:
    """UTF-8 text of `data` (BOM dropped, CRLF read as LF). A JSON Lines line is decoded on its
    own, under a `path` that names its line (`pop.jsonl:7`), so a bad byte spoils only it."""
    start = len(_BOM) if data.startswith(_BOM) else 0
    try:
        text = data[start:].decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError([_not_utf8(data, start, error, path, what)]) from None
    return text.replace("\r\n", "\n") if "\r" in text else text


def _not_utf8(data: bytes, start: int, error: UnicodeDecodeError, path: str, what: str) -> Diagnostic:
    at = start + error.start
    line_start = data.rfind(b"\n", 0, at) + 1
    line = data.count(b"\n", 0, at) + 1
    column = len(data[max(line_start, start):at].decode("utf-8", "replace")) + 1
    help_ = "save the file as UTF-8 (with or without BOM)"
    try:
        data[start:].decode("gb18030")
        help_ = "the file looks like GBK/GB18030; " + help_
    except UnicodeDecodeError:
        pass
    source = Source(path, data[start:].decode("utf-8", errors="replace"))  # the snippet can still be drawn
    noun = "registry" if what == "registry" else f"{what} file"
    return Diagnostic(_codes(what)[1], f"{noun} is not valid UTF-8 (byte 0x{data[at]:02x})",
                      Span(source, line, column, line, column + 1), help_)


def read_source(path: str, what: str = "facts") -> Source:
    """A whole input file as text, named as the user gave it (`<stdin>` for `-`)."""
    data = read_bytes(path, what)
    name = "<stdin>" if path == "-" else path
    return Source(name, decode(data, name, what))


class TooLong(bytes):
    """A line longer than the limit `open_lines` was given: only its length is kept."""

    length: int = 0


def bounded_lines(handle, limit: int) -> Iterator[bytes]:
    """The lines of a stream, none read whole beyond `limit` bytes: the rest of a longer one is
    skipped in pieces (and given as a `TooLong`), so a file with no newline at all costs `limit`
    bytes of memory, not its size."""
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n") and len(line) == limit + 1:
            yield line
            continue
        length = len(line)
        while not line.endswith(b"\n"):
            line = handle.readline(1 << 20)
            if not line:
                break
            length += len(line)
        too_long = TooLong(b"")
        too_long.length = length - line.endswith(b"\n")  # the newline is not part of the line
        yield too_long


def open_lines(path: str, what: str = "facts", limit: int | None = None) -> Iterator[bytes]:
    """The raw lines of a JSON Lines file (or standard input), each decoded later by `decode`,
    so one bad line spoils only itself; with `limit`, none longer than `limit` bytes is read whole."""
    if path == "-":
        yield from (bounded_lines(sys.stdin.buffer, limit) if limit else sys.stdin.buffer)
        return
    require_regular(path, what)
    try:
        handle: BinaryIO = open(path, "rb")
    except OSError as error:
        raise _cannot(path, what, (error.strerror or str(error)).lower()) from None
    with handle:
        yield from (bounded_lines(handle, limit) if limit else handle)


# -- JSON -------------------------------------------------------------------------------------


class _Refused:
    """A JSON value the parse hooks would not turn into a number: found and reported after."""

    __slots__ = ("text", "why")
    made = 0  # how many were ever made: a parse that made none needs no search for them

    def __init__(self, text: str, why: str):
        self.text, self.why = text, why
        _Refused.made += 1


# THE place JSON numbers become values: ints as ints, decimals as exact Fractions.
def _read_int(text: str) -> Any:
    if len(text.lstrip("-")) > MAX_DIGITS:
        return _Refused(text, f"an integer of {len(text.lstrip('-'))} digits is too long to hold")
    return int(text)


def _read_float(text: str) -> Any:
    """A JSON number with a point or an exponent, exactly (engine/values/numbers.py): `0.05` is 1/20,
    never the float nearest it. What a double could not hold is refused, and so is an exponent
    past ±400, whose exact value would take a number of that many digits to build."""
    value = float(text)
    if not math.isfinite(value):
        return _Refused(text, f"`{text[:40]}` is too large to hold")
    mantissa, _, exponent = text.lower().partition("e")
    if exponent and abs(int(exponent)) > MAX_EXPONENT:
        return _Refused(text, f"`{text[:40]}` has an exponent beyond ±{MAX_EXPONENT}")
    if len(mantissa) > MAX_DIGITS:
        return _Refused(text, f"a number of {len(mantissa)} digits is too long to hold")
    return exact(text)


def _read_constant(text: str) -> Any:
    return _Refused(text, f"`{text}` is not a number JSON allows")


# The one place JSON numbers become values: every decoder below reads them through these
# hooks (`_read_float` reads decimals exactly). Integers go through C unless one is too
# long for int() (a ValueError): then the checking decoder finds which, with its JSON path.
# NaN and Infinity always meet their hook (C calls it only for them).
_DECODER = json.JSONDecoder(parse_float=_read_float, parse_constant=_read_constant)
_CHECKING = json.JSONDecoder(parse_float=_read_float, parse_constant=_read_constant, parse_int=_read_int)


def json_loads(text: str) -> Any:
    """The one JSON parse of every input (JSONDecodeError for bad syntax); see `parse_json`."""
    try:
        return _DECODER.decode(text)
    except ValueError as error:
        if isinstance(error, json.JSONDecodeError):
            raise
        return _CHECKING.decode(text)


def _read_decimal(text: str) -> Any:
    """`_read_float` for the usual decimal (`41.85888`, no exponent, a few digits): the same
    exact value, built from two ints rather than parsed again; any other text goes to it."""
    if len(text) < 24 and "e" not in text and "E" not in text:
        whole, _, part = text.partition(".")
        return Fraction(int(whole + part), 10 ** len(part))
    return _read_float(text)


def many_loads() -> Callable[[str], Any]:
    """`json_loads` for a run that parses many lines: msgspec where it is installed (three
    times json's speed on a facts line), reading numbers through the same hooks, so an
    accepted line gives the very values json gives. msgspec refuses some text json accepts
    (NaN, a lone surrogate, an integer past 4,300 digits); such a line, and any bad one, is
    parsed again by `json_loads`, which gives the value or the diagnostic it always gave.
    Imported only here: a single `explain` does not pay msgspec's import."""
    try:
        import msgspec
    except ImportError:
        return json_loads
    decode, refused = msgspec.json.Decoder(float_hook=_read_decimal).decode, msgspec.DecodeError

    def loads(text: str) -> Any:
        try:
            return decode(text)
        except refused:
            return json_loads(text)

    return loads


_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _too_deep(text: str) -> int | None:
    """The offset of the first bracket past MAX_DEPTH, if any (strings skipped)."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(JSON path, value) of every value and key, iteratively (depth is bounded before)."""
    stack = [(path, value)]
    while stack:
        where, node = stack.pop()
        yield where, node
        if isinstance(node, dict):
            for key, item in node.items():
                yield where, key
                stack.append((f"{where}.{key}" if where else str(key), item))
        elif isinstance(node, list):
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(node))


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def parse_json(source: Source, what: str = "facts", loads: Callable[[str], Any] = json_loads) -> dict:
    """One JSON object from a Source, or InputError with every problem at its place; `loads` is
    `json_loads` or what `many_loads` gives."""
    text = source.text
    if text.count("{") + text.count("[") > MAX_DEPTH:  # cheap; only then scan for the depth
        deep = _too_deep(text)
        if deep is not None:
            line, column = source.offset_to_line_col(deep)
            raise InputError([Diagnostic("F006", f"the JSON is nested more than {MAX_DEPTH} levels deep",
                                         Span(source, line, column, line, column + 1),
                                         "a facts file nests objects a few levels deep; check the brackets")])
    made = _Refused.made
    try:
        data = loads(text)
    except json.JSONDecodeError as error:
        span = Span(source, error.lineno, error.colno, error.lineno, error.colno + 1)
        raise InputError([Diagnostic("F001", f"invalid JSON: {error.msg.lower()}", span,
                                     "check the brackets, commas and quotes around the place shown")]) from None
    except RecursionError:  # unreachable below MAX_DEPTH; kept so no input can raise it
        raise InputError([Diagnostic("F006", "the JSON is nested too deep", Span(source, 1, 1, 1, 2))]) from None
    problems = []
    if _Refused.made != made or ("\\u" in text and ("\\ud" in text.lower())):

        for path, value in _walk(data):
            if isinstance(value, _Refused):
                problems.append(Diagnostic("F005", value.why,
                                           locate(source, path), "write a plain decimal number such as 120 or 0.05",
                                           path=path or None))
            elif isinstance(value, str) and _has_surrogate(value):
                problems.append(Diagnostic("F007", "a lone surrogate (`\\u` escape of half a "
                                           "character) in a string", locate(source, path),
                                           "write the character itself, or both halves of its \\u escape pair",
                                           path=path or None))
    if problems:
        raise InputError(problems)
    if not isinstance(data, dict):
        raise InputError([Diagnostic("F001", f"a {what} file is one JSON object {{…}}", Span(source, 1, 1, 1, 2))])
    return data


_INDEX = re.compile(r"\[\d+\]")  # a list index in a JSON path; a key may itself be "[" or "[x]"


def locate(source: Source, path: str) -> Span:
    """Best-effort line and column of a JSON path's last key in the file, for the caret."""

    tokens = [t for t in re.split(r"\.|(\[\d+\])", path) if t]
    parts = [t for t in tokens if not _INDEX.fullmatch(t)]
    position, skip = 0, 0
    for token in tokens:  # walk forward key by key: each key is searched after its parent's
        if _INDEX.fullmatch(token):  # the n-th record of a list: its keys come after n others'
            skip = int(token[1:-1])
            continue
        for _ in range(skip + 1):
            found = source.text.find(json.dumps(token, ensure_ascii=False), position)
            if found < 0:
                return Span(source)
            position = found + 1
        position, skip = found, 0
    if not parts:
        return Span(source)
    line, column = source.offset_to_line_col(position)
    width = len(json.dumps(parts[-1], ensure_ascii=False))
    return Span(source, line, column, line, column + width)
