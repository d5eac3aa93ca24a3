"""migrate against sites and outputs built to lose case content: redirected case pages, pages
served under the wrong media type, case ids that collide, prunes of pages that only looked gone,
damaged or hand-edited files of the last run. Nothing may be lost without a word."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.crawl.conftest import SiteServer, site_copy, site_server  # noqa: F401
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


def test_a_redirected_case_page_keeps_its_images(site_server: SiteServer, tmp_path: Path) -> None:  # noqa: F811
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
