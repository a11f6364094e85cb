"""The pages of a plan's site, each an HTML string; docsite/__init__.py writes them.

One page per article (its quoted text, its status, the readings the plan records, and every
rule, definition and declaration that encodes it), per rule, per definition (its formula, its
type and unit, what it depends on and what depends on it), per decision (its precedence), and
the inputs, the examples with their outcomes, the dependency graph, and the source document
with each article linked to its page. Links go both ways: an article lists the rules citing
it, a rule links to the articles it cites. Every text from the plan, the source or the facts
passes through `_e`, so none can become markup; every link through `href`.
"""
from __future__ import annotations

from functools import lru_cache
from html import escape
from urllib.parse import quote

from pygments.formatters import HtmlFormatter
from pygments.token import STANDARD_TYPES, Name

from dsl import ast
from dsl.clauses import article_of
from dsl.printer import expr_text, quote as quote_text, type_text
from editor.describe import OUTCOME_MEANINGS, type_and_unit
from editor.highlight import PolicyLexer

_STYLE = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 64rem;
       margin: 1.5rem auto; padding: 0 1rem; color: #222; line-height: 1.55; }
nav { font-size: .9rem; border-bottom: 1px solid #ccc; padding-bottom: .4rem; margin-bottom: 1rem; }
nav a { margin-right: 1rem; } h1 { font-size: 1.45rem; } h2 { font-size: 1.12rem; margin-top: 1.8rem; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } code { font-size: .9em; }
blockquote { margin: .5rem 0; padding: .4rem .8rem; border-left: 4px solid #8aa; background: #f6f8f8; }
.reading { color: #245; font-style: italic; } .status { color: #666; font-size: .9rem; }
.source { white-space: pre-wrap; font-family: inherit; } .source a.article { font-weight: bold; }
.graph { overflow-x: auto; border: 1px solid #ddd; } .highlight a { color: inherit; }
"""
_FORMATTER = HtmlFormatter(cssclass="highlight")
_LEXER = PolicyLexer()


def _e(value) -> str:
    return escape(str(value), quote=True)


def page_name(kind: str, name: str) -> str:
    """The file of a symbol's page: the kind keeps `..` and the like from ever being a name."""
    return f"{kind}-{name}.html"


def href(kind: str, name: str, anchor: str | None = None) -> str:
    if kind == "article":  # a sentence cited alone (二（二）第1句) is on its article's page
        name = article_of(name)
    return quote(page_name(kind, name)) + (f"#{quote(anchor)}" if anchor else "")


def link(kind: str, name: str, text: str | None = None) -> str:
    return f'<a href="{_e(href(kind, name))}">{_e(text if text is not None else name)}</a>'


def aggregate_href(name: str) -> str:
    """An aggregate of a population has no page of its own: it stands with its population on the inputs page."""
    return "inputs.html#" + quote("aggregate-" + name)


@lru_cache(maxsize=4)
def _links(plan) -> dict[str, str]:
    """Names in code blocks that have a page: definitions, rules, decisions, articles, inputs by alias."""
    links = {info.alias: "inputs.html#" + quote("input-" + dotted) for dotted, info in plan.inputs.items() if info.alias}
    for kind, names in (("define", plan.defines), ("rule", plan.rules), ("decision", plan.decisions)):
        links.update({name: href(kind, name) for name in names})
    links.update({a: href("article", a) for a in plan.articles})
    links.update({a.name: aggregate_href(a.name) for p in getattr(plan, "populations", {}).values() for a in p.aggregates})
    return links


def code(plan, text: str) -> str:
    """Policy text highlighted by the lexer, each name that has a page a link to it."""
    links = _links(plan)
    out = []
    for kind, value in _LEXER.get_tokens(text):
        css = STANDARD_TYPES.get(kind) or STANDARD_TYPES.get(kind.parent, "")
        escaped = _e(value)
        target = links.get(value) if kind in Name else None
        if target:
            escaped = f'<a href="{_e(target)}">{escaped}</a>'
        out.append(f'<span class="{css}">{escaped}</span>' if css else escaped)
    return '<div class="highlight"><pre>' + "".join(out).rstrip("\n") + "\n</pre></div>"


def layout(plan, title: str, body: str) -> str:
    nav = " ".join(f'<a href="{h}">{t}</a>' for h, t in (
        ("index.html", "articles"), ("source.html", "source text"), ("definitions.html", "definitions"),
        ("rules.html", "rules"), ("inputs.html", "inputs"), ("graph.html", "graph"), ("examples.html", "examples")))
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)} · {_e(plan.stamp.id)}</title>"
            f"<style>{_STYLE}{_FORMATTER.get_style_defs('.highlight')}</style></head><body>"
            f"<nav><strong>{_e(plan.stamp.title or plan.stamp.id)}</strong> {nav}</nav>\n"
            f"{body}\n</body></html>\n")


# ---- who encodes what -------------------------------------------------------------------------


def encoders(plan) -> dict[str, list[tuple[str, str]]]:
    """Article id -> (kind, name) of every rule, definition and declaration citing it, in file order."""
    found: dict[str, list[tuple[str, str]]] = {}
    for item in plan.policy.items:
        # Any item that names itself and cites articles encodes them, kinds a newer grammar adds too.
        kind = {ast.Rule: "rule", ast.Define: "define", ast.ZonesDecl: "zones", ast.SetDecl: "set",
                ast.RegistryDecl: "registry"}.get(
            type(item), type(item).__name__.lower())
        for ref in getattr(item, "cites", ()) if hasattr(item, "name") else ():
            found.setdefault(article_of(ref.id), []).append((kind, item.name))
    return found


def _has_page(kind: str) -> bool:
    return kind in ("rule", "define", "decision")


def _encoder_link(kind: str, name: str) -> str:
    if _has_page(kind):
        return link(kind, name)
    if kind in ("zones", "set", "registry"):  # declared on the inputs page, under Vocabulary
        return f'{_e(kind)} <a href="inputs.html#{_e(quote(kind + "-" + name))}">{_e(name)}</a>'
    return f"{_e(kind)} <code>{_e(name)}</code>"


def _article_quote(plan, article_id: str, with_link: bool = True) -> str:
    article = plan.articles.get(article_of(article_id))
    if article is None:
        return f"<p>article {_e(article_id)} is not declared</p>"
    title = link("article", article_id) if with_link else _e(article_id)
    readings = "".join(_reading(r) for r in plan.readings(article_id))
    return f"<blockquote><p><strong>{title}</strong> {_e(plan.article_text(article_id))}</p>{readings}</blockquote>"


# ---- pages ------------------------------------------------------------------------------------


def index_page(plan, encoded: dict) -> str:
    stamp = plan.stamp
    rows = []
    for article in plan.articles.values():
        users = ", ".join(_encoder_link(k, n) for k, n in encoded.get(article.id, ())) or "—"
        rows.append(f'<tr id="{_e(article.id)}"><td>{link("article", article.id)}</td><td>{_e(article.status)}</td>'
                    f"<td>{_e(article.text)}</td><td>{users}</td></tr>")
    header = plan.header
    facts = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in header.fields)
    decisions = "".join(f"<li>{link('decision', d.name)}" + (f" {_e(d.label)}" if d.label else "") + "</li>"
                        for d in plan.decisions.values())
    body = (f"<h1>{_e(stamp.title or stamp.id)}</h1>"
            f"<table><tr><th>plan</th><td><code>{_e(stamp.id)}</code></td></tr>{facts}"
            f"<tr><th>sha256 of the plan</th><td><code>{_e(stamp.sha256)}</code></td></tr></table>"
            f"<h2>Decisions</h2><ul>{decisions}</ul>"
            + _readings(plan) +
            "<h2>Articles</h2><p>Every article of the source, with what encodes it.</p>"
            "<table><tr><th>article</th><th>status</th><th>text</th><th>encoded by</th></tr>"
            + "".join(rows) + "</table>")
    return layout(plan, "articles", body)


