"""``state.json``: what each archived page gave a run, for the next run to reuse.

A typed file of its own (``report.json`` is for people, and once served as this cache through
untyped dicts): the next run takes it only when it is what the last run wrote (its manifest's
sha256) and validates it as a whole, so that a damaged one is named and set aside (every page is
then parsed again), never half-read.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

STATE_FILE = "state.json"


class PageState(BaseModel):
    """What one page gave: its bytes, the parser that read them, and the result."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str
    parser: str  # the tfmigrate version that read the page
    result: Literal["case", "skipped", "failed"]
    page_case_id: str | None = None  # a case page: the id it gives (printed, or from its URL)
    case_id: str | None = None  # the id of the record made from it (another on a collision), if any


class RunState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    pages: dict[str, PageState]  # by URL
