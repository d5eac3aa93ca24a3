"""What reading one page gave: its result, a skip (a page that is not a case page), or a failure
named in one line. ``tfmigrate parse`` and ``migrate`` sort every page by this one rule.

A page's failure never ends a batch or a run: a bad page is data, counted and named (with the
traceback for ``-v``); a parser bug fails that page only, named as an internal error.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tfmigrate.errors import NotACasePageError, TfMigrateError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Skipped:
    """Not a case page (a list, a viewer, a discussion page)."""


@dataclass(frozen=True, slots=True)
class Failed:
    message: str  # one line: why the page gave no record
    trace: str  # the traceback, for -v

    @classmethod
    def of(cls, exc: BaseException, *, internal: bool = False) -> Failed:
        message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if internal:
            message = f"internal error: {type(exc).__name__}: {message}"
        return cls(message, "".join(traceback.format_exception(exc)))


SKIPPED = Skipped()


def triage(read: Callable[[], T]) -> T | Skipped | Failed:
    """``read()``'s result (a record, or a record with its side facts), or why there is none."""
    try:
        return read()
    except NotACasePageError:
        return SKIPPED
    except (TfMigrateError, OSError) as exc:
        return Failed.of(exc)
    except Exception as exc:  # a parser bug must not end the batch; -v shows where it is
        return Failed.of(exc, internal=True)
