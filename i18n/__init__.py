"""The product's two languages: every message it prints, in English and in Chinese.

Messages are written in English in the code (`_("…")`) and translated in a gettext catalogue,
`i18n/locale/zh/LC_MESSAGES/policy.po`, compiled to `policy.mo` with Babel
(`pybabel compile -d i18n/locale -D policy`; tests/test_i18n.py fails when the two differ or
when a message has no translation). Reading the compiled catalogue needs only the standard
library's `gettext`, so no command pays for Babel at run time.

The language is `--lang zh|en` (the global option), else `POLICY_LANG`, else the locale
(`LC_ALL`, `LC_MESSAGES`, `LANG`, as gettext looks them up): `zh…` is Chinese, anything else
English. Error codes, outcome codes and JSON keys are the same in both languages.
"""
from __future__ import annotations

import gettext as _gettext
import os
from pathlib import Path

LANGUAGES = ("zh", "en")
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "policy"

_state: dict[str, object] = {"lang": None, "catalogue": None}


def from_environment(environ=os.environ) -> str:
    """The language the environment asks for: POLICY_LANG, then the locale variables."""
    wanted = environ.get("POLICY_LANG", "").strip().lower()
    if wanted:
        return "zh" if wanted.startswith("zh") else "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:  # the first one set wins, as gettext and the C library decide
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def from_argv(argv: list[str], environ=os.environ) -> str:
    """`--lang X` or `--lang=X` among the arguments, else the environment's language.

    Read before click parses the command line, so `--help` texts are already translated."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return normalise(argv[i + 1])
        if arg.startswith("--lang="):
            return normalise(arg.split("=", 1)[1])
    return from_environment(environ)


def normalise(lang: str) -> str:
    return "zh" if lang.strip().lower().startswith("zh") else "en"


def activate(lang: str) -> None:
    lang = normalise(lang)
    if lang == "en":  # the messages are English: no catalogue, the identity
        catalogue = _gettext.NullTranslations()
    else:
        catalogue = _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    _state["lang"], _state["catalogue"] = lang, catalogue
    # click translates its own words with gettext.gettext in the global domain (i18n/click_messages.py).
    _gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    _gettext.textdomain(DOMAIN if lang != "en" else "messages")
    os.environ["LANGUAGE"] = lang  # the one language the global lookup is to use, in this process


def language() -> str:
    if _state["lang"] is None:
        activate(from_environment())
    return _state["lang"]  # type: ignore[return-value]


def _(message: str) -> str:
    """The message in the current language (English when it has no translation)."""
    if _state["catalogue"] is None:
        activate(from_environment())
    return _state["catalogue"].gettext(message)  # type: ignore[union-attr]


def N_(message: str) -> str:
    """Marks a message for the catalogue without translating it yet (translated where shown)."""
    return message


gettext = _