def _reading(reading) -> str:
    """A reading in both its texts: the site is read by drafters of either language."""
    zh = f'<p class="reading" lang="zh-CN">解读：{_e(reading.zh)}</p>' if reading.zh else ""
    return f'<p class="reading">Reading: {_e(reading.text)}</p>{zh}'


def _readings(plan) -> str:
    """Every reading the plan records, by article: where an auditor looks first."""
    items = "".join(f"<li>{link('article', a)}: {_e(r.text)}"
                    + (f'<br><span lang="zh-CN">{_e(r.zh)}</span>' if r.zh else "") + "</li>"
                    for a, readings in plan.interpretations.items() for r in readings)
    return f"<h2>Readings</h2><p>Where an article is unclear, the reading the plan takes.</p><ul>{items}</ul>" \
        if items else ""


def article_page(plan, article: ast.Article, encoded: dict, in_source: bool) -> str:
    parts = [f"<h1>Article {_e(article.id)}</h1>", f'<p class="status">{_e(article.status)}'
             + (f": {_e(article.reason)}" if article.reason else "") + "</p>",
             _article_quote(plan, article.id, with_link=False)]
    if in_source:
        parts.append(f'<p><a href="source.html#{_e(quote("src-" + article.id))}">in the source text</a></p>')
    users = encoded.get(article.id, [])
    parts.append("<h2>Encoded by</h2>")
    if not users:
        parts.append("<p>nothing: " + ("the article is informative." if article.status == "informative" else
                                       "the article is deferred." if article.status == "deferred" else
                                       "no rule cites it.") + "</p>")
    for kind, name in users:
        if kind == "rule":
            rule = plan.rules[name]
            text = _rule_text(plan, name)
            parts.append(f'<h3 id="{_e(quote("rule-" + name))}">rule {link("rule", name)} : {_e(rule.kind)}</h3>'
                         + code(plan, text))
        elif kind == "define":
            parts.append(f"<h3>definition {link('define', name)}</h3>{code(plan, _define_text(plan, name))}")
        else:
            parts.append(f"<h3>{_encoder_link(kind, name)}</h3>")
    return layout(plan, f"article {article.id}", "".join(parts))


