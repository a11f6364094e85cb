"""A case handler who reads only Chinese can file the document of every shipped example as it is.

Every example under policies/examples (each facts file, each line of a population file, as
render/case_gallery.py finds them) is decided, and its terminal view (`explain --format text`)
and its case document (md, html, doc) are read under `--lang zh`, the `--what-if` part too, for
one example of each outcome. Whatever English word is left (three ASCII letters or more) must be
one the plan itself writes (an input path, an enum or outcome code, a plan id), one the facts
file gives (an id, a name), or a token of the small reviewed list below: a code, a hash, a unit.
A sentence of the product left in English fails, naming the line.
"""
from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

import pytest

import i18n
from tests.conftest import POLICIES, ROOT

# A word: ASCII letters, digits and `_`, with the dots and indexes of a fact path kept together
# (applicant.flags.key_project, city.age_groups[0].insured).
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:(?:\.|\[\d+\]\.?)[A-Za-z0-9_]+)*")
_CODE = re.compile(r"^(?:[A-Z]\d{3}|[0-9a-f]{8,}|sha256|[A-Z]{2,3})$")  # E101, a hash, sha256, UTC, SVG
# The product's own tokens that are no word of English: the engine's name in "policy 0.1.0".
_PRODUCT = {"policy"}
_ENGINE_ROOTS = ("registry", "population")


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.activate("en")


def _outside_strings(source: str) -> str:
    source = re.sub(r'"(?:[^"\\]|\\.)*"', " ", source)
    return re.sub(r"#[^\n]*", " ", source)


@lru_cache(maxsize=1)
def plan_words() -> frozenset[str]:
    """The Latin words the plans write as names and codes (input paths, enum and outcome codes, rule
    and value names), the language's own keywords left out: a rule's kind shown as `gate` is the
    product speaking English, not the plan."""
    from dsl import ast, parse_policy
    from editor import highlight

    keywords = {*highlight.ITEMS, *highlight.CLAUSES, *highlight.PLAN_KEYS, *highlight.TYPES, *highlight.KINDS,
                *highlight.FUNCTIONS}
    found: set[str] = set()
    for path in POLICIES.glob("*.policy"):
        text = path.read_text(encoding="utf-8")
        for token in _WORD.findall(_outside_strings(text)):
            found.update(re.split(r"[.\[\]]+", token))
        policy = parse_policy(text, str(path))
        for header in policy.of_type(ast.PlanHeader):
            for key, value in header.fields:
                if " " not in value:  # an id, a version, a file name: a sentence is a text, below
                    found.update(_WORD.findall(value))
    return frozenset(w for w in found if w and w not in keywords - set(highlight.OUTCOMES))


@lru_cache(maxsize=1)
def plan_texts() -> tuple[str, ...]:
    """Texts the plans write in English, removed before the scan, longest first."""
    from dsl import ast, parse_policy

    found = []
    for path in POLICIES.glob("*.policy"):
        policy = parse_policy(path.read_text(encoding="utf-8"), str(path))
        # A header note the plan writes (its `draft` line), quoted as the plan words it.
        found += [v for header in policy.of_type(ast.PlanHeader) for _k, v in header.fields if " " in v]
    return tuple(sorted((re.sub(r"\s+", " ", t) for t in found), key=len, reverse=True))


def facts_words(case) -> set[str]:
    """Ids, names and codes the facts file gives."""
    found: set[str] = set()

    def walk(value):
        if isinstance(value, dict):
            for k, v in value.items():
                found.update(_WORD.findall(str(k)))
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)
        elif isinstance(value, str):
            found.update(_WORD.findall(value))

    walk(getattr(case, "facts", None) or {})
    return found


def _allowed(token: str, words: set[str]) -> bool:
    if _CODE.match(token) or token in _PRODUCT or token in words:
        return True
    parts = [p for p in re.split(r"[.\[\]]+", token) if p and not p.isdigit()]
    if len(parts) > 1 and parts[0] in _ENGINE_ROOTS:
        return True  # registry.nearest, population.参评机构数: what the engine reads for the plan (FACTS.md)
    return len(parts) > 1 and all(p in words for p in parts)  # a fact path the plan declares


def english_words(text: str, words: set[str]) -> list[str]:
    """The lines of `text` with a word of three letters or more that is neither the plan's, the
    facts file's, nor a code; the plans' own English texts taken out first."""
    text = re.sub(r"[ \t]+", " ", text)
    for quoted in plan_texts():
        text = text.replace(quoted, " ")
    text = re.sub(r"\S+\.(?:json|jsonl|csv|policy|txt)\b", " ", text)  # file names
    text = re.sub(r"--[a-z][a-z-]*", " ", text)  # an option the terminal view names
    found = []
    for line in text.splitlines():
        bad = [t for t in _WORD.findall(line) if re.search(r"[A-Za-z]{3}", t) and not _allowed(t, words)]
        if bad:
            found.append(f"{line.strip()[:160]}   <- {', '.join(bad[:6])}")
    return found


