"""Re-running a crawl on an existing archive: conditional requests, and exactly what changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tests.conftest import SITE
from tests.crawl.conftest import FAST, SiteServer, touch_later
from tfmigrate.crawl.archive import WARC_DIR, read_payload
from tfmigrate.crawl.crawler import Crawler, CrawlEvent
from tfmigrate.crawl.state import STATE_FILE, CrawlState


def test_rerun_reports_one_changed_one_gone_and_revalidates_the_rest(
    site_server: SiteServer, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    first = Crawler(site_server.url(), archive, FAST).run()
    changed_page = site_server.root / "bs125te148.html"
    changed_page.write_bytes(
        changed_page.read_bytes().replace(b"Heterotopic Ossification", b"Heterotopic ossification")
    )
    touch_later(changed_page)
    (site_server.root / "comments/bs010.html").unlink()
    site_server.seen.clear()

    second = Crawler(site_server.url(), archive, FAST).run()

    assert first.counts["new"] > 150 and first.run_id != second.run_id
    assert (second.counts["changed"], second.counts["gone"], second.counts["new"]) == (1, 1, 0)
    assert second.counts["unchanged"] == first.counts["new"] - 2
    state = CrawlState.open(archive / STATE_FILE)
    assert [r.url for r in state.rows_with(second.run_id, "changed")] == [site_server.url("bs125te148.html")]
    (gone,) = state.rows_with(second.run_id, "gone")
    assert gone.url == site_server.url("comments/bs010.html") and gone.status == 404
    # A vanished page keeps its last good copy in the archive.
    assert (
        gone.location is not None
        and b"comment" in read_payload(archive / WARC_DIR, gone.location, gone.sha256).lower()
    )
    # Unchanged pages were asked for with the validators stored last time.
    index_requests = site_server.requests_for("index.html")
    assert (
        index_requests and "If-None-Match" in index_requests[0] and "If-Modified-Since" in index_requests[0]
    )


def test_a_304_is_archived_as_a_revisit_of_the_first_capture(site_server: SiteServer, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    Crawler(site_server.url(), archive, FAST).run()
    second = Crawler(site_server.url(), archive, FAST).run()
    (second_warc,) = (archive / WARC_DIR).glob(f"{second.run_id}-*.warc.gz")
    with second_warc.open("rb") as handle:
        revisits = [r for r in ArchiveIterator(handle) if r.rec_type == "revisit"]
    assert len(revisits) == second.counts["unchanged"] > 150
    first_date = revisits[0].rec_headers.get_header("WARC-Refers-To-Date")
    assert first_date and revisits[0].http_headers.get_statuscode() == "304"
    assert len(list((archive / WARC_DIR).glob("*.warc.gz"))) == 2, "each run writes files of its own"


def test_an_unchanged_local_copy_is_not_archived_again(tmp_path: Path) -> None:
    """A folder crawled again adds nothing to the WARC files while its files are the same; a file
    whose bytes changed (same size, same mtime) is archived again and counted as changed."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    (site / "viewer" / "CineViewer.class").write_bytes(b"\xca\xfe")  # no broken link: no 404 to archive
    archive = tmp_path / "archive"
    first = Crawler(str(site), archive, FAST).run()
    before = {p.name: p.stat().st_size for p in (archive / WARC_DIR).iterdir()}
    second = Crawler(str(site), archive, FAST).run()
    assert second.counts["unchanged"] == first.counts["new"] > 150 and second.bytes == 0
    assert {p.name: p.stat().st_size for p in (archive / WARC_DIR).iterdir()} == before

    page = site / "bs125te148.html"
    stat = page.stat()
    page.write_bytes(page.read_bytes().replace(b"Heterotopic Ossification", b"Heterotopic ossificatioN"))
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    third = Crawler(str(site), archive, FAST).run()
    assert (third.counts["changed"], third.counts["unchanged"]) == (1, first.counts["new"] - 1)
    (new_warc,) = set(p.name for p in (archive / WARC_DIR).iterdir()) - set(before)
    assert new_warc.startswith(third.run_id)


def test_a_rerun_leaves_out_of_scope_urls_out_until_the_scope_changes(
    site_server: SiteServer, tmp_path: Path
) -> None:
    """The same start and settings give the same scope: the URLs the last run left out (the
    site's edit, comment and search links) are counted again, not decided again. Other settings
    decide them afresh: with --follow-action-links they are fetched."""
    archive = tmp_path / "archive"
    first = Crawler(site_server.url(), archive, FAST).run()
    events: list[CrawlEvent] = []
    second = Crawler(site_server.url(), archive, FAST, on_event=events.append).run()
    assert second.counts["skipped"] == first.counts["skipped"] > 20
    assert [event for event in events if event.kind == "skipped"] == []
    site_server.seen.clear()
    wider = FAST.model_copy(update={"follow_action_links": True})
    third = Crawler(site_server.url(), archive, wider).run()
    assert third.counts["skipped"] < first.counts["skipped"]
    assert any(path.startswith("/site/cgi-bin/edit.cgi") for path, _ in site_server.seen)
