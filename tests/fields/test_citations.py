from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfmigrate.fields.citations import ParsedCitation, parse_citation, split_citations

BS125 = (
    "Resnick D. Neuromuscular Disorders. In: Resnick D, Niwayama G, eds. "
    "Diagnosis of Bone and Joint Disorders, 2nd Ed. Philadelphia: WB Saunders, 1988."
)
SMITH = "Smith AB, Jones CD. Scintigraphy of osteoid osteoma. J Nucl Med 1990;31:100-105."
RADIOLOGY = "Radiology 1989;170(3):667-671."
CLIN_NUCL_MED = "Clin Nucl Med 1984;9:134."
FOGELMAN = (
    "Fogelman I, Citrin DL, McKillop JH, et al. A clinical comparison of Tc-99m HEDP and MDP. "
    "J Nucl Med 1979;20:98-101."
)


def name(family: str, given: str) -> dict[str, str]:
    return {"family": family, "given": given}


def year(*parts: int) -> dict[str, list[list[int]]]:
    return {"date-parts": [list(parts)]}


# (id, printed, style, confidence, expected csl)
PARSE_ROWS: list[tuple[str, str, str, float, dict[str, Any]]] = [
    (
        "bs125-book-chapter",
        BS125,
        "book-chapter",
        1.0,
        {
            "type": "chapter",
            "author": [name("Resnick", "D")],
            "editor": [name("Resnick", "D"), name("Niwayama", "G")],
            "title": "Neuromuscular Disorders",
            "container-title": "Diagnosis of Bone and Joint Disorders",
            "edition": "2",
            "publisher-place": "Philadelphia",
            "publisher": "WB Saunders",
            "issued": year(1988),
        },
    ),
    (
        "chapter-with-pages-st-louis",
        "Smith AB. Bone scanning. In: Jones CD, ed. Nuclear Medicine, 3rd edition. "
        "St. Louis: Mosby, 1995:123-145.",
        "book-chapter",
        1.0,
        {
            "type": "chapter",
            "author": [name("Smith", "AB")],
            "editor": [name("Jones", "CD")],
            "title": "Bone scanning",
            "container-title": "Nuclear Medicine",
            "edition": "3",
            "publisher-place": "St. Louis",
            "publisher": "Mosby",
            "page": "123-145",
            "issued": year(1995),
        },
    ),
    (
        "journal-alone-no-authors",
        CLIN_NUCL_MED,
        "journal",
        0.67,
        {
            "type": "article-journal",
            "container-title": "Clin Nucl Med",
            "volume": "9",
            "page": "134",
            "issued": year(1984),
        },
    ),
    (
        "journal-two-authors",
        SMITH,
        "journal",
        1.0,
        {
            "type": "article-journal",
            "author": [name("Smith", "AB"), name("Jones", "CD")],
            "title": "Scintigraphy of osteoid osteoma",
            "container-title": "J Nucl Med",
            "volume": "31",
            "page": "100-105",
            "issued": year(1990),
        },
    ),
    (
        "journal-with-issue",
        RADIOLOGY,
        "journal",
        0.67,
        {
            "type": "article-journal",
            "container-title": "Radiology",
            "volume": "170",
            "issue": "3",
            "page": "667-671",
            "issued": year(1989),
        },
    ),
    (
        "journal-et-al-as-note",
        FOGELMAN,
        "journal",
        1.0,
        {
            "type": "article-journal",
            "author": [name("Fogelman", "I"), name("Citrin", "DL"), name("McKillop", "JH")],
            "title": "A clinical comparison of Tc-99m HEDP and MDP",
            "container-title": "J Nucl Med",
            "volume": "20",
            "page": "98-101",
            "issued": year(1979),
            "note": "et al.",
        },
    ),
    (
        "journal-month-abbreviated-page",
        "AJR Am J Roentgenol 1991 Feb;156(2):325-9.",
        "journal",
        0.67,
        {
            "type": "article-journal",
            "container-title": "AJR Am J Roentgenol",
            "volume": "156",
            "issue": "2",
            "page": "325-9",
            "issued": year(1991, 2),
        },
    ),
    (
        "journal-month-and-day",
        "Smith AB. Title. J Nucl Med 1990 Jan 15;31:1-5.",
        "journal",
        1.0,
        {
            "type": "article-journal",
            "author": [name("Smith", "AB")],
            "title": "Title",
            "container-title": "J Nucl Med",
            "volume": "31",
            "page": "1-5",
            "issued": year(1990, 1, 15),
        },
    ),
    (
        "journal-ama-period-after-journal-question-title",
        "Van Nostrand D, de Vries AB. Is it osteoid osteoma? J Nucl Med. 1990;31(Suppl 1):100.",
        "journal",
        1.0,
        {
            "type": "article-journal",
            "author": [name("Van Nostrand", "D"), name("de Vries", "AB")],
            "title": "Is it osteoid osteoma?",
            "container-title": "J Nucl Med",
            "volume": "31",
            "issue": "Suppl 1",
            "page": "100",
            "issued": year(1990),
        },
    ),
    (
        "journal-older-volume-page-year",
        "O'Mara RE. Bone scanning in osseous metastatic disease. Radiology 170:667-671, 1989.",
        "journal",
        1.0,
        {
            "type": "article-journal",
            "author": [name("O'Mara", "RE")],
            "title": "Bone scanning in osseous metastatic disease",
            "container-title": "Radiology",
            "volume": "170",
            "page": "667-671",
            "issued": year(1989),
        },
    ),
    (
        "journal-title-opens-with-in",
        "Smith AB. In vivo imaging of bone. J Nucl Med 1990;31:1-5.",
        "journal",
        1.0,
        {
            "type": "article-journal",
            "author": [name("Smith", "AB")],
            "title": "In vivo imaging of bone",
            "container-title": "J Nucl Med",
            "volume": "31",
            "page": "1-5",
            "issued": year(1990),
        },
    ),
    (
        "book-with-edition",
        "Mettler FA, Guiberteau MJ. Essentials of Nuclear Medicine Imaging, 5th ed. "
        "Philadelphia: Saunders Elsevier, 2006.",
        "book",
        1.0,
        {
            "type": "book",
            "author": [name("Mettler", "FA"), name("Guiberteau", "MJ")],
            "title": "Essentials of Nuclear Medicine Imaging",
            "edition": "5",
            "publisher-place": "Philadelphia",
            "publisher": "Saunders Elsevier",
            "issued": year(2006),
        },
    ),
    (
        "book-without-place",
        "Mettler FA. Essentials of Nuclear Medicine Imaging. Saunders, 2006.",
        "book",
        0.8,
        {
            "type": "book",
            "author": [name("Mettler", "FA")],
            "title": "Essentials of Nuclear Medicine Imaging",
            "publisher": "Saunders",
            "issued": year(2006),
        },
    ),
    (
        "wrapped-over-lines",
        "Smith AB, Jones CD.\n  Scintigraphy of osteoid osteoma.\n  J Nucl Med 1990;31:100-105.\n",
        "journal",
        1.0,
        {
            "type": "article-journal",
            "author": [name("Smith", "AB"), name("Jones", "CD")],
            "title": "Scintigraphy of osteoid osteoma",
            "container-title": "J Nucl Med",
            "volume": "31",
            "page": "100-105",
            "issued": year(1990),
        },
    ),
    (
        "separator-semicolon-kept-by-split",
        "Smith AB. Title. J Nucl Med 1990;31:100-105;",
        "journal",
        1.0,
        {
            "type": "article-journal",
            "author": [name("Smith", "AB")],
            "title": "Title",
            "container-title": "J Nucl Med",
            "volume": "31",
            "page": "100-105",
            "issued": year(1990),
        },
    ),
    (
        "authors-and-title-only",
        "Smith AB. Some words, 1990.",
        "unknown",
        0.2,
        {"type": "article", "author": [name("Smith", "AB")], "title": "Smith AB. Some words, 1990."},
    ),
]


