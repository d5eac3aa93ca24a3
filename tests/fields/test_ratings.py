import pytest

from tfmigrate.fields.ratings import parse_rating

ROWS = [
    ("#D2, #Q3", (2, 3)),  # bs125
    ("#D3, #Q4", (3, 4)),  # iw011
    ("#D4, #Q5", (4, 5)),
    ("#D., #Q.", (None, None)),  # rs034: blank rating
    ("#D2., #Q.", (2, None)),
    ("#D 1 , # Q 2", (1, 2)),
    ("", None),
    ("no rating here", None),
]


@pytest.mark.parametrize(("printed", "expected"), ROWS, ids=[r[0] or "empty" for r in ROWS])
def test_parse_rating(printed: str, expected: tuple[int | None, int | None] | None) -> None:
    assert parse_rating(printed) == expected
