"""Fetching one URL: over HTTP with urllib3 (retries, timeouts, caps, redirects), or from disk.

The only module that talks HTTP. It uses urllib3's connection pool and Retry directly, not through
requests: requests' per-call preparation (merging session settings, hooks, cookies, re-parsing the
URL) cost 0.34 ms of CPU per conditional request on top of urllib3's 0.22 ms (benchmarks/), and a
re-run is one conditional request per URL. Every way a fetch can fail ends as a ``FetchResult``
with a ``failure`` reason, never as an exception: the crawl records it and goes on.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import mimetypes
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urljoin

import urllib3
from urllib3.util import make_headers, parse_url
from urllib3.util.retry import Retry

from tfmigrate.config import CrawlSettings
from tfmigrate.crawl.access import SiteAccess
from tfmigrate.crawl.bodies import CHUNK_SIZE, BodyDecoder, BodyTooLargeError, decode_payload
from tfmigrate.crawl.urls import Scope, canonical_url, local_file

RETRY_STATUSES = (429, 500, 502, 503, 504)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# Only encodings this module can decode, so the size cap holds after decompression too.
ACCEPT_ENCODING = "gzip, deflate"
NOT_ARCHIVED = "Basic [login from the netrc file, not archived]"
# How a web archive's replay names the headers the original server sent (pywb, the Internet Archive).
ARCHIVE_ORIGINAL_PREFIX = "X-Archive-Orig-"
# The way out of an answer that is not the page, where there is one.
STATUS_HINTS = {
    401: "the site wants a login: put it in ~/.netrc (machine HOST login USER password PASSWORD)",
    407: "the proxy wants a login: --proxy http://USER:PASSWORD@HOST:PORT",
}


@dataclass(frozen=True)
class Replay:
    """Where a response read from a web archive came from: the capture's address there, when it was
    captured (a WARC-Date) and the archive's own digest of its payload, when it gives one."""

    url: str
    captured: str
    digest: str | None = None


@dataclass
class Exchange:
    """One request and its response, as archived: body bytes as transferred (content coding kept)."""

    url: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    http_version: str = "HTTP/1.1"
    body: bytes = b""
    sha256: str | None = None  # of the decoded payload: what a parser reads
    decoded_size: int = 0
    truncated: str | None = None  # WARC-Truncated: length, time or disconnect
    is_http: bool = True
    replay: Replay | None = None  # a capture replayed by a web archive (--wayback), not a live answer

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == name), None)

    def original_header(self, name: str) -> str | None:
        """A header as the site's server sent it: a web archive's replay keeps it under a prefix."""
        if self.replay is not None:
            return self.header(ARCHIVE_ORIGINAL_PREFIX + name)
        return self.header(name)


@dataclass
class FetchResult:
    url: str
    exchanges: list[Exchange] = field(default_factory=list)
    failure: str | None = None
    # Nothing fetched and the archived copy stands (--wayback): the outcome ("unchanged": the same
    # capture; "kept": no longer in the web archive) and why.
    unfetched: tuple[str, str] | None = None

    @property
    def final(self) -> Exchange | None:
        return self.exchanges[-1] if self.exchanges else None


# One GET, never redirected: the exchange (None when no answer came) and why it failed.
Getter = Callable[[str, dict[str, str]], tuple[Exchange | None, str | None]]


