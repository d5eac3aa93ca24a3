"""Procedure lines -> administrations: activity (with MBq), radionuclide, agent, drug, route, phase."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfmigrate.fields.doses import ParsedAdministration, Quantity, parse_administrations

IV = ("intravenous", "i.v.")


def radio(
    text: str,
    radionuclide: str | None,
    pharmaceutical: str | None,
    activity: tuple[float, str, str] | None = None,
    mbq: float | None = None,
    route: tuple[str, str] | None = None,
    phase: str | None = None,
) -> ParsedAdministration:
    return ParsedAdministration(
        text=text,
        kind="radiopharmaceutical",
        activity=Quantity(*activity) if activity else None,
        activity_mbq=mbq,
        radionuclide=radionuclide,
        pharmaceutical=pharmaceutical,
        dose=None,
        drug=None,
        route=route[0] if route else None,
        route_text=route[1] if route else None,
        phase=phase,
    )


def drug(
    text: str,
    name: str | None,
    dose: tuple[float, str, str] | None = None,
    route: tuple[str, str] | None = None,
    phase: str | None = None,
) -> ParsedAdministration:
    return ParsedAdministration(
        text=text,
        kind="drug",
        activity=None,
        activity_mbq=None,
        radionuclide=None,
        pharmaceutical=None,
        dose=Quantity(*dose) if dose else None,
        drug=name,
        route=route[0] if route else None,
        route_text=route[1] if route else None,
        phase=phase,
    )


# (id, printed line, administrations, fragments of the expected problems, one per problem)
ROWS: list[tuple[str, str, list[ParsedAdministration], list[str]]] = [
    (
        "bs125-mdp",
        "21.6 mCi Tc-99m MDP i.v.",
        [radio("21.6 mCi Tc-99m MDP i.v.", "Tc-99m", "MDP", (21.6, "mCi", "21.6 mCi"), 799.2, IV)],
        [],
    ),
    (
        "wbc-no-leading-zero",
        ".459 mCi In-111 labeled autologous leukocytes i.v.",
        [
            radio(
                ".459 mCi In-111 labeled autologous leukocytes i.v.",
                "In-111",
                "labeled autologous leukocytes",
                (0.459, "mCi", ".459 mCi"),
                16.983,
                IV,
            )
        ],
        [],
    ),
    (
        "rs034-mag3-and-furosemide",
        "1.1 mCi Tc-99m MAG3 i.v. and 7.7 mg furosemide i.v.",
        [
            radio("1.1 mCi Tc-99m MAG3 i.v.", "Tc-99m", "MAG3", (1.1, "mCi", "1.1 mCi"), 40.7, IV),
            drug("7.7 mg furosemide i.v.", "furosemide", (7.7, "mg", "7.7 mg"), IV),
        ],
        [],
    ),
    (
        "rs029-initial-and-repeat-study",
        "initial study - 16.2 mCi Tc-99m DTPA i.v. repeat study - 7.63 mCi Tc-99m MAG3 i.v. "
        "followed by 40mg furosemide",
        [
            radio(
                "16.2 mCi Tc-99m DTPA i.v.",
                "Tc-99m",
                "DTPA",
                (16.2, "mCi", "16.2 mCi"),
                599.4,
                IV,
                "initial study",
            ),
            radio(
                "7.63 mCi Tc-99m MAG3 i.v.",
                "Tc-99m",
                "MAG3",
                (7.63, "mCi", "7.63 mCi"),
                282.31,
                IV,
                "repeat study",
            ),
            drug("40mg furosemide", "furosemide", (40.0, "mg", "40mg"), None, "repeat study"),
        ],
        [],
    ),
    # pa002: no activity printed, and that is not a problem.
    ("pa002-no-activity", "Tc-99m Sestamibi", [radio("Tc-99m Sestamibi", "Tc-99m", "Sestamibi")], []),
    (
        "gallium-then-fdg-split-after-route",
        "Gallium-67 citrate i.v. F-18 fluorodeoxyglucose (FDG) i.v.",
        [
            radio("Gallium-67 citrate i.v.", "Ga-67", "citrate", route=IV),
            radio("F-18 fluorodeoxyglucose (FDG) i.v.", "F-18", "fluorodeoxyglucose (FDG)", route=IV),
        ],
        [],
    ),
    ("gi005-tc99m-no-hyphen", "Tc99m tagged RBC", [radio("Tc99m tagged RBC", "Tc-99m", "tagged RBC")], []),
    (
        "iw011-labelled-leukocytes",
        "In-111 labelled leukocytes",
        [radio("In-111 labelled leukocytes", "In-111", "labelled leukocytes")],
        [],
    ),
    (
        "hp002-in-vitro-rbc",
        "Tc-99m in vitro labeled red blood cells",
        [radio("Tc-99m in vitro labeled red blood cells", "Tc-99m", "in vitro labeled red blood cells")],
        [],
    ),
    (
        "cl001-intrathecal",
        "Tc-99m DTPA by lumbar subarachnoid injection.",
        [
            radio(
                "Tc-99m DTPA by lumbar subarachnoid injection",
                "Tc-99m",
                "DTPA",
                route=("intrathecal", "by lumbar subarachnoid injection"),
            )
        ],
        [],
    ),
    (
        "tr010-upper-case-route",
        "9.6 mCi Tc-99m pertechnetate I.V.",
        [
            radio(
                "9.6 mCi Tc-99m pertechnetate I.V.",
                "Tc-99m",
                "pertechnetate",
                (9.6, "mCi", "9.6 mCi"),
                355.2,
                ("intravenous", "I.V."),
            )
        ],
        [],
    ),
    ("bs054-agent-only", "Tc-99m MDP", [radio("Tc-99m MDP", "Tc-99m", "MDP")], []),
    (
        "newtfh-mdp",
        "20.1 mCi Tc-99m MDP i.v.",
        [radio("20.1 mCi Tc-99m MDP i.v.", "Tc-99m", "MDP", (20.1, "mCi", "20.1 mCi"), 743.7, IV)],
        [],
    ),
    (
        "newtfh-label-on-the-line",
        "RADIOPHARMACEUTICAL: 20.1 mCi Tc-99m MDP i.v.",
        [radio("20.1 mCi Tc-99m MDP i.v.", "Tc-99m", "MDP", (20.1, "mCi", "20.1 mCi"), 743.7, IV)],
        [],
    ),
    (
        "microcurie-oral",
        "200 µCi I-123 sodium iodide p.o.",
        [
            radio(
                "200 µCi I-123 sodium iodide p.o.",
                "I-123",
                "sodium iodide",
                (200.0, "µCi", "200 µCi"),
                7.4,
                ("oral", "p.o."),
            )
        ],
        [],
    ),
    (
        "mebrofenin-and-morphine",
        "5.0 mCi Tc-99m mebrofenin i.v. and 2 mg morphine sulfate i.v.",
        [
            radio(
                "5.0 mCi Tc-99m mebrofenin i.v.", "Tc-99m", "mebrofenin", (5.0, "mCi", "5.0 mCi"), 185.0, IV
            ),
            drug("2 mg morphine sulfate i.v.", "morphine sulfate", (2.0, "mg", "2 mg"), IV),
        ],
        [],
    ),
    (
        "pentetreotide",
        "6.2 mCi In-111 pentetreotide i.v.",
        [
            radio(
                "6.2 mCi In-111 pentetreotide i.v.",
                "In-111",
                "pentetreotide",
                (6.2, "mCi", "6.2 mCi"),
                229.4,
                IV,
            )
        ],
        [],
    ),
    (
        "gallium-citrate",
        "5.0 mCi Ga-67 citrate i.v.",
        [radio("5.0 mCi Ga-67 citrate i.v.", "Ga-67", "citrate", (5.0, "mCi", "5.0 mCi"), 185.0, IV)],
        [],
    ),
    (
        "mdp-22",
        "22.3 mCi Tc-99m MDP i.v.",
        [radio("22.3 mCi Tc-99m MDP i.v.", "Tc-99m", "MDP", (22.3, "mCi", "22.3 mCi"), 825.1, IV)],
        [],
    ),
    (
        "megabecquerel",
        "740 MBq Tc-99m MDP i.v.",
        [radio("740 MBq Tc-99m MDP i.v.", "Tc-99m", "MDP", (740.0, "MBq", "740 MBq"), 740.0, IV)],
        [],
    ),
    (
        "gigabecquerel",
        "1.1 GBq F-18 FDG i.v.",
        [radio("1.1 GBq F-18 FDG i.v.", "F-18", "FDG", (1.1, "GBq", "1.1 GBq"), 1100.0, IV)],
        [],
    ),
    (
        "rest-stress-dipyridamole",
        "rest - 10.2 mCi Tc-99m sestamibi i.v.; stress - 30.1 mCi Tc-99m sestamibi i.v. "
        "with 0.56 mg/kg dipyridamole i.v.",
        [
            radio(
                "10.2 mCi Tc-99m sestamibi i.v.",
                "Tc-99m",
                "sestamibi",
                (10.2, "mCi", "10.2 mCi"),
                377.4,
                IV,
                "rest",
            ),
            radio(
                "30.1 mCi Tc-99m sestamibi i.v.",
                "Tc-99m",
                "sestamibi",
                (30.1, "mCi", "30.1 mCi"),
                1113.7,
                IV,
                "stress",
            ),
            drug("0.56 mg/kg dipyridamole i.v.", "dipyridamole", (0.56, "mg/kg", "0.56 mg/kg"), IV, "stress"),
        ],
        [],
    ),
    (
        "activity-without-radionuclide",
        "12 mCi i.v.",
        [radio("12 mCi i.v.", None, None, (12.0, "mCi", "12 mCi"), 444.0, IV)],
        ["activity with no radionuclide"],
    ),
    ("unreadable", "something unreadable", [], ["could not read 'something unreadable'"]),
    ("empty", "", [], []),
    ("blank", "   \n ", [], []),
    # Variants beyond the pages seen, each pinning one rule.
    (
        "text-after-route-is-reported",
        "Tc-99m MDP i.v. 3 hours delayed",
        [radio("Tc-99m MDP i.v.", "Tc-99m", "MDP", route=IV)],
        ["could not read '3 hours delayed'"],
    ),
    ("stray-routes-one-problem", "i.v. i.v. i.v.", [], ["could not read 'i.v. i.v. i.v.'"]),
    (
        "element-name-without-mass-number",
        "Thallium i.v.",
        [radio("Thallium i.v.", None, None, route=IV)],
        ["without a mass number"],
    ),
    ("in-is-not-indium", "In 24 hours", [], ["could not read 'In 24 hours'"]),
    ("unfamiliar-radionuclide", "Tc-98 MDP", [radio("Tc-98 MDP", "Tc-98", "MDP")], ["unfamiliar"]),
    (
        "agent-without-radionuclide",
        "sulfur colloid",
        [radio("sulfur colloid", None, "sulfur colloid")],
        ["agent with no radionuclide"],
    ),
    (
        "prefixed-mass-number-and-inhalation",
        "99mTc-MAA i.v. and Xe-133 gas inhaled",
        [
            radio("99mTc-MAA i.v.", "Tc-99m", "MAA", route=IV),
            radio("Xe-133 gas inhaled", "Xe-133", "gas", route=("inhalation", "inhaled")),
        ],
        [],
    ),
    (
        "drug-before-its-dose",
        "furosemide 40 mg i.v.",
        [drug("furosemide 40 mg i.v.", "furosemide", (40.0, "mg", "40 mg"), IV)],
        [],
    ),
    (
        "phase-after-agent",
        "10 mCi Tc-99m sestamibi at rest",
        [
            radio(
                "10 mCi Tc-99m sestamibi at rest",
                "Tc-99m",
                "sestamibi",
                (10.0, "mCi", "10 mCi"),
                370.0,
                phase="rest",
            )
        ],
        [],
    ),
    (
        "activity-per-kg-has-no-total",
        "0.15 mCi/kg Tc-99m MDP i.v.",
        [radio("0.15 mCi/kg Tc-99m MDP i.v.", "Tc-99m", "MDP", (0.15, "mCi/kg", "0.15 mCi/kg"), None, IV)],
        ["no total in MBq"],
    ),
    (
        "of-after-activity",
        "21.6 mCi of Tc-99m MDP",
        [radio("21.6 mCi of Tc-99m MDP", "Tc-99m", "MDP", (21.6, "mCi", "21.6 mCi"), 799.2)],
        [],
    ),
    (
        "subcutaneous-and-intradermal",
        "Tc-99m sulfur colloid subcutaneously, Tc-99m sulfur colloid intradermal",
        [
            radio(
                "Tc-99m sulfur colloid subcutaneously",
                "Tc-99m",
                "sulfur colloid",
                route=("subcutaneous", "subcutaneously"),
            ),
            radio(
                "Tc-99m sulfur colloid intradermal",
                "Tc-99m",
                "sulfur colloid",
                route=("intradermal", "intradermal"),
            ),
        ],
        [],
    ),
]


@pytest.mark.parametrize(("printed", "expected", "problems"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_parse_administrations(
    printed: str, expected: list[ParsedAdministration], problems: list[str]
) -> None:
    administrations, messages = parse_administrations(printed)
    wrong = [
        f"administration {index}: {field}: {getattr(got, field)!r} != {getattr(want, field)!r}"
        for index, (got, want) in enumerate(zip(administrations, expected, strict=False))
        for field in want.__dataclass_fields__
        if getattr(got, field) != getattr(want, field)
    ]
    if len(administrations) != len(expected):
        wrong.append(f"{len(administrations)} administrations, expected {len(expected)}: {administrations}")
    if len(messages) != len(problems) or not all(f in m for f, m in zip(problems, messages, strict=False)):
        wrong.append(f"problems {messages!r}, expected fragments {problems!r}")
    assert not wrong, "\n".join(wrong)


ROUTES = [
    ("i.v.", "intravenous"),
    ("I.V.", "intravenous"),
    ("IV", "intravenous"),
    ("intravenously", "intravenous"),
    ("p.o.", "oral"),
    ("orally", "oral"),
    ("intrathecally", "intrathecal"),
    ("by lumbar subarachnoid injection", "intrathecal"),
    ("inhaled", "inhalation"),
    ("aerosol", "inhalation"),
    ("subcutaneously", "subcutaneous"),
    ("intradermal", "intradermal"),
]


@pytest.mark.parametrize(("printed", "route"), ROUTES, ids=[r[0] for r in ROUTES])
def test_route_is_normalised(printed: str, route: str) -> None:
    administrations, problems = parse_administrations(f"5 mCi Tc-99m DTPA {printed}")
    assert [(a.route, a.route_text) for a in administrations] == [(route, printed)]
    assert problems == []


NUCLIDES = [
    ("Tc-99m", "Tc-99m"),
    ("Tc99m", "Tc-99m"),
    ("Tc 99m", "Tc-99m"),
    ("TC-99M", "Tc-99m"),
    ("99mTc", "Tc-99m"),
    ("technetium-99m", "Tc-99m"),
    ("In-111", "In-111"),
    ("111In", "In-111"),
    ("I-123", "I-123"),
    ("I-131", "I-131"),
    ("131I", "I-131"),
    ("Tl-201", "Tl-201"),
    ("Thallium-201", "Tl-201"),
    ("Gallium-67", "Ga-67"),
    ("F-18", "F-18"),
    ("Xe-133", "Xe-133"),
    ("Rb-82", "Rb-82"),
    ("Sm-153", "Sm-153"),
    ("Sr-89", "Sr-89"),
    ("Y-90", "Y-90"),
    ("Lu-177", "Lu-177"),
]


@pytest.mark.parametrize(("printed", "nuclide"), NUCLIDES, ids=[r[0] for r in NUCLIDES])
def test_radionuclide_is_normalised(printed: str, nuclide: str) -> None:
    administrations, problems = parse_administrations(f"1 mCi {printed} agent")
    assert [a.radionuclide for a in administrations] == [nuclide]
    assert problems == []


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises(text: str) -> None:
    administrations, problems = parse_administrations(text)
    assert all(a.kind in {"radiopharmaceutical", "drug"} for a in administrations)
    assert all(isinstance(p, str) for p in problems)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([r[1] for r in ROWS] + ["and", ";", "-", "rest -", "(FDG)", "i.v."])))
def test_never_raises_on_spliced_lines(pieces: list[str]) -> None:
    parse_administrations(" ".join(pieces))


ADVERSARIAL = [
    ("activities", "1.1 mCi " * 2500, 2500),
    ("radionuclides", "Tc-99m " * 3000, 3000),
    ("routes", "i.v. " * 4000, 0),
    ("digits", "9" * 20_000, 0),
    ("dots", "." * 20_000, 0),
    ("phases", "rest - " * 3000, 0),
    ("open-brackets", "(FDG " * 4000, 1),  # one agent with no radionuclide
]


@pytest.mark.parametrize(("printed", "count"), [r[1:] for r in ADVERSARIAL], ids=[r[0] for r in ADVERSARIAL])
def test_long_adversarial_lines_complete(printed: str, count: int) -> None:
    administrations, _ = parse_administrations(printed)
    assert len(administrations) == count
