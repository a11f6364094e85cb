"""A diagnostic in the current language, translated where it is rendered.

Call sites build their messages in English from the templates dsl/codes.py catalogues
(tests/test_codes.py holds them to it), so a message can be translated without touching any
call site: match it against its code's templates, recover what filled each `{placeholder}`,
and fill the translated template with the same values. A message that matches no template
(a code added without its catalogue line) is shown as written.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from . import N_, language
from . import gettext as _

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@lru_cache(maxsize=None)
def _pattern(template: str) -> tuple[re.Pattern, tuple[str, ...]]:
    names, parts, last = [], [], 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last:match.start()]))
        parts.append(f"(?P<p{len(names)}>.+?)")
        names.append(match.group())
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts) + r"\Z", re.S), tuple(names)


def fill(template: str, translated: str, text: str, value=lambda v: v) -> str | None:
    """`text`, written from `template`, rewritten from `translated` (each value through `value`);
    None if it does not match."""
    pattern, names = _pattern(template)
    match = pattern.match(text)
    if match is None:
        return None
    values = {name: value(match.group(f"p{i}")) for i, name in enumerate(names)}
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(), m.group()), translated)


def translate_message(code: str, message: str) -> str:
    from dsl.codes import CODES

    entry = CODES.get(code)
    if entry is None:
        return message
    for template in entry.templates:
        # A path prefix (`applicant.level: expected …`) stays in front of the translated message.
        head, sep, rest = message.partition(": ")
        for prefix, body in (("", message), (head + sep, rest)):
            shown = fill(template, _(template), body, phrase) if body else None
            if shown is not None:
                return prefix + shown
    return message


_DID_YOU_MEAN = N_("did you mean {names}?")  # dsl/diagnostics.did_you_mean's wording
# Phrases a call site puts into a placeholder (the solver's W104 `{who}`), translated inside the message.
_PHRASES = (N_("applicants of category `{category}`"), N_("some applicants"),
            # F000's kind of file, and the reasons the system and Python's JSON reader give (F000, F001)
            N_("facts"), N_("population"), N_("no such file or directory"), N_("is a directory"),
            N_("permission denied"), N_("expecting value"), N_("expecting property name enclosed in double quotes"),
            N_("expecting ',' delimiter"), N_("expecting ':' delimiter"), N_("extra data"),
            N_("unterminated string starting at"), N_("invalid control character at"), N_("invalid \\escape"))
# What a call site adds after its code's help line (the solver lints' witnesses).
_HELP_TAILS = (N_("; witness {path}; witness facts: {facts}"), N_("; witness facts: {facts}"))


def translated(text: str, templates) -> str:
    """`text` in the current language when it was written from one of `templates`, else as it is."""
    for template in templates:
        shown = fill(template, _(template), text)
        if shown is not None:
            return shown
    return text


def phrase(value: str) -> str:
    return translated(value, _PHRASES)


def translate_help(code: str, help_text: str | None) -> str | None:
    from dsl.codes import CODES

    if not help_text:
        return help_text
    entry = CODES.get(code)
    if entry is not None and help_text == entry.help:
        return _(entry.help)
    if entry is not None and help_text.startswith(entry.help):  # the code's help, then what this case adds
        tail = help_text[len(entry.help):]
        for template in _HELP_TAILS:
            shown = fill(template, _(template), tail)
            if shown is not None:
                return _(entry.help) + shown
    for template in (_DID_YOU_MEAN,):
        shown = fill(template, _(template), help_text)
        if shown is not None:
            return shown
    translated = _(help_text)
    if translated != help_text:
        return translated
    # A help line the call site wrote for this case: the catalogue's meaning, then the specifics.
    if entry is not None and language() != "en":
        return f"{_(entry.help)}（{help_text}）"
    return help_text


def localize(diagnostic):
    """The diagnostic with its message, help and labels in the current language."""
    if language() == "en":
        return diagnostic
    labels = tuple(replace(label, message=_(label.message)) for label in diagnostic.labels)
    return replace(diagnostic, message=translate_message(diagnostic.code, diagnostic.message),
                   help=translate_help(diagnostic.code, diagnostic.help), labels=labels)
