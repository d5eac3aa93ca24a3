"""Canonical URLs, the crawl's scope, and the links a page leads to."""

from __future__ import annotations

import pytest

from tfmigrate.crawl.links import extract_links
from tfmigrate.crawl.urls import Scope, canonical_url

CANONICAL = [
    ("HTTP://Gamma.WUSTL.edu/bs125te148.html", "http://gamma.wustl.edu/bs125te148.html"),
    ("http://gamma.wustl.edu:80/bs125te148.html#images", "http://gamma.wustl.edu/bs125te148.html"),
    ("https://gamma.wustl.edu:443/a/../b.html", "https://gamma.wustl.edu/b.html"),
    ("http://gamma.wustl.edu:8080/x%7e.html", "http://gamma.wustl.edu:8080/x~.html"),
    ("http://gamma.wustl.edu/cgi-bin/s.cgi?b=2&a=1", "http://gamma.wustl.edu/cgi-bin/s.cgi?a=1&b=2"),
    ("http://gamma.wustl.edu/case list.html", "http://gamma.wustl.edu/case%20list.html"),
    ("http://gamma.wustl.edu", "http://gamma.wustl.edu/"),
]


@pytest.mark.parametrize(("url", "expected"), CANONICAL, ids=[c[0] for c in CANONICAL])
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected


SCOPE = Scope.around("http://gamma.wustl.edu/tf/index.html")
SCOPE_ROWS = [
    ("http://gamma.wustl.edu/tf/bs125te148.html", None),
    ("https://gamma.wustl.edu/tf/bs125te148.html", None),
    ("http://gamma.wustl.edu/tf/newtfh/general/combined/small_271472.html", None),
    ("http://gamma.wustl.edu/other/page.html", "outside"),
    ("http://evil.example/tf/x.html", "host"),
    ("http://gamma.wustl.edu/tf/cgi-bin/edit.cgi?case=bs125", "action link"),
    ("http://gamma.wustl.edu/tf/search.pl?q=bone", "action link"),
    ("mailto:tf@wustl.edu", "scheme"),
    ("javascript:alert(1)", "scheme"),
    ("file:///etc/passwd", "scheme"),
    ("data:text/html,<script>", "scheme"),
]


@pytest.mark.parametrize(("url", "refusal"), SCOPE_ROWS, ids=[r[0][:50] for r in SCOPE_ROWS])
def test_scope(url: str, refusal: str | None) -> None:
    result = SCOPE.refusal(url)
    assert (result is None) if refusal is None else (result is not None and refusal in result)


def test_include_and_exclude_patterns() -> None:
    scope = Scope.around("http://h/tf/", include=(r"^http://h/shared/",), exclude=(r"/private/",))
    assert scope.refusal("http://h/shared/icons/a.gif") is None
    assert scope.refusal("http://h/tf/private/a.html") == "matches --exclude"
    # --include widens: what was in scope stays in scope.
    assert scope.refusal("http://h/tf/a.html") is None
    assert scope.refusal("http://h/elsewhere/a.html") == "path is outside '/tf/'"
    assert Scope.around("file:///srv/site/").refusal("http://h/a.html") is not None


def test_links_of_case_pages_viewers_and_applets() -> None:
    html = b"""<html><body background="bg.gif"><a href="viewer/bs125-main.html">main image</a>
    <img src="icons/rule.gif"><a href="#top">top</a><a href="mailto:a@b">mail</a>
    <applet code="CineViewer.class"><param name="frames" value="../images/gi005/cine.gif">
    <param name="n" value="12"></applet><a href="viewer/bs125-main.html">again</a><a href="http://[broken">x</a></body></html>"""
    assert extract_links(html, "http://h/tf/bs125te148.html") == [
        "http://h/tf/bg.gif",
        "http://h/tf/viewer/bs125-main.html",
        "http://h/tf/icons/rule.gif",
        "http://h/tf/bs125te148.html#top",
        "mailto:a@b",
        "http://h/tf/CineViewer.class",
        "http://h/images/gi005/cine.gif",
    ]


def test_links_of_broken_markup() -> None:
    assert extract_links(b"", "http://h/") == []
    assert extract_links(b"<a href='x.html'", "http://h/") == []
    assert extract_links(b"\x00\xff<a href=y.html>y", "http://h/") == ["http://h/y.html"]