def _item(plan, cls, name):
    return next(i for i in plan.policy.of_type(cls) if i.name == name)


def _rule_text(plan, name: str) -> str:
    rule = _item(plan, ast.Rule, name)
    text = f"rule {rule.name} : {rule.kind} cites {', '.join(r.id for r in rule.cites)}\n  when {expr_text(rule.when)}\n" \
           f"  then {rule.outcome}" + (f" {quote_text(rule.reason)}" if rule.reason else "")
    if rule.assignments:
        text += "\n  with " + ", ".join(f"{a.name} = {expr_text(a.expr)}" for a in rule.assignments)
    return text


def _define_text(plan, name: str) -> str:
    d = _item(plan, ast.Define, name)
    cites = f" cites {', '.join(r.id for r in d.cites)}" if d.cites else ""
    return f"define {d.name}" + (f" {quote_text(d.label)}" if d.label else "") + f"{cites} =\n  {expr_text(d.expr)}"


def _neighbours(plan, node: str, up: bool) -> str:
    graph = plan.graph
    found = sorted(graph.predecessors(node) if up else graph.successors(node))
    items = []
    for other in found:
        kind, name = other.split(":", 1)
        target = aggregate_href(name) if kind == "aggregate" else "inputs.html#" + quote("input-" + name)
        items.append(f"<li>{_e(kind)} " + (link(kind, name) if _has_page(kind) else
                                            f'<a href="{_e(target)}">{_e(name)}</a>') + "</li>")
    return "<ul>" + "".join(items) + "</ul>" if items else "<p>none</p>"


def rule_page(plan, name: str, examples) -> str:
    rule = plan.rules[name]
    placed = [(d, i + 1) for d in plan.decisions.values() for i, r in enumerate(d.precedence) if r == name]
    noted = [d for d in plan.decisions.values() if name in d.notes]
    parts = [f"<h1>Rule {_e(name)}</h1>",
             f"<p>{_e(rule.kind)} rule; concludes <code>{_e(rule.outcome)}</code>: "
             f"{_e(OUTCOME_MEANINGS.get(rule.outcome, ''))}</p>", code(plan, _rule_text(plan, name))]
    parts += [f"<p>rank {rank} of {len(d.precedence)} in the precedence of decision {link('decision', d.name)}</p>"
              for d, rank in placed]
    parts += [f"<p>a note of decision {link('decision', d.name)}: it annotates, never decides</p>" for d in noted]
    parts.append("<h2>The articles it encodes</h2>")
    parts += [_article_quote(plan, a) for a in rule.cites]
    parts += ["<h2>What it reads</h2>", _neighbours(plan, f"rule:{name}", up=True)]
    decided = [ex for ex in examples if ex.rule == name]
    if decided:
        parts.append("<h2>Examples it decides</h2><ul>" + "".join(
            f'<li><a href="examples.html#{_e(quote(ex.file))}">{_e(ex.file)}</a>: <code>{_e(ex.outcome)}</code></li>'
            for ex in decided) + "</ul>")
    return layout(plan, f"rule {name}", "".join(parts))


def define_page(plan, name: str) -> str:
    info = plan.defines[name]
    described, unit = type_and_unit(info.type)
    parts = [f"<h1>Definition {_e(name)}</h1>" + (f"<p>{_e(info.label)}</p>" if info.label else ""),
             f"<p>type <code>{_e(described)}</code>" + (f", unit <code>{_e(unit)}</code>" if unit else "") + "</p>",
             code(plan, _define_text(plan, name)), "<h2>The articles it encodes</h2>"]
    parts += [_article_quote(plan, a) for a in info.cites] or ["<p>none cited</p>"]
    parts += ["<h2>It depends on</h2>", _neighbours(plan, f"define:{name}", up=True),
              "<h2>Its dependents</h2>", _neighbours(plan, f"define:{name}", up=False)]
    return layout(plan, f"definition {name}", "".join(parts))


