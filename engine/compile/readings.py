"""A reading the plan takes of an article (`interpretation ID "…" zh "…"`), in both languages.

The English text is the reading's identity: JSON records, `policy diff` and the trace keep it
as they always have; the Chinese text, when the plan gives one, is what a `--lang zh` view
shows. A reading without one is shown in English in every language (never nothing), and
`policy check` warns of it (W007).
"""
from __future__ import annotations

from dsl.dataclass_cache import dataclass


@dataclass(frozen=True, slots=True)
class Reading:
    text: str  # English
    zh: str | None = None  # Chinese, when the plan gives it

    def in_language(self, lang: str) -> str:
        """The text a view in `lang` shows: the Chinese one in zh when there is one, else English."""
        return self.zh if lang == "zh" and self.zh else self.text
