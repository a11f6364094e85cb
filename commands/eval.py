"""`policy eval`: the run loop (engine/batch/stream.py decides each line, render/batch_view.py
makes its record and the summary; here they are written, with the progress bar), the exit
codes, the note when a signal stops a run, and the audit records of `--records`."""
from __future__ import annotations

import signal
import sys
from contextlib import contextmanager
from functools import partial
from typing import Callable

import click

from dsl.diagnostics import Diagnostic, PolicyError
from dsl.spans import Source, Span

from i18n import gettext as _

from ._common import atomic_output, fail

# Signals that end a run cleanly: the partial output is removed, the exit code is 128 + the signal.
_STOPPING = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None)


@click.command(name="eval")
@click.argument("facts", metavar="FACTS.jsonl")
@click.option("--plan", "plan_ref", metavar="PLAN", help="Plan id or .policy path; else each line's \"plan\".")
@click.option("--context", "context_path", metavar="CITY.json", help="City-year statistics for every line.")
@click.option("--registry", "registry_path", metavar="REG.csv", help="Registry of designated institutions (CSV "
              "`id,name,category,lat,lon`) the spacing questions ask; overrides each line's \"registry\".")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically) instead of stdout.")
@click.option("--trace", is_flag=True, help="Include the full trace in every decision.")
@click.option("--strict", is_flag=True, help="A line with a warning (a key the plan does not declare) is a bad line.")
@click.option("--decision", "decision", metavar="NAME", help="The plan's decision to take (年度考核 over a population "
              "of institutions, 试运行, …); else each line's \"decision\", else admission (准入).")
@click.option("--report", type=click.Path(dir_okay=False), metavar="REPORT.html",
              help=("Also write the population report: outcomes, deciding rules and missing facts as charts "
                     "(needs -o)."))
@click.option("--records", "records_path", metavar="DIR|FILE.jsonl", help="Also write each decision's audit record: "
              "one JSON file per line in DIR, or one line each in FILE.jsonl (`policy verify` replays one).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help=_("Worker processes deciding the lines, output in input order (default: the cores; 1 decides "
                     "in this process)."))
def eval_(facts: str, plan_ref: str | None, context_path: str | None, registry_path: str | None, output: str | None,
          trace: bool, strict: bool, decision: str | None = None, report: str | None = None,
          records_path: str | None = None, jobs: int | None = None) -> None:
    """Decide every applicant of a JSON Lines file, one decision per line, in input order.

    A bad line gives an error object naming its line and JSON path; the rest go on, and the
    exit code is 2 at the end. Each decision lists its `warnings` (a key the plan does not
    declare, with the nearest declared name). `-` reads standard input. A progress bar (at a
    terminal) and a summary go to standard error; standard output carries only decisions.
    Ctrl-C, SIGTERM or SIGHUP stop the run: with `-o`, nothing is written and the old file
    is left as it was; the exit code is 130, 143 or 129.
    """
    if report and not output:
        raise click.UsageError(_("--report reads the decisions back from the -o file: give -o OUT.jsonl"))
    done = [0]
    try:
        with _signals_stop_the_run(), _records_sink(records_path, facts, context_path, registry_path) as sink:
            bad = run_batch(facts, plan_ref, context_path, output, trace, registry_path=registry_path, strict=strict,
                            decision=decision, on_line=lambda n: done.__setitem__(0, n), explained=sink, jobs=jobs)
    except PolicyError as error:
        fail(error)
    except (KeyboardInterrupt, _Stopped) as stop:
        signum = stop.signum if isinstance(stop, _Stopped) else signal.SIGINT
        where = (_("{file} was not written (an older one is left as it was)").format(file=f"`{output}`") if output
                 else _("their records went to standard output"))
        click.echo(_("policy eval: stopped by {signal} after {lines} lines; {where}").format(
            signal=signal.Signals(signum).name, lines=f"{done[0]:,}", where=where), err=True)
        sys.exit(128 + signum)
    if report:
        import json
        from pathlib import Path

        from render.population import population_report

        with open(output, encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle if line.strip()]
        Path(report).write_text(population_report(records, _("Population report: {file}").format(file=facts)),
                                encoding="utf-8")
    sys.exit(2 if bad else 0)


