import pytest

from tfmigrate.fields.names import split_authors

ROWS = [
    ("J. Wallis", [("J. Wallis", [])]),
    (
        "Stephen Schmitter, M.D. and Keith Fischer, M.D.",
        [("Stephen Schmitter", ["M.D."]), ("Keith Fischer", ["M.D."])],
    ),
    ("Jeff Chesnut, D.O. and Henry Royal, M.D.", [("Jeff Chesnut", ["D.O."]), ("Henry Royal", ["M.D."])]),
    (
        "Thomas H. Vreeland, M.D., Tom R. Miller, M.D., Ph.D.",
        [("Thomas H. Vreeland", ["M.D."]), ("Tom R. Miller", ["M.D.", "Ph.D."])],
    ),
    (
        "Sarah Reimer, MD , Keith Fischer MD, and Farrokh Dehdashti, MD",
        [("Sarah Reimer", ["MD"]), ("Keith Fischer", ["MD"]), ("Farrokh Dehdashti", ["MD"])],
    ),
    (
        "Jayson R. St. Jacques,M.D. and Tom R. Miller, M.D., Ph.D.",
        [("Jayson R. St. Jacques", ["M.D."]), ("Tom R. Miller", ["M.D.", "Ph.D."])],
    ),
    ("michael quinn, md and mark mintun, md", [("michael quinn", ["md"]), ("mark mintun", ["md"])]),
    (
        "Lisa Oakley, M.D., Keith Fischer, M.D., Jerold Wallis, M.D.",
        [("Lisa Oakley", ["M.D."]), ("Keith Fischer", ["M.D."]), ("Jerold Wallis", ["M.D."])],
    ),
    (
        "Bart Rydzewski M.D., Ph.D. and Keith Fischer M.D.",
        [("Bart Rydzewski", ["M.D.", "Ph.D."]), ("Keith Fischer", ["M.D."])],
    ),
    ("Sam Wang, M.D. and Jerold Wallis M.D.", [("Sam Wang", ["M.D."]), ("Jerold Wallis", ["M.D."])]),
    ("John Lahorra and Jerold Wallis", [("John Lahorra", []), ("Jerold Wallis", [])]),
    ("kwinkl01 and Delphine Chen.", [("kwinkl01", []), ("Delphine Chen", [])]),  # newtfh 271472
    ("", []),
]


@pytest.mark.parametrize(("printed", "expected"), ROWS, ids=[r[0][:30] or "empty" for r in ROWS])
def test_split_authors(printed: str, expected: list[tuple[str, list[str]]]) -> None:
    assert [(a.name, a.degrees) for a in split_authors(printed)] == expected


def test_user_ids_are_flagged() -> None:
    assert [a.is_user_id for a in split_authors("kwinkl01 and Delphine Chen.")] == [True, False]
