"""Wayback timestamps: ``YYYYMMDDhhmmss`` in UTC, as web archives name their captures.

A shorter timestamp (``2005``, ``200506``) names a period, as it does in a Wayback URL or a CDX
query's ``to=``; ``--as-of`` reads it as the period's last second, so ``--as-of 2005`` takes
captures made at any time in 2005.
"""

from __future__ import annotations

import datetime as dt
import re

TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"
PERIOD_START = "00000101000000"  # what a short timestamp leaves out, at the start of its period
WAYBACK_PERIOD_RE = re.compile(r"\d{4}(?:\d{2}){0,5}")
ONE_SECOND = dt.timedelta(seconds=1)


def parse_as_of(text: str) -> str:
    """The 14-digit timestamp ``--as-of`` stands for: the last second of the period it names.

    Takes a Wayback timestamp of 4 to 14 digits, an ISO date (``2005-06-30``: the whole day) or
    an ISO date and time (``2005-06-30T12:00:00Z``; without a zone, UTC)."""
    text = text.strip()
    if WAYBACK_PERIOD_RE.fullmatch(text):
        start = dt.datetime.strptime(text, TIMESTAMP_FORMAT[: len(text) - 2])
        return to_timestamp(period_end(start, len(text)))
    try:
        return to_timestamp(dt.datetime.combine(dt.date.fromisoformat(text), dt.time(23, 59, 59)))
    except ValueError:
        pass
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date: give 2005-06-30, 2005-06-30T12:00:00Z or a Wayback timestamp (20050630)"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return to_timestamp(moment)


def period_end(start: dt.datetime, digits: int) -> dt.datetime:
    """The last second of the period a timestamp of ``digits`` digits starting at ``start`` names."""
    if digits == 4:
        return start.replace(year=start.year + 1) - ONE_SECOND
    if digits == 6:
        month = start.replace(day=28) + dt.timedelta(days=4)  # some day of the next month
        return month.replace(day=1) - ONE_SECOND
    step = {8: dt.timedelta(days=1), 10: dt.timedelta(hours=1), 12: dt.timedelta(minutes=1)}
    return start + step[digits] - ONE_SECOND if digits in step else start


def to_timestamp(moment: dt.datetime) -> str:
    return moment.strftime(TIMESTAMP_FORMAT)


def to_datetime(timestamp: str) -> dt.datetime:
    """The UTC moment of a timestamp; a short one (an archive may write 12 digits) is padded with
    the period's start."""
    padded = timestamp[:14] + PERIOD_START[len(timestamp) :]
    return dt.datetime.strptime(padded, TIMESTAMP_FORMAT).replace(tzinfo=dt.UTC)


def to_warc_date(timestamp: str) -> str:
    """``2005-06-30T12:00:00Z``: a WARC-Date (ISO 8601 in UTC)."""
    return to_datetime(timestamp).strftime("%Y-%m-%dT%H:%M:%SZ")
