"""One page per record id, and what was set aside: ``duplicates`` (one page's bytes under another
URL, as ``x/`` and ``x/index.html``) and ``collisions`` (pages with other bytes that give one id).

newtfh's as-submitted page wins over its small twin (``twins``). Pages with the same bytes are one
page: the URL that gave the record last run, else the first, keeps it. Pages with different bytes
that give one case id (a draft copy beside the real page, two folders' index.html) are never chosen
between by their order, which once let a draft replace the real record: the page whose record had
the id last run keeps it, each other page gets an id of its own (``collision_id``), and every
collision is named.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from tfmigrate.twins import twin_kept

# Case ids are at most this long (models.CASE_ID_PATTERN); a collision's id adds 9 characters.
MAX_CASE_ID = 100


class Candidate(Protocol):
    @property
    def url(self) -> str: ...

    @property
    def sha256(self) -> str: ...


C = TypeVar("C", bound=Candidate)


@dataclass
class Choice(Generic[C]):
    chosen: dict[str, C] = field(default_factory=dict)  # record id -> the page that gives it
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    collisions: list[dict[str, Any]] = field(default_factory=list)
    others: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a collision's page -> the other pages


def choose_pages(groups: Mapping[str, Iterable[C]], holders: Mapping[str, str]) -> Choice[C]:
    """``groups``: the pages that give each case id; ``holders``: the page each record came from
    last run, by id."""
    choice: Choice[C] = Choice()
    for page_case_id, pages in sorted(groups.items()):
        distinct = distinct_pages(page_case_id, list(pages), holders.get(page_case_id), choice)
        if len(distinct) == 1:
            choice.chosen[page_case_id] = distinct[0]
            continue
        entries = []
        for page in distinct:
            own = page.url == holders.get(page_case_id)
            case_id = page_case_id if own else collision_id(page_case_id, page.url)
            choice.chosen[case_id] = page
            choice.others[page.url] = tuple(other.url for other in distinct if other is not page)
            entries.append({"url": page.url, "case_id": case_id})
        choice.collisions.append({"case_id": page_case_id, "pages": entries})
    return choice


def distinct_pages(page_case_id: str, pages: list[C], holder: str | None, choice: Choice[C]) -> list[C]:
    """The pages of one id that stand for bytes of their own (by URL), twins and duplicates left
    out (the duplicates named in ``choice``)."""
    distinct: dict[str, C] = {}  # sha256 -> the page that stands for those bytes
    for page in sorted(pages, key=lambda p: (p.url != holder, p.url)):
        if any(twin_kept(page.url, other.url) == other.url for other in pages):
            continue
        if (first := distinct.setdefault(page.sha256, page)) is not page:
            choice.duplicates.append({"case_id": page_case_id, "kept": first.url, "also": page.url})
    return sorted(distinct.values(), key=lambda p: p.url)


def collision_id(case_id: str, url: str) -> str:
    """The id of a page's record when another page gives the same case id: the id and a digest
    of the page's URL, so that it stays the same run after run."""
    return f"{case_id[: MAX_CASE_ID - 9]}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"
