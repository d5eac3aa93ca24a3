"""The site's own text around a case (a menu, a banner, a footer) is kept apart from the case."""

from __future__ import annotations

import pytest

from tests.conftest import SITE_BASE_URL
from tfmigrate.models import Case
from tfmigrate.parse import parse_page

URL = SITE_BASE_URL + "bs900te100.html"
BYLINE = "<p><b>Case Author(s):</b> Ann Lee, M.D. , 3/8/96 . Rating: #D2, #Q3"
HEAD = (
    f"{BYLINE}<p><b>Diagnosis:</b> Paget's disease<p><b>Brief history:</b><p>54 year-old man with back pain."
    "<hr><p>Anterior and posterior images<p>View <a href=v.html>main image</a>(bs) in a separate image viewer"
)
BODY = (
    "<p>Full history/Diagnosis is available below<p><b>Diagnosis:</b> Paget's disease<p><b>Full history:</b>"
    "<p>54 year-old man with back pain for eight months.<hr><p>20 mCi Tc-99m MDP i.v.<hr>"
    "<p>Markedly increased uptake in the right humerus.<hr><p>Paget's disease leads to intense uptake."
)


def case_of(body: str) -> Case:
    return parse_page(f"<html><body>{body}</body></html>".encode(), URL)


def test_a_menu_column_is_kept_as_the_sites_links() -> None:
    menu = "<a href=/>Home</a><br><a href=list.html>Case List</a><br><a href=s.html>Search</a>"
    case = case_of(f"<table><tr><td>{menu}</td><td>{HEAD}{BODY}</td></tr></table>")
    assert [(link.text, link.url) for link in case.links.site] == [
        ("Home", "http://gamma.wustl.edu/"),
        ("Case List", "http://gamma.wustl.edu/list.html"),
        ("Search", "http://gamma.wustl.edu/s.html"),
    ]
    assert case.brief_history == "54 year-old man with back pain."
    assert case.unassigned == []


@pytest.mark.parametrize(
    "menu",
    ["<p>[ <a href=/>Home</a> | <a href=c.html>Cases</a> ]", "<p><a href=/>Teaching File Home</a>"],
    ids=["a bar of links", "one link over the case"],
)
def test_a_menu_bar_or_a_link_over_the_case_is_the_sites(menu: str) -> None:
    case = case_of(f"{menu}{HEAD}{BODY}")
    assert case.links.site and case.brief_history == "54 year-old man with back pain."


def test_linked_codes_and_a_linked_citation_stay_case_text() -> None:
    citation = "Smith AB, Jones CD. Scintigraphy of Paget's disease. J Nucl Med 1990;31:100-105."
    case = case_of(
        f"{HEAD}{BODY}<p>References:<p><a href=pubmed.html>{citation}</a><p><b>ACR Codes and Keywords:</b>"
        "<p><a href=acr.html?4.4>4.4</a><br><a href=acr.html?642.3212>642.3212</a>"
    )
    assert case.links.site == []
    assert [reference.text for reference in case.references] == [citation]
    assert case.acr_codes == ["4.4", "642.3212"]


def test_a_footer_and_a_banner_are_unplaced_not_case_text() -> None:
    case = case_of(
        f"<h1>Nuclear Medicine Teaching File</h1>{HEAD}{BODY}<hr><address>Webmaster: nm@mir.wustl.edu"
        "<br>Last modified: March 3, 1997</address>"
    )
    assert case.discussion == "Paget's disease leads to intense uptake."
    assert case.brief_history == "54 year-old man with back pain."
    assert case.unassigned == [
        "Nuclear Medicine Teaching File",
        "Webmaster: nm@mir.wustl.edu",
        "Last modified: March 3, 1997",
    ]
    assert sum(issue.code == "unassigned_text" for issue in case.issues) == 3


def test_keywords_end_at_the_templates_next_fixed_line() -> None:
    case = case_of(
        f"{HEAD}{BODY}<p><b>ACR Codes and Keywords:</b><p>osteitis deformans<p>Copyright by Wash U MO"
        "<p>Visit our other teaching files"
    )
    assert case.keywords == ["osteitis deformans"]
    assert case.unassigned == ["Visit our other teaching files"]


def test_a_byline_with_an_address_is_the_byline() -> None:
    case = case_of(HEAD.replace("Ann Lee, M.D. ,", "Ann Lee, M.D. alee@wustl.edu ,") + BODY)
    assert case.authors[0].name == "Ann Lee" and case.unassigned == []
