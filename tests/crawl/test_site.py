"""Crawling the fixture site: over HTTP, from a folder and from a file:// URL, into WARC files."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tests.crawl.conftest import FAST, SiteServer, site_files
from tfmigrate.crawl.archive import WARC_DIR, read_payload
from tfmigrate.crawl.crawler import Crawler
from tfmigrate.crawl.state import STATE_FILE, CrawlState

# The Java cine viewer page (gi005, 1997) names an applet class the archive never kept.
MISSING_CLASS = "viewer/CineViewer.class"


def outcomes(archive: Path) -> dict[str, tuple[str, str | None]]:
    db = sqlite3.connect(archive / STATE_FILE)
    return {
        url: (outcome, reason) for url, outcome, reason in db.execute("SELECT url, outcome, reason FROM urls")
    }


def relative(urls: set[str], base: str) -> set[str]:
    return {u[len(base) :] for u in urls if u.startswith(base)}


def test_http_crawl_archives_every_page_and_image_of_the_site(
    site_server: SiteServer, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    summary = Crawler(site_server.url(), archive, FAST).run()
    rows = outcomes(archive)
    fetched = relative({u for u, (o, _) in rows.items() if o == "new"}, site_server.url(""))
    assert fetched == site_files(site_server.root)
    assert summary.failures == [(site_server.url(MISSING_CLASS), "HTTP 404 File not found")]
    skipped = {u: r for u, (o, r) in rows.items() if o == "skipped"}
    assert skipped and all("cgi-bin" in u or u.startswith("mailto:") for u in skipped)
    assert not [p for p, _ in site_server.seen if "cgi-bin" in p]
    # Each URL once: no page was requested twice.
    paths = [p for p, _ in site_server.seen]
    assert len(paths) == len(set(paths))


def test_warc_records_hold_the_bytes_the_state_describes(site_server: SiteServer, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    Crawler(site_server.url(), archive, FAST).run()
    state = CrawlState.open(archive / STATE_FILE)
    rows = [r for r in state.all_rows() if r.has_payload]
    assert len(rows) > 150
    for row in rows:
        assert row.location is not None
        payload = read_payload(archive / WARC_DIR, row.location, row.sha256)
        relative_path = row.url.removeprefix(site_server.url(""))
        if relative_path != "robots.txt":
            assert payload == (site_server.root / relative_path).read_bytes()
    types, ids, concurrent = [], [], []
    for warc in (archive / WARC_DIR).glob("*.warc.gz"):
        with warc.open("rb") as handle:
            for record in ArchiveIterator(handle):
                assert record.rec_headers.protocol == "WARC/1.1"
                types.append(record.rec_type)
                ids.append(record.rec_headers.get_header("WARC-Record-ID"))
                concurrent.append(record.rec_headers.get_header("WARC-Concurrent-To"))
                if record.rec_type == "response":
                    digest = record.rec_headers.get_header("WARC-Payload-Digest")
                    assert digest.startswith("sha256:")
    assert types[0] == "warcinfo"
    assert types.count("request") == types.count("response") > 150
    # Record ids (drawn 256 at a time) are random UUIDs, each record's own; a response names its request.
    assert all(re.fullmatch(r"<urn:uuid:[0-9a-f-]{36}>", i) for i in ids) and len(set(ids)) == len(ids)
    assert {i for i in concurrent if i} == {i for i, t in zip(ids, types, strict=True) if t == "request"}


def test_folder_and_file_url_starts_find_the_same_site(site_server: SiteServer, tmp_path: Path) -> None:
    over_http = tmp_path / "http"
    Crawler(site_server.url(), over_http, FAST).run()
    expected = relative({u for u, (o, _) in outcomes(over_http).items() if o == "new"}, site_server.url(""))
    root_url = site_server.root.resolve().as_uri() + "/"
    for start in (str(site_server.root), root_url + "index.html"):
        archive = tmp_path / ("dir" if not start.startswith("file:") else "file-url")
        summary = Crawler(start, archive, FAST).run()
        found = relative({u for u, (o, _) in outcomes(archive).items() if o == "new"}, root_url)
        assert found == expected, start
        assert [u for u, _ in summary.failures] == [root_url + MISSING_CLASS]
