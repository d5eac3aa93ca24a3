"""The archived original with a field's place marked, from its provenance: the element a value
came from in an HTML page, the lines in a plain-text rendering."""

from __future__ import annotations

import lxml.html

from tests.conftest import REALPAGES, SITE, SITE_BASE_URL
from tfmigrate.parse import trace_page
from tfmigrate.review.original import marked_original


def test_the_diagnosis_is_marked_where_an_html_page_prints_it() -> None:
    raw = (SITE / "bs125te148.html").read_bytes()
    case, provenance = trace_page(raw, SITE_BASE_URL + "bs125te148.html")
    page = lxml.html.document_fromstring(marked_original(raw, case.source.encoding, provenance, "diagnosis"))
    (mark,) = page.xpath("//*[@id='tf-mark']")
    assert "Heterotopic Ossification" in mark.text_content() and "outline" in mark.get("style")
    unmarked = marked_original(raw, case.source.encoding, provenance, None)
    assert "tf-mark" not in unmarked and "Heterotopic Ossification" in unmarked


def test_the_lines_of_a_text_rendering_are_marked() -> None:
    raw = (REALPAGES / "bs125te148.txt").read_bytes()
    case, provenance = trace_page(raw, SITE_BASE_URL + "bs125te148.txt")
    assert case.diagnosis
    page = lxml.html.document_fromstring(marked_original(raw, case.source.encoding, provenance, "diagnosis"))
    (mark,) = page.xpath("//*[@id='tf-mark']")
    assert case.diagnosis.split()[0] in mark.text_content()
    text = marked_original(b"<script>alert(1)</script>\nDiagnosis: x\n", "utf-8", provenance, "diagnosis")
    assert "<script>" not in text and "&lt;script&gt;" in text  # a text rendering is text, escaped


def test_an_image_is_marked_by_its_place_in_the_list() -> None:
    raw = (SITE / "bs125te148.html").read_bytes()
    case, provenance = trace_page(raw, SITE_BASE_URL + "bs125te148.html")
    page = lxml.html.document_fromstring(marked_original(raw, case.source.encoding, provenance, "images[1]"))
    (mark,) = page.xpath("//*[@id='tf-mark']")
    assert "second image" in mark.text_content()
