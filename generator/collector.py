"""Keep a run's long-lived objects from Python's cyclic garbage collector.

A run (an ingest, a build) makes hundreds of thousands of containers (articles, pages,
sets of shingles) that live to its end and form no cycles. The collector walks all of
them at every full collection, which costs a growing share of the time as a site grows
(a sixth of an ingest's; at 30,000 articles it made a build's layout superlinear), and in
forked workers it touches every inherited object, copying the memory it would share.
`gc.freeze` sets them aside; the collector stays on, for the preview server's threads.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def kept_from_collector() -> Iterator[Callable[[], None]]:
    """Yield a function that keeps every object made so far from the collector, until the exit."""
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def give_back_freed_memory() -> None:
    """Return the heap memory Python has freed to the OS (glibc's malloc_trim), where possible.

    A build frees hundreds of megabytes of rendered pages before Pagefind runs; glibc keeps
    freed blocks of that size for reuse, so without this the process would hold them while
    Pagefind's processes need memory of their own.
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        ctypes.CDLL("libc.so.6").malloc_trim(0)
