"""The cyclic garbage collector paused while a plan is compiled or its fast path generated.

Compiling makes many long-lived objects (the parse tree, the syntax tree, the IR, the
generated code) and no garbage cycles worth collecting; the collector's full passes walk
every object alive each time, so for a large plan they cost a fifth of the compile
(docs/performance.md, "Compile time"). Nested pauses are fine: only the outermost one
switches the collector back on, and only if it was on.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
