"""The HTML record of one decision or several: the case document (render/case.py, case_html.py).

Kept as the names the command, the docsite and integrators import; without the case (plan,
facts, registry) a document shows what the Explanation alone carries. `warnings` (one line
each) are filed with the case: standard error is not.
"""
from __future__ import annotations

from html import escape
from typing import Sequence

from engine.run.trace import Explanation

from i18n import gettext as _


def explanation_to_html(result: Explanation, warnings: Sequence[str] = (), case=None,
                        what_if: dict | None = None) -> str:
    from .case_formats import case_document

    return case_document(result, case, "html", warnings=warnings, what_if=what_if)


def explanations_to_html(sections: list[tuple], what_ifs: dict[int, dict] | None = None) -> str:
    """One page for several facts files: a section per file, headed by its name; a file that
    could not be decided shows its error text instead. Each section is (name, Explanation or
    error text, warnings[, case]); `what_ifs` holds the `--what-if` record of a section by its index."""
    from .case import build_case
    from .case_html import case_body, page

    body: list[str] = []
    what_ifs = what_ifs or {}
    for number, (name, item, warnings, *rest) in enumerate(sections, 1):
        body.append(f'<section id="file-{number}">\n<p class="file"><code>{escape(str(name))}</code></p>')
        if isinstance(item, Explanation):
            case = rest[0] if rest else None
            body += case_body(build_case(item, getattr(case, "plan", None), getattr(case, "facts", None),
                                         getattr(case, "registry", None), warnings, what_ifs.get(number - 1)))
        else:
            body.append(f"<pre>{escape(str(item))}</pre>")
        body.append("</section>")
    return page(_("{count} decisions").format(count=len(sections)), body)
