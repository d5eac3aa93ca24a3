"""Printed US dates (``1/30/01``, ``9/21/2000``, ``08/26/94``) -> ISO dates."""

from __future__ import annotations

import datetime as dt
import re

US_DATE_RE = re.compile(r"^(?P<month>\d{1,2})[/.-](?P<day>\d{1,2})[/.-](?P<year>\d{4}|\d{2})$")
# The site ran from 1994: two-digit years 50-99 are 19xx, 00-49 are 20xx.
CENTURY_PIVOT = 50


class DateError(ValueError):
    """A printed date that is not a real calendar date (``2/30/99``) or not a date at all."""


def parse_date(text: str) -> dt.date:
    """The ISO date of a printed month/day/year date; raises DateError when impossible."""
    match = US_DATE_RE.match(text.strip())
    if not match:
        raise DateError(f"not a month/day/year date: {text!r}")
    year = int(match["year"])
    if len(match["year"]) == 2:
        year += 1900 if year >= CENTURY_PIVOT else 2000
    try:
        return dt.date(year, int(match["month"]), int(match["day"]))
    except ValueError as exc:
        raise DateError(f"impossible date {text!r}: {exc}") from exc
