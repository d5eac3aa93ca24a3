"""migrate against sites and outputs built to lose case content: redirected case pages, pages
served under the wrong media type, case ids that collide, prunes of pages that only looked gone,
damaged or hand-edited files of the last run. Nothing may be lost without a word."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.crawl.conftest import SiteServer
from tests.test_cli import run
from tfmigrate.models import Case


def migrate(*args: str | Path) -> Any:
    result = run("migrate", *args, "-q")
    assert result.returncode in (0, 1), result.stderr
    return result


def record(out: Path, case_id: str) -> Case:
    return Case.model_validate_json((out / "cases" / f"{case_id}.json").read_bytes())


def load(out: Path, name: str) -> Any:
    return json.loads((out / name).read_text(encoding="utf-8"))


def test_a_redirected_case_page_keeps_its_images(site_server: SiteServer, tmp_path: Path) -> None:
    """The case page moved into a folder of its own: its old address answers 301 (here the server's
    own redirect of a folder to its index), and its links are relative to the new address. The
    crawl fetches the images relative to the redirect's target; the record finds them there too."""
    site = site_server.root
    moved = site / "bs125"
    moved.mkdir()
    page = (site / "bs125te148.html").read_bytes()
    (moved / "index.html").write_bytes(page.replace(b"HREF=viewer/", b"HREF=../viewer/"))
    (site / "bs125te148.html").unlink()
    for listing in site.glob("*.html"):
        listing.write_bytes(listing.read_bytes().replace(b"bs125te148.html", b"bs125"))
    out = tmp_path / "out"
    migrate(site_server.url(), "--delay", "0", "--out", out)
    case = record(out, "bs125")
    assert case.source.url == site_server.url("bs125")
    assert [image.path for image in case.images if image.path] and len(case.images) == 4
    assert not [issue for issue in case.issues if issue.code == "image_missing"], case.issues


def test_case_pages_served_as_other_media_types_are_parsed(site_server: SiteServer, tmp_path: Path) -> None:
    """Two case pages the server calls image/jpeg and application/octet-stream (their names end in
    .jpg and .bin): their bytes are HTML pages, so they are crawled for links and parsed, and each
    record says what the server called it. They once vanished: not parsed, not failed, not listed."""
    site = site_server.root
    renamed = {"bs125te148.html": "bs125te148.jpg", "bs054te143.html": "bs054te143.bin"}
    for old, new in renamed.items():
        (site / old).rename(site / new)
    for listing in site.glob("*.html"):
        text = listing.read_bytes()
        for old, new in renamed.items():
            text = text.replace(old.encode(), new.encode())
        listing.write_bytes(text)
    out = tmp_path / "out"
    migrate(site_server.url(), "--delay", "0", "--out", out)
    for case_id, served_as in (("bs125", "image/jpeg"), ("bs054", "application/octet-stream")):
        case = record(out, case_id)
        (mismatch,) = [issue for issue in case.issues if issue.code == "media_type_mismatch"]
        assert f"served as {served_as}" in mismatch.message
        assert case.images and all(image.path for image in case.images), case_id
