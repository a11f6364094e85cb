"""`dataclass`, as the standard library's, with the methods it writes compiled once per machine.

A cold `policy explain` defines about a hundred frozen dataclasses (the syntax tree, the IR,
the checked plan) before it decides anything. For each, `dataclasses` writes `__init__`,
`__repr__`, `__eq__`, `__hash__`, `__setattr__` and `__delattr__` as source text and compiles
them: about 0.9 ms a class, 85 ms of a 185 ms start, most of it the compiler. The text depends
only on the class's fields, so its code can be kept: this module runs the real
`dataclasses.dataclass` with its function factory (`_create_fn`) replaced, for the length of
one call, by one that takes the compiled code of a text it has seen from a cache file, and
compiles (and remembers) the rest. The classes are the standard library's own, built by its
own code from the same text; only `compile` is skipped (and a class without a docstring is
given a short one, where dataclasses would have computed its signature for it).

The cache is a marshal file beside the plan cache ($POLICY_CACHE_DIR, else
$XDG_CACHE_HOME/policy, else ~/.cache/policy), one per bytecode version; it is written at exit
when something new was compiled, and is ignored when it cannot be read or written. On a
Python other than 3.11, whose `_create_fn` this mirrors (3.13 and later build
their functions otherwise; 3.12 is not checked), `dataclass` is the standard one, unchanged:
slower to import, never different.
"""
from __future__ import annotations

import dataclasses
import inspect
import marshal
import os
import sys
from types import CodeType

_MISSING = dataclasses.MISSING
_STANDARD = getattr(dataclasses, "_create_fn", None)
# The text below is 3.11's, checked there; another version keeps the standard factory.
_KNOWN = sys.version_info[:2] == (3, 11) and _STANDARD is not None and list(
    inspect.signature(_STANDARD).parameters) == ["name", "args", "body", "globals", "locals", "return_type"]

# Source text -> its code, marshalled: a code object is unmarshalled only when a class needs it
# (the file holds the classes of every command, and a code object costs more to load than bytes).
_codes: dict[str, bytes] | None = None
_added = False


def _cache_file() -> str:
    base = os.environ.get("POLICY_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "policy")
    return os.path.join(base, f"dataclass-code.{sys.implementation.cache_tag}.marshal")


def _load() -> dict[str, bytes]:
    global _codes
    if _codes is None:
        _codes = {}
        try:
            with open(_cache_file(), "rb") as handle:
                found = marshal.load(handle)
            if isinstance(found, dict) and all(type(k) is str and type(v) is bytes for k, v in found.items()):
                _codes = found
        except (OSError, EOFError, ValueError, TypeError):
            pass  # no cache yet, or one of another build: compile as dataclasses would
    return _codes


def _save() -> None:
    path = _cache_file()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        partial = f"{path}.{os.getpid()}.tmp"
        with open(partial, "wb") as handle:
            marshal.dump(_codes, handle)
        os.replace(partial, path)  # whole or not at all, whoever else writes it meanwhile
    except OSError:
        pass


def _create_fn(name, args, body, *, globals=None, locals=None, return_type=_MISSING):
    """dataclasses._create_fn of Python 3.11: the same text, compiled at most once."""
    global _added
    if locals is None:
        locals = {}
    return_annotation = ""
    if return_type is not _MISSING:
        locals["_return_type"] = return_type
        return_annotation = "->_return_type"
    body_text = "\n".join(f"  {b}" for b in body)
    text = (f"def __create_fn__({', '.join(locals.keys())}):\n"
            f" def {name}({','.join(args)}){return_annotation}:\n{body_text}\n return {name}")
    codes = _load()
    kept = codes.get(text)
    code = marshal.loads(kept) if kept is not None else None
    if type(code) is not CodeType:
        code = compile(text, "<string>", "exec")
        codes[text] = marshal.dumps(code)
        if not _added:
            import atexit

            atexit.register(_save)
            _added = True
    namespace: dict = {}
    exec(code, globals, namespace)
    return namespace["__create_fn__"](**locals)


def dataclass(cls=None, /, **options):
    """`dataclasses.dataclass(cls, **options)`, its methods' code taken from the cache."""
    if not _KNOWN:
        return dataclasses.dataclass(cls, **options)

    def wrap(cls):
        if cls.__doc__ is None:  # else dataclasses writes one from inspect.signature: 0.1 ms a class
            cls.__doc__ = f"{cls.__name__}: a frozen record of {cls.__module__}."
        dataclasses._create_fn = _create_fn
        try:
            return dataclasses.dataclass(cls, **options)
        finally:
            dataclasses._create_fn = _STANDARD

    return wrap if cls is None else wrap(cls)