class _Visible(HTMLParser):
    """The text a reader sees on the page: no script, no style, no markup."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible(page: str) -> str:
    reader = _Visible()
    reader.feed(page)
    return "\n".join(reader.parts)


@lru_cache(maxsize=1)
def examples() -> tuple:
    """(where, Explanation, Case, what-if record or None) of every shipped example; the what-if
    (the solver, slow) for the first example of each decision and outcome."""
    from commands.explain_files import what_if_record
    from render.case_gallery import decided_examples

    i18n.activate("en")
    found, seen = [], set()
    for outcome, decision, where, result, case in decided_examples():
        extra = None
        if (decision, outcome) not in seen:
            seen.add((decision, outcome))
            extra = what_if_record(case, result)
        found.append((str(where), result, case, extra))
    return tuple(found)


def documents(lang: str):
    """(where, format, text) of every example's views in `lang`."""
    from render import explanation_to_text
    from render.case_formats import case_document
    from render.whatif_view import what_if_to_text

    decided = examples()  # decided first: deciding speaks English
    i18n.activate(lang)
    for where, result, case, extra in decided:
        text = explanation_to_text(result, 5000, color=False, case=case)  # no wrapping: a quoted text stays whole
        yield where, "text", text + (what_if_to_text(extra) if extra is not None else "")
        yield where, "md", case_document(result, case, "md", what_if=extra)
        yield where, "html", visible(case_document(result, case, "html", what_if=extra))
        yield where, "doc", case_document(result, case, "doc", 5000, what_if=extra)


def test_examples_are_found_by_deciding_the_shipped_files():
    # Every facts file of policies/examples is among them, and the 年度考核 lines too: the scan
    # below is only as good as what it reads.
    where = {w for w, *_ in examples()}
    files = {str(p.relative_to(ROOT)) for p in (ROOT / "policies" / "examples").rglob("[0-9]*.json")}
    assert files <= where
    assert any(".jsonl:" in w for w in where)
    assert any(extra is not None and extra["targets"] for *_, extra in examples())


def test_every_example_reads_in_chinese_under_lang_zh():
    left = []
    for where, fmt, text in documents("zh"):
        case = next(c for w, _r, c, _e in examples() if w == where)
        left += [f"{where} ({fmt}): {line}" for line in english_words(text, plan_words() | facts_words(case))]
    assert not left, f"{len(left)} lines still say English under --lang zh:\n" + "\n".join(left[:40])


def test_the_scan_finds_an_english_sentence_and_keeps_codes():
    words = set(plan_words())
    assert english_words("结论 eligible（可以纳入）· 规则 E101 · sha256 a74859e7ce88d57d · 读取 applicant.category = 否",
                         words) == []
    assert english_words("结论：the plan says nothing", words)
    assert english_words("· 不予纳入 (exclusion, 三（五）) 不适用", words), "a rule's kind is the product's word"


_PUNCTUATION = "（），：；、。“”「」《》【】"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff（），：；、。“”「」《》【】]+")


def test_every_example_reads_without_product_chinese_under_lang_en():
    # An English document quotes the plan in its language (articles, labels, names, readings) and
    # the names the facts and the registry give: what is left once those are taken out is English.
    # The quoted texts run on across the plan's string literals and lines, so they are read as one
    # run of their Chinese.
    sources = [*POLICIES.glob("*.policy"), *(POLICIES / "sources").glob("*.txt"),
               *(POLICIES / "examples").rglob("*.json*"), *(POLICIES / "examples").rglob("*.csv")]
    quoted = "".join(_CJK.findall("".join(p.read_text(encoding="utf-8") for p in sources)))
    left = []
    for where, fmt, text in documents("en"):
        for line in text.splitlines():
            pieces = product_chinese(line, quoted)
            if pieces:
                left.append(f"{where} ({fmt}): {line.strip()[:160]}   <- {', '.join(pieces[:4])}")
    assert not left, f"{len(left)} lines hold Chinese the plan does not write, under --lang en:\n" + "\n".join(left[:40])


def product_chinese(line: str, quoted: str) -> list[str]:
    """The runs of Chinese in `line` that are no part of `quoted` (the plans' and examples' texts)."""
    return [p for p in _CJK.findall(line) if p.strip(_PUNCTUATION) and p.strip(_PUNCTUATION) not in quoted]


def test_the_english_scan_finds_product_chinese_and_keeps_quotes():
    quoted = "新增零售药店距离同类机构800米以上"
    assert product_chinese("category: 零售药店 (pharmacy); article “新增零售药店”", quoted) == []
    assert product_chinese("outcome: 可以纳入 (eligible)", quoted) == ["可以纳入"]
