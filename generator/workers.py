"""Map a function over items in forked worker processes, in order (ingest's and build's parallel steps).

Input: a function and a sequence of items. Output: the function of each item, yielded in
the items' order as the workers send them back. The workers are forked for each call and
inherit the function and the items instead of receiving them pickled (10,000 stories are
24 MB of pickles each way); only results cross back, a run of items at a time, so the
caller consumes them as they come. Whether to fork at all is the caller's decision:
forking is safe only while no other thread may hold a lock the child would inherit.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
_R = TypeVar("_R")


@dataclass(frozen=True)
class ForkMap:
    """A `Mapper` that forks `workers` processes for each call; here from where they fail.

    `min_run` is the fewest items a worker is given at once (where one item is cheap, fewer
    cost more in round trips than they save).
    """

    workers: int
    min_run: int = 1

    def __call__(self, fn: Callable[[_T], _R], items: Sequence[_T], /) -> Iterator[_R]:
        """Yield fn of each item, in order."""
        done = 0
        # Many short runs keep every worker busy to the end whatever the items' sizes,
        # and hold little in flight.
        size = max(self.min_run, len(items) // (self.workers * 16), 1)
        starts = range(0, len(items), size)
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_adopt, initargs=(fn, items)
            ) as pool:
                for run in pool.map(_run_job, starts, [size] * len(starts)):
                    for result in run:
                        done += 1
                        yield result
        except (OSError, NotImplementedError, BrokenProcessPool) as exc:
            # Results arrive in order, so those yielded are done; a later item's work may
            # be done again here (every function mapped is pure or rewrites the same file).
            logger.debug("working in this process from #%d: worker processes failed: %s", done + 1, exc)
        yield from map(fn, items[done:])


#: What a forked worker maps over, set once by `_adopt` in that worker only.
_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _adopt(fn: Callable[[Any], Any], items: Sequence[Any]) -> None:
    global _job
    _job = (fn, items)


def _run_job(start: int, size: int) -> list[Any]:
    assert _job is not None, "a worker runs only after _adopt"
    fn, items = _job
    return [fn(item) for item in items[start : start + size]]
