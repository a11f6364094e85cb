"""The `policy` command: a thin layer over the library. Exit codes: 0 done, 1 findings, 2 bad input."""
from __future__ import annotations

import click

from commands import allocate, check, coverage, diff, doc, errors, explain, graph, lsp, quota, schema, test
from commands import fmt as fmt_command
from commands import eval as eval_command


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="policy")
def main() -> None:
    """Policy-as-code for medical-insurance designation plans (定点医药机构资源配置规划).

    \b
    Typical use:
      policy check policies/*.policy              are the plans well-formed?
      policy explain applicant.json               why was this applicant decided so?
      policy eval --plan ID applicants.jsonl      decide a whole population

    Exit codes: 0 success, 1 findings (check), 2 bad input (file, fact, plan).
    """



main.add_command(check.check)
main.add_command(explain.explain)
main.add_command(eval_command.eval_)
main.add_command(coverage.coverage)
main.add_command(graph.graph)
main.add_command(diff.diff_)
main.add_command(test.test)
main.add_command(schema.schema)
main.add_command(fmt_command.fmt)
main.add_command(quota.quota)
main.add_command(allocate.allocate)
main.add_command(errors.errors)
main.add_command(lsp.lsp)
main.add_command(doc.doc)


if __name__ == "__main__":
    main()