@pytest.mark.parametrize(
    ("printed", "style", "confidence", "expected"),
    [r[1:] for r in PARSE_ROWS],
    ids=[r[0] for r in PARSE_ROWS],
)
def test_parse_citation(printed: str, style: str, confidence: float, expected: dict[str, Any]) -> None:
    parsed = parse_citation(printed)
    assert (parsed.style, parsed.confidence, parsed.csl) == (style, confidence, expected)


JUNK = [("discussion-sentence", "see the discussion above"), ("empty", ""), ("bare-year", "1990")]


@pytest.mark.parametrize("printed", [j[1] for j in JUNK], ids=[j[0] for j in JUNK])
def test_junk_is_unknown_with_low_confidence(printed: str) -> None:
    parsed = parse_citation(printed)
    assert parsed == ParsedCitation(
        csl={"type": "article", "title": printed}, confidence=0.0, style="unknown"
    )
    assert parsed.confidence <= 0.3


SPLIT_ROWS = [
    (
        "numbered-on-one-line",
        f"1. {SMITH} 2. {FOGELMAN}",
        [SMITH, FOGELMAN],
    ),
    (
        "numbered-across-lines",
        f"1. {SMITH}\n2. {RADIOLOGY}\n3. {BS125}\n",
        [SMITH, RADIOLOGY, BS125],
    ),
    ("parenthesised-numbers", f"(1) {SMITH} (2) {FOGELMAN}", [SMITH, FOGELMAN]),
    ("bracketed-numbers", f"[1] {SMITH}\n[2] {FOGELMAN}", [SMITH, FOGELMAN]),
    ("single-numbered-item", f"1. {BS125}", [BS125]),
    (
        "label-before-list-is-kept",
        f"References:\n1. {SMITH}\n2. {RADIOLOGY}",
        ["References:", SMITH, RADIOLOGY],
    ),
    ("bs125-year-period-not-split", BS125, [BS125]),
    (
        "item-wrapped-over-lines-kept-as-printed",
        "1. Smith AB, Jones CD. Scintigraphy\n   of osteoid osteoma. J Nucl Med 1990;31:100-105.\n2. "
        + RADIOLOGY,
        ["Smith AB, Jones CD. Scintigraphy\n   of osteoid osteoma. J Nucl Med 1990;31:100-105.", RADIOLOGY],
    ),
    (
        # "Vol 2." inside an item is not the next number: it does not follow the end of a citation.
        "number-inside-item-not-split",
        "1. Smith AB. Bone. In: Jones CD, ed. Imaging, Vol 2. Boston: Little, 1990. 2. " + RADIOLOGY,
        ["Smith AB. Bone. In: Jones CD, ed. Imaging, Vol 2. Boston: Little, 1990.", RADIOLOGY],
    ),
    (
        "inline-semicolon-before-new-author-list",
        f"Smith AB. Bone. J Nucl Med 1990;31:100-105; {FOGELMAN}",
        ["Smith AB. Bone. J Nucl Med 1990;31:100-105;", FOGELMAN],
    ),
    (
        # "; Clin Nucl Med" opens no author list: only the "; Fogelman I," boundary splits.
        "inline-semicolon-before-journal-only-not-split",
        f"Smith AB. Bone. J Nucl Med 1990;31:100-105; Clin Nucl Med 1984;9:134; {FOGELMAN}",
        ["Smith AB. Bone. J Nucl Med 1990;31:100-105; Clin Nucl Med 1984;9:134;", FOGELMAN],
    ),
    (
        "run-together-on-one-line",
        f"{SMITH} {BS125} {FOGELMAN}",
        [SMITH, BS125, FOGELMAN],
    ),
    ("unnumbered-lines", f"{SMITH}\n{FOGELMAN}", [SMITH, FOGELMAN]),
    ("journal-alone-not-split", CLIN_NUCL_MED, [CLIN_NUCL_MED]),
    ("blank", "  \n ", []),
]


