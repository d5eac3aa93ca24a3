"""Labels wherever they sit, and case pages by the weight of what they carry."""

from __future__ import annotations

import pytest

from tests.conftest import SITE_BASE_URL
from tfmigrate.blocks import blocks_from_html, blocks_from_text
from tfmigrate.errors import CaseLikePageError, NotACasePageError
from tfmigrate.parse import parse_page
from tfmigrate.templates import weigh_evidence
from tfmigrate.templates.classic import CLASSIC_LABELS, is_marker
from tfmigrate.templates.labels import normalize_labels

# Each way a page prints "Diagnosis: Heterotopic Ossification" becomes that one line.
DIAGNOSIS_FORMS = [
    ("bold with colon", "<p><b>Diagnosis:</b> Heterotopic Ossification</p>"),
    ("bold without colon", "<p><b>Diagnosis</b> Heterotopic Ossification</p>"),
    ("span class", '<p><span class="lbl">Diagnosis</span> Heterotopic Ossification</p>'),
    ("capitals", "<p>DIAGNOSIS: Heterotopic Ossification</p>"),
    ("capitals without colon", "<p>DIAGNOSIS Heterotopic Ossification</p>"),
    ("space before colon", "<p>Diagnosis : Heterotopic Ossification</p>"),
    ("value after a break", "<p><b>Diagnosis:</b><br>Heterotopic Ossification</p>"),
    (
        "value in the next cell",
        "<table><tr><td><b>Diagnosis:</b></td><td>Heterotopic Ossification</td></tr></table>",
    ),
    (
        "value in the next row",
        "<table><tr><th>Diagnosis</th></tr><tr><td>Heterotopic Ossification</td></tr></table>",
    ),
    (
        "value after an empty cell and a break",  # a FrontPage layout (bs150te171)
        "<p><table><tr><td><b>Diagnosis:</b></td><td></td></tr></table><br>Heterotopic Ossification</p>",
    ),
    ("a dash after the label", "<p><b>Diagnosis</b> - Heterotopic Ossification</p>"),
    ("a dash, then the value after a break", "<p><b>Diagnosis</b> &ndash;<br>Heterotopic Ossification</p>"),
    ("definition list", "<dl><dt>Diagnosis</dt><dd>Heterotopic Ossification</dd></dl>"),
    ("heading", "<h4>Diagnosis</h4><p>Heterotopic Ossification</p>"),
    ("image alt text", '<p><img src="dx.gif" alt="Diagnosis:"> Heterotopic Ossification</p>'),
]


@pytest.mark.parametrize(
    "html", [form[1] for form in DIAGNOSIS_FORMS], ids=[form[0] for form in DIAGNOSIS_FORMS]
)
def test_every_form_of_a_label_reads_as_the_line_the_renderings_print(html: str) -> None:
    stream = normalize_labels(blocks_from_html(html), CLASSIC_LABELS, is_marker)
    # The label keeps its printed capitals; the value is the value.
    assert [block.text.lower() for block in stream] == ["diagnosis: heterotopic ossification"]


@pytest.mark.parametrize(
    "text",
    [
        "Diagnosis of osteomyelitis is difficult.",  # a sentence that starts with a label's word
        "References: Resnick D. Neuromuscular Disorders. 1988.",  # an inline citation stays text (bs125)
        "CT: A sequestrum is seen.",  # a findings sub-heading, not a template label
        "Bone scintigram: intense uptake.",
    ],
)
def test_text_that_only_looks_like_a_label_stays_text(text: str) -> None:
    stream = normalize_labels(blocks_from_html(f"<p>{text}</p>"), CLASSIC_LABELS, is_marker)
    assert [block.text for block in stream] == [text]


def test_a_label_alone_never_takes_a_fixed_line_as_its_value() -> None:
    html = "<p><b>Diagnosis:</b></p><p>View <a href=v.html>main image</a>(bs) in a separate image viewer</p>"
    stream = normalize_labels(blocks_from_html(html), CLASSIC_LABELS, is_marker)
    assert [block.text for block in stream] == [
        "Diagnosis:",
        "View main image(bs) in a separate image viewer",
    ]


LOSSY_TOP = """Posterior dynamic images of the kidneys

65 year-old man with a rising creatinine after renal transplantation.


9.8 mCi Tc-99m MAG3 i.v.


The transplant kidney shows prompt perfusion with retention of activity.

References and General Discussion of Renal Scintigraphy (Anatomic field:Genitourinary System, Category:Misc)
"""


def test_a_case_page_whose_top_was_lost_is_still_a_case() -> None:
    case = parse_page(LOSSY_TOP.encode(), SITE_BASE_URL + "rs041te131.html")
    assert (case.case_id, case.full_history, case.findings) == (
        "rs041",
        "65 year-old man with a rising creatinine after renal transplantation.",
        "The transplant kidney shows prompt perfusion with retention of activity.",
    )
    assert {"diagnosis_missing", "brief_history_missing"} <= {issue.code for issue in case.issues}


def test_a_page_with_one_mark_of_a_case_is_named_not_skipped() -> None:
    with pytest.raises(CaseLikePageError, match="looks like a classic case page"):
        parse_page(b"<p><b>Brief history:</b> 23 year-old man.</p>", SITE_BASE_URL + "notes.html")


@pytest.mark.parametrize(
    "html",
    [
        "<h3>bs125: main image(bs)</h3><p><img src=a.jpg></p><p><a href=bs125te148.html>Return</a></p>",
        "<h2>References and General Discussion of Bone Scintigraphy</h2><p>Smith AB. J Nucl Med 1990;1.</p>",
        "<h1>Nuclear Medicine Teaching File</h1><h3>General discussion</h3><ul><li><a href=g.html>x</a></ul>",
        "<ul><li><a href=bs125te148.html>bs125</a> Heterotopic Ossification</li></ul>",
    ],
    ids=["viewer", "general discussion page", "home page", "case list"],
)
def test_pages_that_are_clearly_something_else_are_skipped(html: str) -> None:
    with pytest.raises(NotACasePageError):
        parse_page(html.encode(), SITE_BASE_URL + "page.html")


def test_the_evidence_says_what_it_saw() -> None:
    evidence = weigh_evidence(blocks_from_text(LOSSY_TOP), SITE_BASE_URL + "rs041te131.html")
    assert evidence.template == "classic" and evidence.is_case_page
    assert set(evidence.marks) == {"general discussion line", "case page address"}
