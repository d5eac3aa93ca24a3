"""Functions over many items on a pool of worker processes, results in input order.

Parsing is CPU-bound pure Python, so threads would share one core; processes are the way to use
the others. Few items are not worth starting workers for.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Pool:
    """Worker processes for the length of a ``with`` block, shared by every ``map`` in it (a run
    maps twice: starting workers again would cost a second each time)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (their memory is the caller's peak while they live)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def is_worth_it(self, count: int) -> bool:
        return self.jobs > 1 and count >= 2 * self.jobs

    def start(self, warm_up: Callable[[], None], count: int) -> None:
        """Start the workers now, when ``count`` items are worth them: each runs ``warm_up`` (an
        import of what the maps will need: a second each), while the caller goes on (a crawl)."""
        if self._executor is not None or not self.is_worth_it(count):
            return
        executor = self._pool()
        for _ in range(self.jobs):
            executor.submit(warm_up)

    def map(self, func: Callable[[T], R], items: Iterable[T], count: int) -> Iterator[R]:
        """``func(item)`` for each of ``count`` items, on the workers (in this process when few).

        Items are taken as the workers need them and results given as they come, a few chunks
        ahead: neither all the items nor all the results are ever held at once."""
        if not self.is_worth_it(count):
            yield from map(func, items)
            return
        # Chunks amortise the pipe round trips; several chunks per worker keep both busy to the end.
        chunksize = max(1, min(64, count // (self.jobs * 8)))
        pool, pending = self._pool(), deque[Future[list[R]]]()
        for chunk in chunks(items, chunksize):
            pending.append(pool.submit(run_chunk, func, chunk))
            if len(pending) >= 4 * self.jobs:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # Fresh interpreters, not forks: a fork would start as a copy of this process, whose heap
            # after a crawl is tens of MB (counted again in every worker) and whose threads make
            # forking unsafe.
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context)
        return self._executor


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def run_chunk(func: Callable[[T], R], chunk: list[T]) -> list[R]:
    """Runs in a worker: one chunk of items."""
    return [func(item) for item in chunk]


def map_in_order(func: Callable[[T], R], items: Sequence[T], jobs: int) -> Iterator[R]:
    """``func(item)`` for each item, on ``jobs`` worker processes (in this process for one job)."""
    with Pool(jobs) as pool:
        yield from pool.map(func, items, len(items))
