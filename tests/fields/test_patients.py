import pytest

from tfmigrate.fields.patients import parse_age, parse_sex

AGES = [
    ("48 year old female", (48, "year")),  # newtfh 271472
    ("4 month-old boy", (4, "month")),  # rs034
    ("15 month old female", (15, "month")),  # cl001
    ("20 yo male", (20, "year")),  # bs092
    ("92-year old man", (92, "year")),  # bs054
    ("3 day old infant", (3, "day")),
    ("elderly woman", None),
]
SEXES = [
    ("48 year old female", "female"),
    ("92-year old man", "male"),
    ("4 month-old boy", "male"),
    ("Elderly woman with pelvic pain.", "female"),
    ("53 year old with dizziness", None),
    ("twins, a boy and a girl", None),
]


@pytest.mark.parametrize(("text", "expected"), AGES, ids=[a[0] for a in AGES])
def test_parse_age(text: str, expected: tuple[int, str] | None) -> None:
    assert parse_age(text) == expected


@pytest.mark.parametrize(("text", "expected"), SEXES, ids=[s[0] for s in SEXES])
def test_parse_sex(text: str, expected: str | None) -> None:
    assert parse_sex(text) == expected