class HostGate:
    """At most one request start per ``delay`` seconds to the host, whatever the thread."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.next_start = 0.0

    def wait_turn(self) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_start)
            self.next_start = start + self.delay
        if start > now:
            time.sleep(start - now)


def decode_body(exchange: Exchange) -> bytes:
    """The payload a parser reads: the body with its content coding undone."""
    return decode_payload(exchange.body, exchange.header("Content-Encoding"))


def new_pool(settings: CrawlSettings, proxy: str | None) -> urllib3.PoolManager:
    """Connections kept alive, at most ``concurrency`` per host (a fetch waits for a free one),
    directly or through a proxy (a login in the proxy URL goes in Proxy-Authorization)."""
    retry = Retry(
        total=settings.retries,
        connect=settings.retries,
        read=settings.retries,
        status=settings.retries,
        other=0,
        redirect=0,
        backoff_factor=settings.backoff_factor,
        backoff_jitter=settings.backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        retry_after_max=settings.retry_after_max,
        raise_on_status=False,
    )
    timeout = urllib3.Timeout(connect=settings.connect_timeout, read=settings.read_timeout)
    if proxy is None:
        return urllib3.PoolManager(
            num_pools=4, maxsize=settings.concurrency, block=True, retries=retry, timeout=timeout
        )
    parts = parse_url(proxy)
    login = make_headers(proxy_basic_auth=unquote(parts.auth)) if parts.auth else None
    return urllib3.ProxyManager(
        parts._replace(auth=None).url,
        proxy_headers=login,
        num_pools=4,
        maxsize=settings.concurrency,
        block=True,
        retries=retry,
        timeout=timeout,
    )


class HttpFetcher:
    def __init__(self, settings: CrawlSettings) -> None:
        self.settings = settings
        self.access = SiteAccess.from_environment(settings.proxy)
        self.pools: dict[str | None, urllib3.PoolManager] = {}  # by proxy URL (None: direct)
        self.pools_lock = threading.Lock()
        self.headers = {
            "User-Agent": settings.user_agent,
            "Accept-Encoding": ACCEPT_ENCODING,
            "Accept": "*/*",
        }

    def close(self) -> None:
        for pool in self.pools.values():
            pool.clear()

    def pool_for(self, url: str) -> urllib3.PoolManager:
        proxy = self.access.proxy_for(url)
        with self.pools_lock:
            if (pool := self.pools.get(proxy)) is None:
                pool = self.pools[proxy] = new_pool(self.settings, proxy)
        return pool

    def fetch(
        self, url: str, validators: dict[str, str] | None = None, scope: Scope | None = None
    ) -> FetchResult:
        """GET with conditional headers, following at most max_redirects redirects inside scope."""
        return follow_redirects(url, validators or {}, scope, self.get, self.settings.max_redirects)

    def get(self, url: str, validators: dict[str, str]) -> tuple[Exchange | None, str | None]:
        """One GET, never redirected: the exchange (None when no answer came) and why it failed."""
        headers = {**self.headers, **validators}
        if (authorization := self.access.authorization(url)) is not None:
            headers["Authorization"] = authorization
        try:
            response = self.pool_for(url).request(
                "GET", url, headers=headers, preload_content=False, decode_content=False, redirect=False
            )
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            return None, describe_error(exc)
        exchange = Exchange(
            url=url,
            # An archive is handed on: the login it was fetched with stays out of it.
            request_headers=[(k, NOT_ARCHIVED if k == "Authorization" else v) for k, v in headers.items()],
            status=response.status,
            reason=response.reason or "",
            response_headers=list(response.headers.items()),
            http_version="HTTP/1.0" if response.version == 10 else "HTTP/1.1",
        )
        complete = False
        try:
            failure = self._read_body(response, exchange)
            complete = failure is None
        finally:
            if not complete:
                response.close()  # a body cut short leaves the connection unusable
            response.release_conn()
        if exchange.status in RETRY_STATUSES:
            return exchange, f"HTTP {exchange.status} {exchange.reason} after {self.settings.retries} retries"
        return exchange, failure

    def _read_body(self, response: urllib3.BaseHTTPResponse, exchange: Exchange) -> str | None:
        """Stream the body into the exchange within the caps; the reason when it stops short."""
        decoder = BodyDecoder(exchange.header("Content-Encoding"), self.settings.max_bytes)
        chunks: list[bytes] = []
        deadline = time.monotonic() + self.settings.max_time
        failure = None
        try:
            for chunk in iter_raw(response):
                chunks.append(chunk)
                decoder.feed(chunk)
                if time.monotonic() > deadline:
                    exchange.truncated = "time"
                    failure = f"body not complete after {self.settings.max_time:g} s"
                    break
            else:
                decoder.finish()
        except BodyTooLargeError as exc:
            exchange.truncated, failure = "length", str(exc)
        except zlib.error as exc:
            failure = f"body does not decode as {exchange.header('Content-Encoding')}: {exc}"
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            exchange.truncated, failure = "disconnect", describe_error(exc)
        exchange.body = b"".join(chunks)
        exchange.decoded_size = decoder.size
        exchange.sha256 = decoder.digest.hexdigest()
        return failure


def follow_redirects(
    url: str, validators: dict[str, str], scope: Scope | None, get: Getter, max_redirects: int
) -> FetchResult:
    """GET a URL with its conditional headers through ``get``, following at most ``max_redirects``
    redirects inside scope."""
    result = FetchResult(url=url)
    seen = {url}
    current = url
    for _ in range(max_redirects + 1):
        exchange, failure = get(current, validators if current == url else {})
        if exchange is not None:
            result.exchanges.append(exchange)
        if failure or exchange is None:
            result.failure = failure
            return result
        if exchange.status not in REDIRECT_STATUSES:
            return result
        location = exchange.header("Location")
        if not location:
            result.failure = f"HTTP {exchange.status} redirect without a Location"
            return result
        target = canonical_url(urljoin(current, location))
        refusal = scope.refusal(target) if scope else None
        if refusal:
            result.failure = f"redirect to {target} leaves the crawl's scope ({refusal})"
            return result
        if target in seen:
            result.failure = f"redirect loop back to {target}"
            return result
        seen.add(target)
        current = target
    result.failure = f"more than {max_redirects} redirects"
    return result


def iter_raw(response: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
    """Chunks as they arrive: ``read1`` returns what one read gives, so a server trickling a byte
    at a time cannot hold a fetch past ``max_time`` (``stream`` waits for a full chunk)."""
    while chunk := response.read1(CHUNK_SIZE, decode_content=False):
        yield chunk


# What went wrong and the way out, for every exception urllib3 defines (a test checks that none is
# missing) and the socket and http.client errors it wraps. Looked up by type along the class's MRO,
# never by message text: urllib3's messages are its internals ("HTTPConnectionPool(host=...): Max
# retries exceeded ... Failed to establish a new connection: [Errno 111] ...").
INTERNAL = "an error inside urllib3 (a bug: please report it)"
ERROR_REASONS: dict[type[BaseException], str] = {
    # urllib3.exceptions, every class
    urllib3.exceptions.HTTPError: "HTTP error",
    urllib3.exceptions.PoolError: INTERNAL,
    urllib3.exceptions.RequestError: INTERNAL,
    urllib3.exceptions.MaxRetryError: "retries used up",
    urllib3.exceptions.HostChangedError: INTERNAL,
    urllib3.exceptions.ClosedPoolError: INTERNAL,
    urllib3.exceptions.EmptyPoolError: INTERNAL,
    urllib3.exceptions.FullPoolError: INTERNAL,
    urllib3.exceptions.TimeoutStateError: INTERNAL,
    urllib3.exceptions.BodyNotHttplibCompatible: INTERNAL,
    urllib3.exceptions.UnrewindableBodyError: INTERNAL,
    urllib3.exceptions.TimeoutError: "timeout: raise --timeout if the site is slow",
    urllib3.exceptions.ReadTimeoutError: "read timeout: no data for --timeout seconds (raise it if slow)",
    urllib3.exceptions.ConnectTimeoutError: "connect timeout: the host did not answer; check the network",
    urllib3.exceptions.NewConnectionError: "cannot connect: check the host, the port and the network",
    urllib3.exceptions.NameResolutionError: "DNS lookup failed: check the host name (or the proxy settings)",
    urllib3.exceptions.ProxyError: "the proxy failed: check --proxy or HTTP(S)_PROXY",
    urllib3.exceptions.ProxySchemeUnknown: "unsupported proxy URL: give --proxy as http://HOST:PORT",
    urllib3.exceptions.ProxySchemeUnsupported: "unsupported proxy URL: give --proxy as http://HOST:PORT",
    urllib3.exceptions.SSLError: "TLS failed (certificate or handshake): check the site's certificate",
    urllib3.exceptions.ProtocolError: "connection broken: the server closed it mid-answer; try again later",
    urllib3.exceptions.ResponseNotChunked: "the server broke HTTP (a chunked read of an unchunked body)",
    urllib3.exceptions.IncompleteRead: "body shorter than announced (connection closed early)",
    urllib3.exceptions.InvalidChunkLength: "body shorter than announced (a broken chunk)",
    urllib3.exceptions.DecodeError: "the body does not decode as its Content-Encoding says",
    urllib3.exceptions.ResponseError: "too many error answers",
    urllib3.exceptions.HeaderParsingError: "malformed response headers",
    urllib3.exceptions.InvalidHeader: "malformed request header",
    urllib3.exceptions.LocationValueError: "not a fetchable URL",
    urllib3.exceptions.LocationParseError: "not a fetchable URL",
    urllib3.exceptions.URLSchemeUnknown: "not a fetchable URL (unknown scheme)",
    # What they wrap: the socket below and Python's HTTP parser
    OSError: "network error",
    socket.gaierror: "DNS lookup failed: check the host name (or the proxy settings)",
    TimeoutError: "timeout: raise --timeout if the site is slow",
    ConnectionRefusedError: "connection refused: is the site up, and the URL's port right?",
    ConnectionResetError: "connection reset by the server: try again later, or raise --delay",
    ConnectionAbortedError: "connection aborted: try again later, or raise --delay",
    BrokenPipeError: "connection closed by the server while sending the request: try again later",
    http.client.HTTPException: "not an HTTP answer",
    http.client.BadStatusLine: "not an HTTP answer (bad status line)",
    http.client.RemoteDisconnected: "the server closed the connection without answering: try again later",
    http.client.LineTooLong: "not an HTTP answer (a header line over 64 KiB)",
    http.client.IncompleteRead: "body shorter than announced (connection closed early)",
}


def describe_status(exchange: Exchange) -> str:
    """Why an answer is not the page: its status, and the way out where there is one."""
    text = f"HTTP {exchange.status} {exchange.reason}".strip()
    hint = STATUS_HINTS.get(exchange.status)
    return f"{text}: {hint}" if hint else text


def describe_error(exc: BaseException) -> str:
    """One readable reason and the way out, for the exception a request or a body read raised.

    urllib3 wraps what happened: MaxRetryError holds the last error in ``reason``, ProtocolError the
    socket or parser error in its arguments, NewConnectionError the socket error as its cause; the
    innermost one says most."""
    exc = innermost(exc)
    reason = next((ERROR_REASONS[c] for c in type(exc).__mro__ if c in ERROR_REASONS), None)
    if reason is None:
        return f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    if type(exc) is OSError or reason == INTERNAL:  # no better word for it: name the error too
        return f"{reason} ({type(exc).__name__}: {exc.strerror if isinstance(exc, OSError) else exc})"
    return reason


def innermost(exc: BaseException) -> BaseException:
    while True:
        if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
            exc = exc.reason
        elif (
            isinstance(exc, urllib3.exceptions.ProtocolError)
            and len(exc.args) > 1
            and isinstance(exc.args[1], BaseException)
        ):
            exc = exc.args[1]
        elif isinstance(exc, urllib3.exceptions.NewConnectionError) and isinstance(exc.__cause__, OSError):
            exc = exc.__cause__
        else:
            return exc


class FileFetcher:
    """A site copied to disk (a wget mirror): the same discovery and archive, no network.

    It never opens a file outside ``root``, the start folder, whatever URL it is given."""

    def __init__(self, settings: CrawlSettings, root: Path) -> None:
        self.settings = settings
        self.root = root

    def close(self) -> None:
        pass

    def fetch(
        self, url: str, validators: dict[str, str] | None = None, scope: Scope | None = None
    ) -> FetchResult:
        """The file as a 200 response, a 404 when there is none, or a 304 when its sha256 is the
        ETag the last crawl stored: an unchanged mirror is then archived as revisit records, not
        copied into the archive again on every run."""
        result = FetchResult(url=url)
        path = local_file(url, self.root)
        if path is None:
            result.failure = f"not a file inside the start folder {self.root}: not read"
            return result
        exchange = Exchange(
            url=url, request_headers=[], status=200, reason="OK", response_headers=[], is_http=False
        )
        try:
            if not path.is_file():
                exchange.status, exchange.reason = 404, "Not Found"
                result.exchanges.append(exchange)
                return result
            # O_NOFOLLOW: the resolved path itself, never a symlink put in its place since.
            with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as handle:
                body = read_at_most(handle, self.settings.max_bytes + 1)
                modified = os.fstat(handle.fileno()).st_mtime
        except OSError as exc:
            result.failure = f"cannot read {path}: {exc.strerror or exc}"
            return result
        if len(body) > self.settings.max_bytes:
            result.failure = f"file over the {self.settings.max_bytes:,}-byte cap"
            body, exchange.truncated = body[: self.settings.max_bytes], "length"
        sha256 = hashlib.sha256(body).hexdigest()
        etag = f'"{sha256}"'
        if (validators or {}).get("If-None-Match") == etag and not exchange.truncated:
            exchange.status, exchange.reason = 304, "Not Modified"
            exchange.response_headers = [("ETag", etag)]
            result.exchanges.append(exchange)
            return result
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        exchange.response_headers = [
            ("Content-Type", media_type),
            ("Content-Length", str(len(body))),
            ("Last-Modified", email.utils.formatdate(modified, usegmt=True)),
            ("ETag", etag),
        ]
        exchange.body, exchange.decoded_size, exchange.sha256 = body, len(body), sha256
        result.exchanges.append(exchange)
        return result


def read_at_most(handle: BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` bytes, read a chunk at a time: ``read(limit)`` would allocate all of a
    large ``--max-bytes`` up front for every small file."""
    chunks: list[bytes] = []
    size = 0
    while size < limit and (chunk := handle.read(min(CHUNK_SIZE, limit - size))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
