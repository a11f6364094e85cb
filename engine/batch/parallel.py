"""`policy eval --jobs N`: the lines of a batch decided by N worker processes, written in input order.

The parent reads the lines (as bytes, never decoding them) and hands them out in chunks; each
worker turns a chunk into its records' text with the very code a run of `--jobs 1` uses
(`Batch.line`), so the output is the same bytes whatever N is; the parent writes the chunks
back in the order they were read. At most `WINDOW` chunks per worker are out at a time, so
memory stays flat however long the population is.

Workers are forked from the parent once its plan, context, registry and compiled fast path
are loaded, so each starts with them in memory, not by reading them again. Ctrl-C and the
signals that stop a run are the parent's to handle: a worker ignores SIGINT and dies of
SIGTERM, which the parent sends its workers on the way out, so an interrupted run still leaves
no partial file. Where `fork` is not available, a run takes one process.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import signal
from typing import Any, Iterable, Iterator

CHUNK_LINES = 256  # lines per chunk: large enough that handing one out costs little beside deciding it
CHUNK_BYTES = 4 << 20  # and at most this many bytes of lines, so a file of long lines stays flat too
WINDOW = 3  # chunks out per worker: one being decided, the next waiting, one coming back
_POLL = 1.0  # seconds between checks that every worker is still alive
_STOPPING = {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)} \
    if hasattr(signal, "pthread_sigmask") else set()


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def chunks(lines: Iterable[bytes], first: int = 1) -> Iterator[tuple[int, list[bytes]]]:
    """(number of the chunk's first line, its lines), in input order."""
    chunk: list[bytes] = []
    size = 0
    for raw in lines:
        chunk.append(raw)
        size += len(raw)
        if len(chunk) >= CHUNK_LINES or size >= CHUNK_BYTES:
            yield first, chunk
            first += len(chunk)
            chunk, size = [], 0
    if chunk:
        yield first, chunk


class WorkerFailed(RuntimeError):
    """A worker died or raised outside any one line: a bug, or the machine killing it."""


def _work(decide, tasks, results) -> None:
    """A worker's loop: chunks in, (index, text, what else `decide` gave) out, until None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent handles it
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)  # not the parent's handlers
    if _STOPPING:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)
    try:
        while True:
            task = tasks.get()
            if task is None:
                return
            index, first, lines = task
            text, extra = decide(first, lines)
            results.put((index, text, extra))
    except BaseException as error:  # noqa: BLE001 - reported by the parent, never printed here
        results.put((None, f"{type(error).__name__}: {error}", None))


class Workers:
    """`jobs` worker processes, forked at once (before the caller starts any thread), each
    running `decide(first, lines) -> (text, extra)` on the chunks `run` hands out (`extra`:
    whatever the caller counts of a chunk, pickled back with its text)."""

    def __init__(self, decide, jobs: int):
        context = multiprocessing.get_context("fork")
        self.jobs = jobs
        self.tasks, self.results = context.Queue(), context.Queue()
        self.processes = [context.Process(target=_work, args=(decide, self.tasks, self.results), daemon=True)
                          for _ in range(jobs)]
        gc.freeze()  # what the parent holds stays out of the workers' collections: their pages stay shared
        # A signal arriving between a fork and the worker's own handlers would raise in the
        # worker: the workers are born with the stopping signals blocked, and unblock them
        # once their handlers are set. The parent gets any that came meanwhile when this ends.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING) if _STOPPING else None
        try:
            for process in self.processes:
                process.start()
        finally:
            gc.unfreeze()
            if blocked is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def run(self, lines: Iterable[bytes]) -> Iterator[tuple[int, str, Any]]:
        """(last line number, records' text, extra) per chunk, in input order."""
        source = chunks(lines)
        ends: dict[int, int] = {}  # chunk index -> its last line number, for the chunks out
        back: dict[int, tuple] = {}  # results that came back before an earlier chunk's
        sent = done = 0
        more = True
        while True:
            while more and sent - done < WINDOW * self.jobs:
                chunk = next(source, None)
                if chunk is None:
                    more = False
                    break
                self.tasks.put((sent, *chunk))
                ends[sent] = chunk[0] + len(chunk[1]) - 1
                sent += 1
            if done == sent:
                return
            index, *result = _result(self.results, self.processes)
            back[index] = result
            while done in back:
                text, extra = back.pop(done)
                yield ends.pop(done), text, extra
                done += 1

    def stop(self) -> None:
        """End every worker (idle, or deciding a chunk whose run was stopped)."""
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join()
        for channel in (self.tasks, self.results):
            channel.cancel_join_thread()  # nothing left in them is wanted
            channel.close()


def _result(results, workers) -> tuple:
    while True:
        try:
            index, text, extra = results.get(timeout=_POLL)
        except queue.Empty:
            dead = [w for w in workers if not w.is_alive()]
            if dead:
                raise WorkerFailed(f"a worker process stopped (exit code {dead[0].exitcode})") from None
            continue
        if index is None:
            raise WorkerFailed(text)
        return index, text, extra
