import pytest

from tfmigrate.fields.names import split_authors, split_name

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
    # Forms seen on further real pages of the site: a slash, no space after commas, no first name.
    ("Thomas H. Vreeland,MD/J. Wallis", [("Thomas H. Vreeland", ["MD"]), ("J. Wallis", [])]),
    ("Henry Royal,M.D.", [("Henry Royal", ["M.D."])]),
    (
        "Sarah Reimer, M.D.,Farrokh Dehdashti, MD",
        [("Sarah Reimer", ["M.D."]), ("Farrokh Dehdashti", ["MD"])],
    ),
    ("and Tom R. Miller, M.D., Ph.D.", [("Tom R. Miller", ["M.D.", "Ph.D."])]),
    ("", []),
]


@pytest.mark.parametrize(("printed", "expected"), ROWS, ids=[r[0][:30] or "empty" for r in ROWS])
def test_split_authors(printed: str, expected: list[tuple[str, list[str]]]) -> None:
    assert [(a.name, a.degrees) for a in split_authors(printed)] == expected


def test_user_ids_are_flagged() -> None:
    assert [a.is_user_id for a in split_authors("kwinkl01 and Delphine Chen.")] == [True, False]


NAME_PARTS = [
    ("Stephen Schmitter", ("Stephen", "Schmitter", None, "Stephen Schmitter")),
    ("J. Wallis", ("J.", "Wallis", None, "J. Wallis")),
    ("Jayson R. St. Jacques", ("Jayson R.", "St. Jacques", None, "Jayson R. St. Jacques")),
    ("Thomas H. Vreeland", ("Thomas H.", "Vreeland", None, "Thomas H. Vreeland")),
    ("michael quinn", ("michael", "quinn", None, "Michael Quinn")),  # bs092: printed in lower case
    ("mark mintun", ("mark", "mintun", None, "Mark Mintun")),
    ("Farrokh Dehdashti", ("Farrokh", "Dehdashti", None, "Farrokh Dehdashti")),
    ("John Smith Jr.", ("John", "Smith", "Jr.", "John Smith Jr.")),
    ("Maria de la Cruz", ("Maria", "de la Cruz", None, "Maria de la Cruz")),
    ("Wallis", (None, "Wallis", None, "Wallis")),
    ("kwinkl01", (None, None, None, "kwinkl01")),  # newtfh 271472: a login id, not split
]


@pytest.mark.parametrize(("name", "expected"), NAME_PARTS, ids=[n[0] for n in NAME_PARTS])
def test_split_name(name: str, expected: tuple[str | None, str | None, str | None, str]) -> None:
    parts = split_name(name)
    assert (parts.given, parts.family, parts.suffix, parts.display_name) == expected
