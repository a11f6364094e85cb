"""`policy eval`: the run loop is engine/batch.py; here are what a person sees of it (the
progress bar, the summary, the note when a signal stops it) and the exit codes."""
from __future__ import annotations

import os
import signal
import stat
import sys
from contextlib import contextmanager

import click

from dsl.diagnostics import PolicyError

from ._common import fail

_PROGRESS_EVERY = 256  # lines between progress-bar updates: redrawing is not free
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
def eval_(facts: str, plan_ref: str | None, context_path: str | None, registry_path: str | None, output: str | None,
          trace: bool) -> None:
    """Decide every applicant of a JSON Lines file, one decision per line, in input order.

    A bad line gives an error object naming its line and JSON path; the rest go on, and the
    exit code is 2 at the end. `-` reads standard input. A summary goes to standard error.
    Ctrl-C, SIGTERM or SIGHUP stop the run: with `-o`, nothing is written and the old file
    is left as it was; the exit code is 130, 143 or 129.
    """
    from engine.batch import BatchRun, run_batch
    from render import batch_view

    run = BatchRun()
    progress = _Progress(facts)
    try:
        with _signals_stop_the_run():
            run_batch(facts, plan_ref, context_path, output, trace, registry_path=registry_path, view=batch_view,
                      progress=progress.advance, run=run)
    except PolicyError as error:
        progress.stop()
        fail(error)
    except (KeyboardInterrupt, _Stopped) as stop:
        progress.stop()
        signum = stop.signum if isinstance(stop, _Stopped) else signal.SIGINT
        where = (f"`{output}` was not written (an older one is left as it was)" if output
                 else "their records went to standard output")
        click.echo(f"policy eval: stopped by {signal.Signals(signum).name} after {run.lines:,} lines; {where}",
                   err=True)
        sys.exit(128 + signum)
    progress.stop()
    summary = ", ".join(f"{outcome} {n}" for outcome, n in sorted(run.counts.items()) if n)
    click.echo(f"{run.lines} lines: {summary or 'none'}", err=True)
    sys.exit(2 if run.bad else 0)


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


def _count_lines(path: str) -> int | None:
    """The number of lines, for the bar's total: only of a regular file (a FIFO is read once)."""
    try:
        if path == "-" or not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            return sum(1 for _ in handle)
    except OSError:
        return None


class _Progress:
    """A rich progress bar on standard error, only when it is a terminal."""

    def __init__(self, path: str):
        self.bar = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            # INVARIANT: the bar draws on stderr and leaves stdout alone: rich would otherwise
            # redirect stdout through its console, so `eval pop.jsonl > out.jsonl` came out empty.
            self.bar = Progress(console=Console(stderr=True), transient=True, redirect_stdout=False,
                                redirect_stderr=False)
            self.task = self.bar.add_task("deciding", total=_count_lines(path))
            self.bar.start()

    def advance(self, lines: int) -> None:
        if self.bar is not None and lines % _PROGRESS_EVERY == 0:
            self.bar.update(self.task, completed=lines)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
