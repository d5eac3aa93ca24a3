"""What an archive's index knows of its WARC files without opening them."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import SITE
from tests.crawl.conftest import FAST
from tfmigrate.crawl.archive import WARC_DIR
from tfmigrate.crawl.crawler import Crawler
from tfmigrate.crawl.index import ArchiveIndex


def test_a_page_read_from_the_site_names_no_capture_without_its_record_being_opened(tmp_path: Path) -> None:
    """Only a run that read a web archive's captures (--wayback) wrote records that name one; a
    live or local run's WARC files are not opened to find that out (every case of a run once read
    its record's headers for it). Both the run's own index and the lookup its workers open know it."""
    archive = tmp_path / "archive"
    Crawler(str(SITE), archive, FAST).run()
    index = ArchiveIndex.open(archive)
    lookup = tmp_path / "lookup.sqlite"
    index.write_lookup(lookup)
    page = index.get((SITE / "bs125te148.html").as_uri())
    assert page is not None
    shutil.rmtree(archive / WARC_DIR)  # any read of a record now fails
    for opened in (index, ArchiveIndex.open_lookup(lookup, archive / WARC_DIR)):
        assert opened.capture(page.location) == {"archive_url": None, "captured": None}
