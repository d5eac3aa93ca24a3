import datetime as dt

import pytest

from tfmigrate.fields.dates import DateError, parse_date

VALID = [
    ("1/30/01", dt.date(2001, 1, 30)),  # bs125
    ("9/21/2000", dt.date(2000, 9, 21)),
    ("08/26/94", dt.date(1994, 8, 26)),  # bs010
    ("8/4/94", dt.date(1994, 8, 4)),
    ("06/25/06", dt.date(2006, 6, 25)),
    ("7/18/95", dt.date(1995, 7, 18)),  # bs028
    ("09/23/04", dt.date(2004, 9, 23)),  # rs034
    ("12/31/99", dt.date(1999, 12, 31)),
    ("1/1/49", dt.date(2049, 1, 1)),
    ("1/1/50", dt.date(1950, 1, 1)),
    (" 5/22/99 ", dt.date(1999, 5, 22)),
]


@pytest.mark.parametrize(("printed", "expected"), VALID, ids=[v[0].strip() for v in VALID])
def test_parse_date(printed: str, expected: dt.date) -> None:
    assert parse_date(printed) == expected


@pytest.mark.parametrize("printed", ["2/30/99", "13/1/99", "0/10/99", "", "7-3-95x", "1/30", "yesterday"])
def test_impossible_or_malformed_dates_raise(printed: str) -> None:
    with pytest.raises(DateError):
        parse_date(printed)
