"""What a reader wants to know about a symbol, as Markdown: the hover text of the language server.

A definition shows its label, type, unit and formula; an input its fact path, alias, type and
unit; a rule its kind, condition and conclusion; every symbol that cites articles shows each
article's quoted text and the reading (`interpretation`) the plan records for it. Nothing
here knows pygls, so `policy doc` and tests can use it as they are.
"""
from __future__ import annotations

from dsl import ast
from dsl.clauses import split_clause
from dsl.printer import expr_text

from engine.compile.clauses import sentence_of

from .index import Key, PlanIndex

KIND_MEANINGS = {
    "gate": "pauses new designations while it holds",
    "exemption": "puts the applicant outside the plan's limits",
    "exclusion": "refuses an applicant that misses a condition",
    "spacing": "refuses an applicant too near a designated institution of the same type",
    "ratio": "admits with a share of the released quota",
    "admission": "admits",
    "referral": "sends the case to a person or a higher bureau",
    "priority": "marks a priority; never decides",
    "qualification": "decides a qualification other than admission (qualified or not)",
    "steering": "notes what the plan means to shrink or grow; never decides",
}

OUTCOME_MEANINGS = {
    "eligible": "may be admitted (with the admit share and any priority)",
    "exempt": "outside the plan's limits",
    "paused": "new designations are paused",
    "excluded": "not admitted: a condition of the level is not met",
    "spacing_conflict": "a designated institution of the same type is too near",
    "needs_approval": "the plan sends the case to a higher bureau for approval",
    "needs_review": "the plan leaves it to a person: no answer is invented",
    "priority": "annotates an eligible applicant; never decides",
    "qualified": "meets every criterion of the qualification",
    "not_qualified": "fails a criterion of the qualification",
    "shrink": "the plan means to reduce institutions of this kind here; a note, never an outcome",
    "grow": "the plan means to add institutions of this kind here; a note, never an outcome",
}


def type_and_unit(type_) -> tuple[str, str | None]:
    """A type as the checker describes it, and its unit apart (None when it has none)."""
    from engine.compile.types import NumT, unit_text

    if type_ is None:
        return "unknown (it did not check)", None
    if isinstance(type_, NumT):
        unit = unit_text(type_.unit) or None
        return ("fraction" if type_.display == "fraction" and not unit else "number"), unit
    return type_.describe(), None


def _type_lines(type_) -> list[str]:
    described, unit = type_and_unit(type_)
    return [f"type: `{described}`" + (f", unit: `{unit}`" if unit else "")]


def _quote_block(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines() or [""])


def article_lines(index: PlanIndex, article_id: str, heading: bool = True) -> list[str]:
    base, sentence = split_clause(article_id)  # a sentence cited alone (二（二）第1句): that sentence
    article = index.checker.articles.get(base)
    lines = [f"**article {article_id}**" + (f" ({article.status})" if article else " (not declared)")] if heading else []
    if article is None:
        return lines
    text = article.text if sentence is None else sentence_of(article.text, sentence)[0]
    lines += ["", _quote_block(text if text is not None else article.text)]
    if article.reason:
        lines += ["", f"deferred: {article.reason}"]
    for key, readings in index.checker.interpretations.items():
        if key in (article_id, base) or (sentence is None and split_clause(key)[0] == base):
            for reading in readings:  # both texts: a drafter keeps them saying the same
                lines += ["", f"*reading:* {reading.text}"] + (["", f"*解读：* {reading.zh}"] if reading.zh else [])
    return lines


def _cites(index: PlanIndex, cites: tuple[ast.ArticleRef, ...]) -> list[str]:
    lines: list[str] = []
    for ref in cites:
        lines += ["", "---", "", f"cites **{ref.id}**", *article_lines(index, ref.id, heading=False)[1:]]
    return lines


def _label(label: str | None) -> str:
    return f" “{label}”" if label else ""