def run_batch(path: str, plan_ref: str | None, context_path: str | None, output: str | None, trace: bool,
              registry_path: str | None = None, strict: bool = False, decision: str | None = None,
              on_line: Callable[[int], None] | None = None, explained: Callable | None = None,
              jobs: int | None = None) -> int:
    """Decide every line; write one record per line, in order (to `output` atomically, else to
    standard output); the summary to standard error; return how many lines were bad.

    With `jobs` > 1 (None: the cores) the lines are decided by that many forked workers
    (engine/batch/parallel.py) running the very function one process runs, so the bytes are
    the same; a file of one chunk, and a run with `--records` (whose callback writes here),
    are decided in this process."""
    import json
    from itertools import chain, islice

    from engine.batch import parallel
    from engine.batch.run import open_decider
    from engine.batch.stream import count_lines, read_lines
    from render.batch_view import Progress, Records

    decide, population = open_decider(path, plan_ref, context_path, trace, registry_path=registry_path, strict=strict,
                                      decision=decision, explained=explained)
    records = Records(path, trace, population)
    dumps = json.JSONEncoder(ensure_ascii=False).encode

    def text(number: int, raw: bytes) -> str:
        return records.text(decide(number, raw), dumps)

    lines = read_lines(path)
    head = list(islice(lines, parallel.CHUNK_LINES))  # a file of one chunk is decided here: a fork costs more
    lines = chain(head, lines)
    jobs = parallel.default_jobs() if jobs is None else jobs
    workers = None
    if jobs > 1 and len(head) == parallel.CHUNK_LINES and explained is None and parallel.can_fork():
        workers = parallel.Workers(partial(_decide_chunk, records, text), jobs)  # before the progress bar's thread
    progress = Progress(lambda: count_lines(path), output)
    number = 0
    try:
        with atomic_output(output) as out:
            write = out.write
            if workers is not None:
                for number, chunk, (counts, warned, size) in workers.run(lines):
                    write(chunk)
                    records.counts.update(counts)  # update, not +=, which would drop a count of 0 one process keeps
                    records.warned += warned
                    records.size = size or records.size
                    progress.advance(number)
                    if on_line is not None:
                        on_line(number)  # the count for the note when a signal stops the run
            else:
                for number, raw in enumerate(lines, 1):
                    write(text(number, raw) + "\n")
                    progress.advance(number)
                    if on_line is not None:
                        on_line(number)
    except parallel.WorkerFailed as error:  # no line's fault: the run stops, and -o leaves nothing behind
        raise PolicyError([Diagnostic("X000", f"internal error: {type(error).__name__}: {error}", Span(Source(path, "")),
                                      "please report this; run with --jobs 1 to decide in one process")]) from None
    finally:
        progress.stop()
        if workers is not None:
            workers.stop()
    print(records.summary(number), file=sys.stderr)
    return records.counts["error"]


def _decide_chunk(records, text, first: int, lines: list[bytes]) -> tuple[str, tuple]:
    """In a worker: a chunk's records as text, with what the summary counts of them."""
    from collections import Counter

    records.counts, records.warned = Counter(), 0
    chunk = "".join([text(number, raw) + "\n" for number, raw in enumerate(lines, first)])
    return chunk, (records.counts, records.warned, records.size)


@contextmanager
def _records_sink(records_path: str | None, facts: str, context_path: str | None, registry_path: str | None):
    """`--records`: a function taking each decided line's explanation and writing its record."""
    if records_path is None:
        yield None
        return
    import json
    from pathlib import Path
    from types import SimpleNamespace

    from dsl.diagnostics import Diagnostic
    from dsl.spans import Source, Span
    from render import explanation_to_json

    from .records import case_inputs, make_record, write_record

    if facts == "-":
        raise PolicyError([Diagnostic("V002", "--records needs the facts as a file, not standard input",
                                      Span(Source(facts, "")), "a record names the file and line it was decided from")])
    options = SimpleNamespace(context_path=context_path, registry_path=registry_path)
    one_file = records_path.endswith(".jsonl")
    folder = Path(records_path).parent if one_file else Path(records_path)

    def record(line: int, case, explanation, data: dict) -> dict:
        context, registry = case_inputs(options, data, facts)
        view = json.loads(json.dumps(explanation_to_json(explanation), ensure_ascii=False))
        return make_record(view, case.plan, facts, context, registry, folder, line)

    if one_file:
        with atomic_output(records_path) as out:
            yield lambda line, case, explanation, data: out.write(
                json.dumps(record(line, case, explanation, data), ensure_ascii=False) + "\n")
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PolicyError([Diagnostic("O001", f"cannot write `{records_path}`: {error.strerror}",
                                      Span(Source(records_path, "")), "give a folder that can be created")]) from None
    yield lambda line, case, explanation, data: write_record(record(line, case, explanation, data),
                                                             str(folder / f"{line:06d}.json"))


class _Stopped(BaseException):
    """A stopping signal, raised where the run is so that its output is cleaned up on the way out."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _signals_stop_the_run():
    """SIGTERM and SIGHUP raise `_Stopped` (SIGINT raises KeyboardInterrupt already); after the
    first, further ones are ignored, so a second signal cannot interrupt the cleanup."""
    def stop(signum, frame):
        for sig in (*_STOPPING, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        raise _Stopped(signum)

    previous = {}
    try:
        for sig in _STOPPING:
            previous[sig] = signal.signal(sig, stop)
    except ValueError:  # not the main thread: signals stay as they were
        pass
    interrupt = signal.getsignal(signal.SIGINT)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if previous:
            signal.signal(signal.SIGINT, interrupt)
