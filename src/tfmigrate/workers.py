"""A function over many items on a process pool, results in input order.

Parsing is CPU-bound pure Python, so threads would share one core; processes are the way to use
the others. Few items are not worth starting workers for.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_in_order(func: Callable[[T], R], items: Sequence[T], jobs: int) -> Iterator[R]:
    """``func(item)`` for each item, on ``jobs`` worker processes (in this process for one job)."""
    if jobs <= 1 or len(items) < 2 * jobs:
        yield from map(func, items)
        return
    # Chunks amortise the pipe round trips; several chunks per worker keep both busy to the end.
    chunksize = max(1, min(64, len(items) // (jobs * 8)))
    # Fresh interpreters, not forks: a fork would start as a copy of this process, whose heap after a
    # crawl is tens of MB (counted again in every worker) and whose threads make forking unsafe.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from pool.map(func, items, chunksize=chunksize)