def describe(index: PlanIndex, key: Key) -> str | None:
    """Markdown for a symbol, or None when the plan does not declare it."""
    c = index.checker
    symbol = index.symbols.get(key)
    kind = key[0]
    if kind == "article":
        lines = article_lines(index, key[1])
        users = sorted({o.span.line for o in index.references(key) if not o.declaration})
        cited_by = _citing(index, key[1])
        if cited_by:
            lines += ["", "encoded by: " + ", ".join(f"`{n}`" for n in cited_by)]
        elif not users and symbol is None:
            return None
        return "\n".join(lines)
    if kind in ("outcome", "kind"):
        return _language_word(index, kind, key[1])
    if symbol is None:
        return None
    item = symbol.item
    if kind == "define":
        lines = [f"**define** `{item.name}`{_label(item.label)}", ""]
        lines += _type_lines(getattr(c.defines.get(item.name), "type", None))
        lines += ["", "```policy", f"{item.name} = {expr_text(item.expr)}", "```"]
        lines += _cites(index, item.cites)
        return "\n".join(lines)
    if kind == "input":
        info = c.inputs.get(key[1])
        lines = [f"**input** `{key[1]}`" + (f" as `{item.alias}`" if item.alias else "") + _label(item.label), ""]
        lines += _type_lines(getattr(info, "type", None))
        enum = c.enums.get(getattr(getattr(info, "type", None), "name", None) or "")
        if enum is not None:
            members = (f"`{code}`" + (f" {label}" if label else "") for code, label in enum.members)
            lines += ["", "one of: " + ", ".join(members)]
        lines += ["", "a fact of the facts file: " + " → ".join(f"`{p}`" for p in item.path)]
        return "\n".join(lines)
    if kind == "rule":
        lines = [f"**rule** `{item.name}` : {item.kind}", "", "```policy", f"when {expr_text(item.when)}",
                 f"then {item.outcome}" + (f' "{item.reason}"' if item.reason else ""), "```",
                 "", f"`{item.outcome}`: {OUTCOME_MEANINGS.get(item.outcome, 'an outcome')}"]
        placed = [(d.name, i + 1) for d in c.policy.of_type(ast.Decision)
                  for i, r in enumerate(d.precedence) if r.name == item.name]
        for decision, rank in placed:
            lines += [f"rank {rank} in the precedence of decision `{decision}`"]
        lines += _cites(index, item.cites)
        return "\n".join(lines)
    if kind == "decision":
        lines = [f"**decision** `{item.name}`{_label(item.label)}", "", "precedence, first wins:"]
        lines += [f"{i}. `{r.name}`" for i, r in enumerate(item.precedence, 1)]
        if item.notes:
            lines += ["", "notes: " + ", ".join(f"`{n.name}`" for n in item.notes)]
        if item.otherwise:
            lines += ["", f"otherwise `{item.otherwise}`" + (f": {item.otherwise_reason}" if item.otherwise_reason else "")]
        return "\n".join(lines)
    if kind == "enum":
        enum = c.enums.get(key[1])
        lines = [f"**enum** `{key[1]}`" + _label(getattr(enum, "label", None))]
        if key[1] in c.zones:
            lines += ["", f"zones of `{c.zone_enum.get(key[1])}`"]
        if enum is not None:
            lines += ["", *(f"- `{code}`" + (f" {label}" if label else "") for code, label in enum.members)]
        return "\n".join(lines)
    if kind == "member":
        enum_name, code = key[1], key[2]
        enum = c.enums.get(enum_name)
        label = enum.label_of(code) if enum else None
        lines = [f"**{code}**" + (f" “{label}”" if label else "") + f", a member of `{enum_name}`"]
        for zones, mapping in c.zones.items():
            if zones == enum_name:
                lines += ["", "members: " + ", ".join(f"`{m}`" for m, z in mapping.items() if z == code)]
            elif code in mapping and c.zone_enum.get(zones) == enum_name:
                lines += ["", f"in zone `{mapping[code]}` of `{zones}`"]
        return "\n".join(lines)
    if kind == "field":
        record, name = key[1], key[2]
        lines = [f"**field** `{name}`{_label(item.label)} of `{record}`", ""]
        lines += _type_lines(_field_type(c, record, name))
        return "\n".join(lines)
    if kind == "registry":
        lines = [f"**registry** `{item.name}`{_label(item.label)}", "", "same type:"]
        lines += [f"- `{line.category.name}`: " + ", ".join(n.name for n in line.registry_categories)
                  for line in item.same_type]
        lines += _cites(index, item.cites)
        return "\n".join(lines)
    return None


def _language_word(index: PlanIndex, kind: str, word: str) -> str:
    from engine.compile.plan import KIND_OUTCOMES

    if kind == "kind":
        allowed = KIND_OUTCOMES.get(word)
        if allowed is None:
            return f"`{word}` is not a kind of rule; kinds: " + ", ".join(f"`{k}`" for k in KIND_OUTCOMES)
        return f"**{word}** rule: {KIND_MEANINGS.get(word, '')}; concludes " + " or ".join(f"`{o}`" for o in allowed)
    users = [o for o in index.references(("outcome", word))]
    text = f"**{word}**: {OUTCOME_MEANINGS.get(word, 'not an outcome of the language')}"
    return text + f"\n\n{len(users)} place(s) in this plan conclude it"


def _field_type(checker, record: str, name: str):
    """The checked type of a field, found from the input whose record it is."""
    from engine.compile.types import ListT, MapT, RecordT

    parts = record.split(".")
    for cut in range(len(parts), 0, -1):
        dotted = ".".join(parts[:cut])
        info = checker.inputs.get(dotted)
        if info is None:
            continue
        found = info.type
        for part in [*parts[cut:], name]:
            while isinstance(found, (ListT, MapT)):
                found = found.item if isinstance(found, ListT) else found.value
            found = found.field(part) if isinstance(found, RecordT) else None
        return found
    return None


def _citing(index: PlanIndex, article_id: str) -> list[str]:
    names = []
    for item in index.tree.items:
        cites = getattr(item, "cites", ())
        if any(split_clause(getattr(ref, "id", ""))[0] == article_id for ref in cites):  # its sentences too
            names.append(getattr(item, "name", "?"))
    return names
