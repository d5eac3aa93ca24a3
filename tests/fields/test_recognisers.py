"""Content checks that place unlabelled sections: procedure lines and citations."""

import pytest

from tfmigrate.fields.procedures import looks_like_procedure
from tfmigrate.fields.references import inline_reference, looks_like_citation

PROCEDURES = [
    "21.6 mCi Tc-99m MDP i.v.",  # bs125
    ".459 mCi In-111 labeled autologous leukocytes i.v.",
    "1.1 mCi Tc-99m MAG3 i.v. and 7.7 mg furosemide i.v.",  # rs034
    # rs029
    "initial study - 16.2 mCi Tc-99m DTPA i.v. repeat study - 7.63 mCi Tc-99m MAG3 i.v. "
    "followed by 40mg furosemide",
    "Tc-99m Sestamibi",  # pa002
    "Tc99m tagged RBC",  # gi005
    "In-111 labelled leukocytes",  # iw011
    "Tc-99m in vitro labeled red blood cells",  # hp002
    "Tc-99m DTPA by lumbar subarachnoid injection.",  # cl001
    "9.6 mCi Tc-99m pertechnetate I.V.",  # tr010
    "Gallium-67 citrate i.v. F-18 fluorodeoxyglucose (FDG) i.v.",
]
NOT_PROCEDURES = [
    "(2) Left pelvic kidney",  # bs010 findings
    "Sequential images demonstrate tracer activity accumulation in a small bowel pattern.",  # gi005
    "Tc-99m sulfur colloid images show a photopenic defect in the spleen.",
    "Subsequent esophagoduodenoscopy showed a bleeding doudenal bulb ulcer.",
    "Elevated calcium",
]


@pytest.mark.parametrize("text", PROCEDURES)
def test_procedure_lines_are_recognised(text: str) -> None:
    assert looks_like_procedure(text)


@pytest.mark.parametrize("text", NOT_PROCEDURES)
def test_findings_are_not_procedures(text: str) -> None:
    assert not looks_like_procedure(text)


CITATIONS = [
    "Resnick D. Neuromuscular Disorders. In: Resnick D, Niwayama G, eds. Diagnosis of Bone and Joint "
    "Disorders, 2nd Ed. Philadelphia: WB Saunders, 1988.",  # bs125
    "Smith AB, Jones CD. Bone scanning in sacral fractures. Clin Nucl Med 1984;9:134.",
    "Fogelman I, et al. The bone scan in metabolic bone disease. J Nucl Med 1978;19:245-250.",
]
NOT_CITATIONS = [
    "Heterotopic ossification generally appears 2 to 6 months following injury.",
    "The patient underwent surgery on 7-3-95, at which time the right lower parathyroid gland was removed.",
    "Sacral insufficiency fractures were described in 1982 (Lourie et al).",
]


@pytest.mark.parametrize("text", CITATIONS, ids=lambda t: t[:20])
def test_citations_are_recognised(text: str) -> None:
    assert looks_like_citation(text)


@pytest.mark.parametrize("text", NOT_CITATIONS, ids=lambda t: t[:20])
def test_discussion_sentences_are_not_citations(text: str) -> None:
    assert not looks_like_citation(text)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("References: Smith AB. J Nucl Med 1990;31:100.", "Smith AB. J Nucl Med 1990;31:100."),
        ("Reference: Jones CD. Radiology 1989;170:1.", "Jones CD. Radiology 1989;170:1."),
        ("References : Brown E. AJR 1991;156:3.", "Brown E. AJR 1991;156:3."),
        ("References:", None),
        ("Referenced in the text above.", None),
    ],
)
def test_inline_reference(line: str, expected: str | None) -> None:
    assert inline_reference(line) == expected