def decision_page(plan, name: str) -> str:
    d = plan.decisions[name]
    rows = "".join(f"<tr><td>{rank}</td><td>{link('rule', r)}</td><td>{_e(plan.rules[r].kind)}</td>"
                   f"<td><code>{_e(plan.rules[r].outcome)}</code></td><td>"
                   + ", ".join(link("article", a) for a in plan.rules[r].cites) + "</td></tr>"
                   for rank, r in enumerate(d.precedence, 1))
    notes = "".join(f"<li>{link('rule', r)}</li>" for r in d.notes)
    body = (f"<h1>Decision {_e(name)}</h1>" + (f"<p>{_e(d.label)}</p>" if d.label else "")
            + "<h2>Precedence</h2><p>The first rule that applies decides; those below it are overridden.</p>"
            "<table><tr><th>rank</th><th>rule</th><th>kind</th><th>concludes</th><th>articles</th></tr>"
            + rows + "</table>" + (f"<h2>Notes</h2><ul>{notes}</ul>" if notes else "")
            + f"<h2>Otherwise</h2><p><code>{_e(d.otherwise)}</code>"
            + (f": {_e(d.otherwise_reason)}" if d.otherwise_reason else "") + "</p>")
    return layout(plan, f"decision {name}", body)


def list_page(plan, kind: str, title: str) -> str:
    if kind == "rule":
        rows = "".join(f"<tr><td>{link('rule', n)}</td><td>{_e(r.kind)}</td><td><code>{_e(r.outcome)}</code></td><td>"
                       + ", ".join(link("article", a) for a in r.cites) + "</td></tr>" for n, r in plan.rules.items())
        head = "<tr><th>rule</th><th>kind</th><th>concludes</th><th>articles</th></tr>"
    else:
        rows = "".join(f"<tr><td>{link('define', n)}</td><td>{_e(d.label or '')}</td><td>"
                       + ", ".join(link("article", a) for a in d.cites) + "</td></tr>" for n, d in plan.defines.items())
        head = "<tr><th>definition</th><th>label</th><th>articles</th></tr>"
    return layout(plan, title, f"<h1>{_e(title)}</h1><table>{head}{rows}</table>")


def inputs_page(plan, encoded: dict) -> str:
    rows = []
    # A fact every facts file may carry (applicant.id) is read without a declaration: shown too.
    undeclared = [data["name"] for node, data in plan.graph.nodes(data=True)
                  if data["kind"] == "input" and data["name"] not in plan.inputs]
    for dotted in [*plan.inputs, *sorted(undeclared)]:
        info = plan.inputs.get(dotted)
        described, unit = type_and_unit(info.type) if info else ("(every facts file may give it)", None)
        node = f"input:{dotted}"
        users = ", ".join(_node_link(*n.split(":", 1)) for n in sorted(plan.graph.successors(node))) \
            if node in plan.graph else ""
        rows.append(f'<tr id="{_e(quote("input-" + dotted))}"><td><code>{_e(dotted)}</code></td>'
                    f"<td>{_e(getattr(info, 'alias', None) or '')}</td><td>{_e(getattr(info, 'label', None) or '')}</td>"
                    f"<td>{_e(described)}</td>"
                    f"<td>{_e(unit or '')}</td><td>{users}</td></tr>")
    declarations = []
    for item in plan.policy.items:
        if isinstance(item, (ast.ZonesDecl, ast.SetDecl, ast.RegistryDecl, ast.EnumDecl)):
            kind = {ast.ZonesDecl: "zones", ast.SetDecl: "set", ast.RegistryDecl: "registry", ast.EnumDecl: "enum"}[type(item)]
            cites = ", ".join(link("article", r.id) for r in getattr(item, "cites", ()))
            declarations.append(f'<h3 id="{_e(quote(kind + "-" + item.name))}">{_e(kind)} {_e(item.name)}</h3>'
                                + (f"<p>cites {cites}</p>" if cites else "") + code(plan, _declaration_text(item)))
    for item in plan.policy.of_type(ast.PopulationDecl):
        cites = ", ".join(link("article", r.id) for r in item.cites)
        rows_of = "".join(f'<li id="{_e(quote("aggregate-" + a.name))}"><code>{_e(a.name)}</code> = '
                          f"<code>{_e(a.function)}({_e(expr_text(a.arg))})</code>"
                          + (f" {_e(a.label)}" if a.label else "") + "</li>" for a in item.aggregates)
        declarations.append(f'<h3 id="{_e(quote("population-" + item.name))}">population {_e(item.name)}</h3>'
                            + (f"<p>cites {cites}</p>" if cites else "") + f"<ul>{rows_of}</ul>")
    body = ("<h1>Inputs</h1><p>The facts a facts file gives, by path.</p><table><tr><th>fact</th><th>alias</th>"
            "<th>label</th><th>type</th><th>unit</th><th>read by</th></tr>" + "".join(rows) + "</table>"
            "<h2>Vocabulary</h2>" + "".join(declarations))
    return layout(plan, "inputs", body)


