"""What a run does with each archived page: parse it, or take what the last run got from the same
bytes (the record it made, or "not a case page") without parsing them again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tfmigrate import __version__
from tfmigrate.crawl.index import ArchivedPage
from tfmigrate.migrate.previous import PreviousRun


@dataclass(frozen=True, slots=True)
class Decision:
    action: Literal["parse", "skip", "reuse"]
    page_case_id: str | None = None  # reuse: the case id the page gives
    record: str | None = None  # reuse: the id of the last run's record made from this page, if any


PARSE = Decision("parse")
SKIP = Decision("skip")


def decide(page: ArchivedPage, previous: PreviousRun) -> Decision:
    """The cases, in order:

    - the last run read no such bytes at this URL with this parser version (a new page, changed
      bytes, a new tfmigrate, or no usable state of the last run): parse;
    - it read them and found no case page: skip them again;
    - it read them and they failed: parse (the failure is named again, or gone);
    - it read a case from them: reuse, with the id the page gives (the run chooses between pages
      with one id by it) and the id of the record made from this page, when that record is still
      there (a page set aside last run, as newtfh's small twin, made none). The worker that makes
      the record reuses it only if its file is what the last run wrote, else parses the page.
    """
    known = previous.pages.get(page.url)
    if known is None or known.sha256 != page.sha256 or known.parser != __version__:
        return PARSE
    if known.result == "skipped":
        return SKIP
    if known.result == "failed" or known.page_case_id is None:
        return PARSE
    record = known.case_id
    if record is not None and (previous.case_urls.get(record) != page.url or record not in previous.case_ids):
        record = None
    return Decision("reuse", known.page_case_id, record)