@pytest.mark.parametrize(("text", "expected"), [r[1:] for r in SPLIT_ROWS], ids=[r[0] for r in SPLIT_ROWS])
def test_split_citations(text: str, expected: list[str]) -> None:
    assert split_citations(text) == expected


def test_semicolon_inside_a_citation_does_not_split() -> None:
    # "1984;9:134": the part after ";" is a volume, not an author list.
    text = f"Smith AB. Title. {CLIN_NUCL_MED}"
    assert split_citations(text) == [text]


def non_space(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


CITATION_PIECES = st.sampled_from(
    [
        "Smith AB",
        "Resnick D",
        "et al",
        ", ",
        ". ",
        "; ",
        ";",
        ":",
        "1988",
        "9",
        "134",
        "(3)",
        "-",
        "In: ",
        "In ",
        " eds.",
        "2nd Ed.",
        "Philadelphia",
        "1.",
        "(2)",
        "[1]",
        "\n",
        " ",
        "Feb",
    ]
)
CITATION_LIKE = st.lists(CITATION_PIECES, max_size=40).map("".join)


@given(st.one_of(st.text(), CITATION_LIKE))
def test_never_raises(text: str) -> None:
    parsed = parse_citation(text)
    assert parsed.style in {"journal", "book-chapter", "book", "unknown"}
    assert 0.0 <= parsed.confidence <= 1.0
    assert parsed.csl["type"] in {"article-journal", "chapter", "book", "article"}
    assert all(isinstance(item, str) and item for item in split_citations(text))


@settings(max_examples=300)
@given(st.one_of(st.text(alphabet=st.characters(exclude_categories=["Nd"])), CITATION_LIKE))
def test_split_drops_only_enumerators_and_whitespace(text: str) -> None:
    kept = non_space("".join(split_citations(text)))
    if not any(ch.isdigit() for ch in text):
        # Without digits there are no enumerators: every other character survives, in order.
        assert kept == non_space(text)
    else:
        assert len(kept) <= len(non_space(text))


ADVERSARIAL = [
    "A" * 20000,
    "1." * 10000,
    "1. " * 6666,
    "Smith AB, " * 2000,
    "Smith AB, " * 2000 + ".",
    "Smith AB. " * 2000,
    "1988. Smith AB, " * 1250,
    "1990;" * 4000,
    "a:" * 10000,
    "In: " * 5000,
    ". " * 10000,
    "St. " * 5000,
    " " * 20000,
    "(1) " * 5000,
    "Smith Aaaa" * 2000,
    "de " * 6666 + "x",
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=[repr(t[:12]) for t in ADVERSARIAL])
def test_adversarial_input_completes(text: str) -> None:
    # Linear patterns make these finish at once; a backtracking regression would hang here, not fail a timer.
    assert isinstance(parse_citation(text), ParsedCitation)
    assert isinstance(split_citations(text), list)