def _node_link(kind: str, name: str) -> str:
    return f'<a href="{_e(aggregate_href(name))}">{_e(name)}</a>' if kind == "aggregate" else link(kind, name)


def _declaration_text(item) -> str:
    if isinstance(item, ast.EnumDecl):
        members = "\n".join(f"  {m.code}" + (f" {quote_text(m.label)}" if m.label else "") for m in item.members)
        return f"enum {item.name}" + (f" {quote_text(item.label)}" if item.label else "") + f" {{\n{members}\n}}"
    if isinstance(item, ast.ZonesDecl):
        zones = "\n".join(f"  {z.name}: " + ", ".join(m.name for m in z.members) for z in item.zones)
        return f"zones {item.name} of {item.member_enum} {{\n{zones}\n}}"
    if isinstance(item, ast.SetDecl):
        return f"set {item.name} of {item.enum.name} = {{" + ", ".join(m.name for m in item.members) + "}"
    lines = "\n".join(f"  same_type {s.category.name}: " + ", ".join(n.name for n in s.registry_categories)
                      for s in item.same_type)
    return f"registry {item.name} {{\n{lines}\n}}"


def graph_page(plan, svg: str) -> str:
    body = ("<h1>Dependency graph</h1><p>Inputs on the left, then definitions, rules and decisions; each box links "
            'to its page. The same picture alone: <a href="graph.svg">graph.svg</a>.</p>'
            f'<div class="graph">{svg}</div>')
    return layout(plan, "graph", body)


def examples_page(plan, examples) -> str:
    rows = []
    for ex in examples:
        rule = link("rule", ex.rule) if ex.rule else "—"
        article = link("article", ex.article) if ex.article else "—"
        expected = "" if ex.expected is None else ("as expected" if ex.expected == ex.outcome else
                                                   f"expected {_e(ex.expected)}")
        shown = f"<code>{_e(ex.file)}</code>"
        if ex.record:
            shown = f'<a href="{_e(quote(ex.page))}">{shown}</a>'
        rows.append(f'<tr id="{_e(quote(ex.file))}"><td>{shown}</td><td>{_e(ex.applicant or "")}</td>'
                    f"<td>{_e(ex.decision)}</td><td><code>{_e(ex.outcome)}</code></td><td>{rule}</td><td>{article}</td>"
                    f"<td>{_e(ex.reason or '')}</td><td>{expected}</td></tr>")
    body = ("<h1>Examples</h1><p>The example facts files of this plan, decided as <code>policy explain</code> "
            "decides them; each file links to its full record (<code>policy explain --format html</code>).</p>"
            "<table><tr><th>file</th><th>applicant</th><th>decision</th><th>outcome</th>"
            "<th>decided by</th><th>article</th><th>reason</th><th>check</th></tr>" + "".join(rows) + "</table>"
            + ("" if examples else "<p>No example names this plan.</p>"))
    return layout(plan, "examples", body)


def source_page(plan, starts: dict[int, str]) -> str:
    """The source document line by line; each line that starts an article links to its page."""
    text = plan.source_document
    if text is None:
        return layout(plan, "source text", "<h1>Source text</h1><p>The plan names no source document.</p>")
    lines = []
    for number, line in enumerate(text.splitlines(), 1):
        article_id = starts.get(number)
        if article_id is not None and article_id in plan.articles:
            lines.append(f'<span id="{_e(quote("src-" + article_id))}"></span>'
                         f'<a class="article" href="{_e(href("article", article_id))}">{_e(line)}</a>')
        else:
            lines.append(_e(line))
    body = (f"<h1>Source text</h1><p><code>{_e(plan.header.get('source') or '')}</code>; each article's first line "
            f"links to its page.</p><div class=\"source\">" + "\n".join(lines) + "</div>")
    return layout(plan, "source text", body)


__all__ = ["article_page", "decision_page", "define_page", "encoders", "examples_page", "graph_page", "href",
           "index_page", "inputs_page", "list_page", "page_name", "rule_page", "source_page", "type_text"]
