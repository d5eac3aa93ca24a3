"""A site read from a web archive through its Wayback-compatible APIs (the Internet Archive's
Wayback Machine, pywb, OpenWayback): the one module that knows them.

- Listing: the archive's CDX API, one prefix query over the site's host and path prefix, in JSON,
  paged with the resume key where the server gives one (the Internet Archive, OpenWayback: an
  array of rows, then an empty row and the key). pywb answers one JSON object a line and pages no
  prefix query: a full page without a key is asked for again whole.
- A URL the listing lacks (a link found in a captured page): a Memento TimeGate (RFC 7089),
  ``BASE<URL>`` with ``Accept-Datetime``; the capture it names is in ``Location`` (the Internet
  Archive redirects), ``Content-Location`` or its ``rel="memento"`` link (pywb answers 200).
- The bytes: ``BASE<timestamp>id_/<URL>``, the raw replay, never the archive's banner or its
  rewritten HTML. Replays keep the original server's headers under ``X-Archive-Orig-`` and name
  the capture's moment in ``Memento-Datetime``; an archived redirect's ``Location`` is taken back
  to the original URL it named.

Each URL gets its newest capture with status 200 at or before ``--as-of``; one with none but a
redirect follows the newest redirect. A URL whose capture is the one archived last time is not
fetched again; one the archive no longer holds keeps its archived copy ("kept"). Every request
waits its turn, 429 and 5xx answers are retried with backoff and ``Retry-After`` as for a live
site, and an archive that still answers 429, or stops answering, stops the crawl with a
WaybackError: going on would only get this address blocked for longer.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin, urlsplit

from tfmigrate.config import CrawlSettings
from tfmigrate.crawl.fetch import (
    REDIRECT_STATUSES,
    Exchange,
    FetchResult,
    HostGate,
    HttpFetcher,
    Replay,
    describe_status,
    follow_redirects,
)
from tfmigrate.crawl.urls import Scope, canonical_url
from tfmigrate.errors import WaybackError
from tfmigrate.timestamps import to_datetime, to_timestamp, to_warc_date

CDX_PAGE_ROWS = 5000
# The Internet Archive's hard limits, as its staff gave them to the maintainers of its Python client
# (edgi-govdata-archiving/wayback), asking clients to keep to 80% of them: 30 a minute for its CDX
# and TimeMap APIs, 600 a minute for replays. Replays and TimeGate lookups wait --delay (1 s: 60 a
# minute); CDX and TimeMap queries at least this long (24 a minute), unless --delay is 0 (an archive
# of one's own).
SEARCH_INTERVAL = 2.5
RAW_REPLAY = "id_"
# A replay's headers that are the archive's own, about the capture, not the original server's.
MEMENTO_HEADERS = frozenset({"link", "memento-datetime", "content-location"})
# How often the archive itself may redirect a replay (the Internet Archive sends a timestamp that
# is not a capture's to the nearest capture).
ARCHIVE_REDIRECTS = 3
# How many earlier captures of a URL found through a TimeGate are tried when its capture is no page.
EARLIER_TRIES = 3
# A capture's address after the archive's base: timestamp, an optional replay modifier, the URL
# (the Internet Archive may collapse its ``http://`` to ``http:/``).
CAPTURE_PATH_RE = re.compile(r"(\d{4,14})(?:[a-z0-9]{2}_)?/+(https?):/+(.*)", re.IGNORECASE | re.DOTALL)
# A Link header's or a TimeMap's entries: the target, then its parameters up to the next entry.
LINK_RE = re.compile(r"<([^<>]*)>([^<]*)")
LINK_REL_RE = re.compile(r"""\brel\s*=\s*"?([^";]*)""")
# CDX field names differ: the Internet Archive's and OpenWayback's JSON, pywb's.
CDX_FIELDS = {"original": "url", "statuscode": "status", "mimetype": "mime"}
BASE32_SHA1_RE = re.compile(r"[A-Z2-7]{32}")


@dataclass(frozen=True)
class Capture:
    url: str  # the original URL as the archive keeps it
    timestamp: str
    status: str  # "200", "301", "404", "-" (a revisit) ... ; "" when a TimeGate named it
    digest: str | None = None

    @property
    def moment(self) -> dt.datetime:
        return to_datetime(self.timestamp)


@dataclass(frozen=True)
class ArchivedCopy:
    """What the archive folder holds of a URL already: when its payload was captured (its
    WARC-Date), and whether a redirect led to it (then the payload is another URL's capture)."""

    captured: str
    redirected: bool


class WaybackFetcher:
    """Fetches a URL's capture from a web archive, as HttpFetcher fetches it from the live site."""

    def __init__(self, settings: CrawlSettings, archived: dict[str, ArchivedCopy]) -> None:
        assert settings.wayback is not None
        self.settings = settings
        self.base = settings.wayback
        self.cdx = settings.cdx or cdx_endpoint(self.base)
        self.as_of = settings.as_of
        self.archived = archived
        self.http = HttpFetcher(settings)
        delay = settings.delay_for(True)
        self.gate = HostGate(delay)  # replays and TimeGate lookups
        self.search_gate = HostGate(max(delay, SEARCH_INTERVAL) if delay else 0.0)  # CDX and TimeMap
        self.listed: dict[str, list[Capture]] = {}
        self.found: dict[str, tuple[Capture | None, str]] = {}  # TimeGate answers of this run
        self.timemaps: dict[str, str | None] = {}  # the TimeMap each TimeGate answer named

    def close(self) -> None:
        self.http.close()

    # --- the archive's APIs -------------------------------------------------------------------

    def request(
        self, url: str, headers: dict[str, str] | None = None, search: bool = False
    ) -> tuple[Exchange, str | None]:
        """One request to the archive, in its turn (a search's, or a replay's); a WaybackError when
        it refuses this client or does not answer at all (each request already retried with backoff)."""
        (self.search_gate if search else self.gate).wait_turn()
        exchange, failure = self.http.get(url, headers or {})
        host = urlsplit(url).netloc
        if exchange is None:
            raise WaybackError(
                f"the web archive {host} does not answer ({failure}); the crawl stopped: run the same"
                " command again later and it resumes where it stopped"
            )
        if exchange.status == 429:
            raise WaybackError(
                f"the web archive {host} answers 429 Too Many Requests after {self.settings.retries}"
                " retries: it is limiting this client. The crawl stopped (going on gets an address"
                " blocked; the Internet Archive blocks it for an hour): run the same command again later,"
                " with a longer --delay, and it resumes where it stopped"
            )
        return exchange, failure

    def list_site(self, scope: Scope) -> list[str]:
        """Every URL in scope that the archive's CDX API lists under the site's host and path
        prefix (at or before --as-of), its captures kept for ``fetch``."""
        query = {"url": scope.host + scope.path_prefix, "matchType": "prefix", "output": "json"}
        if self.as_of:
            query["to"] = self.as_of
        resume_key: str | None = None
        first_page = True
        while True:
            paged = {**query, "limit": str(CDX_PAGE_ROWS), "showResumeKey": "true"}
            captures, resume_key = self.query_cdx(paged | ({"resumeKey": resume_key} if resume_key else {}))
            if first_page and resume_key is None and len(captures) >= CDX_PAGE_ROWS:
                captures, _ = self.query_cdx(query)  # pywb: a full page and no key, so the whole list
            first_page = False
            for capture in captures:
                try:
                    url = canonical_url(capture.url)
                except ValueError:
                    continue
                if scope.refusal(url) is None:
                    self.listed.setdefault(url, []).append(capture)
            if resume_key is None:
                return sorted(self.listed)

    def query_cdx(self, query: dict[str, str]) -> tuple[list[Capture], str | None]:
        address = self.cdx + ("&" if "?" in self.cdx else "?") + urlencode(query)
        exchange, failure = self.request(address, search=True)
        if failure or exchange.status != 200:
            reason = failure or describe_status(exchange)
            raise WaybackError(
                f"the web archive's CDX API {self.cdx} cannot list the site ({reason}); give the"
                " archive's CDX API with --cdx, or try again later"
            )
        try:
            return parse_cdx(exchange.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, TypeError, AttributeError, IndexError) as exc:
            raise WaybackError(
                f"{self.cdx} is not a CDX API (its answer is no CDX JSON: {exc}); give the archive's"
                " CDX API with --cdx"
            ) from exc

    def find_by_timegate(self, url: str) -> tuple[Capture | None, str]:
        """The capture a Memento TimeGate names for a URL the listing lacks, or why there is none.
        A TimeGate names the capture nearest the moment asked for, which may come after --as-of:
        then the newest before it is taken from the URL's TimeMap (RFC 7089), which lists them all."""
        if url in self.found:
            return self.found[url]
        moment = to_datetime(self.as_of) if self.as_of else dt.datetime.now(dt.UTC)
        headers = {"Accept-Datetime": email.utils.format_datetime(moment, usegmt=True)}
        exchange, _ = self.request(self.base + url, headers)
        self.timemaps[url] = first_link(exchange.header("Link"), "timemap")
        named = self.capture_at(memento_address(exchange))
        if named is not None and self.is_after_as_of(named.timestamp):
            named = next(iter(self.earlier_captures(url, None)), None)
        found: tuple[Capture | None, str]
        if named is not None:
            found = named, ""
        elif exchange.status == 404:
            found = None, "not in the web archive (its TimeGate answers 404)"
        elif memento_address(exchange) is not None:
            found = None, "the web archive holds no capture of it at or before --as-of"
        else:
            found = None, f"the web archive's TimeGate names no capture of it ({describe_status(exchange)})"
        self.found[url] = found
        return found

    def earlier_captures(self, url: str, before: Capture | None) -> list[Capture]:
        """The captures of a URL its TimeMap lists at or before --as-of (and before ``before``),
        newest first, at most EARLIER_TRIES."""
        timemap = urljoin(self.base, self.timemaps.get(url) or "")
        if not self.timemaps.get(url) or urlsplit(timemap).netloc != urlsplit(self.base).netloc:
            return []  # none named, or one elsewhere: only the archive itself is asked
        exchange, failure = self.request(timemap, search=True)
        if failure or exchange.status != 200:
            return []
        listed = (
            self.capture_at(target)
            for target, rel in links(exchange.body.decode("utf-8", "replace"))
            if "memento" in rel
        )
        earlier = [
            c
            for c in listed
            if c is not None
            and not self.is_after_as_of(c.timestamp)
            and (before is None or c.moment < before.moment)
        ]
        return sorted(earlier, key=lambda c: c.moment, reverse=True)[:EARLIER_TRIES]

    def is_after_as_of(self, timestamp: str) -> bool:
        return self.as_of is not None and to_datetime(timestamp) > to_datetime(self.as_of)

    def capture_at(self, address: str | None) -> Capture | None:
        """The capture an address in this archive names (its status unknown), else None."""
        if not address:
            return None
        address = urljoin(self.base, address)
        base_path = urlsplit(self.base).path
        at = address.find(base_path, len(urlsplit(address).scheme) + 3)
        if at < 0 or not (match := CAPTURE_PATH_RE.fullmatch(address[at + len(base_path) :])):
            return None
        return Capture(url=f"{match[2].lower()}://{match[3]}", timestamp=match[1], status="")

    # --- what the crawl asks for ----------------------------------------------------------------

    def capture_for(self, url: str) -> tuple[Capture | None, str]:
        listed = self.listed.get(url)
        if listed is None:
            return self.find_by_timegate(url)
        return choose_capture(listed, self.as_of)

    def fetch(
        self, url: str, validators: dict[str, str] | None = None, scope: Scope | None = None
    ) -> FetchResult:
        """The URL's chosen capture as its response (archived redirects followed inside scope);
        nothing fetched when its archived copy is that capture already, or the archive no longer
        holds one."""
        capture, reason = self.capture_for(url)
        copy = self.archived.get(url)
        if capture is None:
            if copy is None:
                return FetchResult(url=url, failure=reason)
            return FetchResult(
                url=url, unfetched=("kept", f"{reason}: the copy captured {copy.captured} is kept")
            )
        if copy is not None and not copy.redirected and copy.captured == to_warc_date(capture.timestamp):
            return FetchResult(
                url=url, unfetched=("unchanged", f"the capture of {copy.captured}, archived already")
            )
        return follow_redirects(url, {}, scope, self.replay, self.settings.max_redirects)

    def replay(self, url: str, headers: dict[str, str]) -> tuple[Exchange | None, str | None]:
        """The raw replay of a URL's chosen capture, as if the original server had answered."""
        capture, reason = self.capture_for(url)
        if capture is None:
            return None, reason
        exchange, failure, address = self.fetch_capture(capture)
        if not capture.status and is_no_page(exchange):
            # A TimeGate's capture may be a 304 (a crawl's revisit: unchanged since the capture
            # before), or an error the site answered: the captures before it are tried.
            for earlier in self.earlier_captures(url, capture):
                exchange, failure, address = self.fetch_capture(earlier)
                if not is_no_page(exchange):
                    capture = earlier
                    break
        captured = memento_datetime(exchange)
        if captured is None:
            return None, f"the web archive has no capture at {address} ({describe_status(exchange)})"
        if is_no_page(exchange):
            return None, f"the web archive's capture at {address} is no page ({describe_status(exchange)})"
        exchange.url = url
        exchange.response_headers = [
            (name, self.original_location(value) if name.lower() == "location" else value)
            for name, value in exchange.response_headers
            if name.lower() not in MEMENTO_HEADERS
        ]
        same = to_timestamp(captured) == capture.timestamp
        exchange.replay = Replay(
            url=address,
            captured=to_warc_date(to_timestamp(captured)),
            digest=normal_digest(capture.digest) if same else None,
        )
        return exchange, failure

    def fetch_capture(self, capture: Capture) -> tuple[Exchange, str | None, str]:
        """A capture's raw replay, the archive's own redirects to the capture it holds followed; the
        answer, why it failed, and the address it came from."""
        address = f"{self.base}{capture.timestamp}{RAW_REPLAY}/{capture.url}"
        exchange, failure = self.request(address)
        for _ in range(ARCHIVE_REDIRECTS):
            moved = self.capture_at(exchange.header("Location"))
            if exchange.header("Memento-Datetime") or exchange.status not in REDIRECT_STATUSES or not moved:
                break
            address = f"{self.base}{moved.timestamp}{RAW_REPLAY}/{moved.url}"
            exchange, failure = self.request(address)
        return exchange, failure, address

    def original_location(self, location: str) -> str:
        """An archived redirect's target as the original server named it (an archive may rewrite it
        to its own address of a capture)."""
        named = self.capture_at(location)
        return named.url if named else location


def cdx_endpoint(base: str) -> str:
    """The CDX API beside a replay endpoint: the Internet Archive's for ``.../web/``, else pywb's
    ``<collection>/cdx``."""
    parts = urlsplit(base)
    if parts.path.endswith("/web/"):
        return f"{parts.scheme}://{parts.netloc}{parts.path[: -len('web/')]}cdx/search/cdx"
    return base + "cdx"


def parse_cdx(text: str) -> tuple[list[Capture], str | None]:
    """The captures of a CDX API's JSON answer and the resume key that continues it, if any: an
    array whose first row names the fields (an empty row, then the key, may end it), or pywb's one
    object a line."""
    text = text.strip()
    if not text:
        return [], None
    resume_key = None
    if text.startswith("["):
        rows = json.loads(text)
        names = [CDX_FIELDS.get(name, name) for name in rows[0]] if rows else []
        entries = []
        for at, row in enumerate(rows[1:], start=1):
            if not row:  # the resume key follows
                resume_key = rows[at + 1][0] if at + 1 < len(rows) and rows[at + 1] else None
                break
            entries.append(dict(zip(names, row, strict=False)))
    else:
        entries = [
            {CDX_FIELDS.get(k, k): v for k, v in json.loads(line).items()}
            for line in text.splitlines()
            if line.strip()
        ]
    captures = [
        Capture(
            url=e["url"], timestamp=e["timestamp"], status=str(e.get("status", "")), digest=e.get("digest")
        )
        for e in entries
        if e.get("url") and e.get("timestamp")
    ]
    return captures, resume_key


def choose_capture(captures: list[Capture], as_of: str | None) -> tuple[Capture | None, str]:
    """The newest capture with status 200 at or before ``as_of``, else the newest redirect; None and
    the reason when there is neither."""
    limit = to_datetime(as_of) if as_of else None
    eligible = [c for c in captures if limit is None or c.moment <= limit]
    if not eligible:
        first = min(captures, key=lambda c: c.moment)
        return (
            None,
            f"the web archive's first capture of it is from {to_warc_date(first.timestamp)}, after --as-of",
        )
    for matching in (
        [c for c in eligible if c.status == "200"],
        [c for c in eligible if c.status.isdigit() and int(c.status) in REDIRECT_STATUSES],
    ):
        if matching:
            return max(matching, key=lambda c: c.moment), ""
    statuses = ", ".join(sorted({c.status or "?" for c in eligible}))
    return None, f"the web archive holds no capture of it with status 200 or a redirect (only {statuses})"


def memento_address(exchange: Exchange) -> str | None:
    """The capture a TimeGate's answer names (RFC 7089): its redirect, its Content-Location, or
    its ``rel="memento"`` link."""
    if exchange.status in REDIRECT_STATUSES:
        return exchange.header("Location")
    return exchange.header("Content-Location") or first_link(exchange.header("Link"), "memento")


def links(text: str) -> Iterator[tuple[str, list[str]]]:
    """The entries of a Link header or a TimeMap (RFC 8288 link-format): target, relation types."""
    for link in LINK_RE.finditer(text):
        rel = LINK_REL_RE.search(link[2])
        yield link[1], rel[1].split() if rel else []


def first_link(text: str | None, relation: str) -> str | None:
    return next((target for target, rel in links(text or "") if relation in rel), None)


def is_no_page(exchange: Exchange) -> bool:
    """A capture that is no page: a 304 (unchanged since the capture before) or an error."""
    return exchange.status == 304 or exchange.status >= 400


def memento_datetime(exchange: Exchange) -> dt.datetime | None:
    """When the replayed capture was made; None for an answer that is no capture (an archive's
    error page, or a site that is no web archive)."""
    try:
        moment = email.utils.parsedate_to_datetime(exchange.header("Memento-Datetime") or "")
    except (TypeError, ValueError):
        return None
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def normal_digest(digest: str | None) -> str | None:
    """The archive's payload digest as ``algorithm:value``: a bare base32 digest is SHA-1 (CDX)."""
    if not digest or digest == "-":
        return None
    return f"sha1:{digest}" if BASE32_SHA1_RE.fullmatch(digest) else digest
