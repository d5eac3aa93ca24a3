"""One frozen settings model for a crawl: politeness, limits, scope, identity."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tfmigrate import __version__
from tfmigrate.timestamps import parse_as_of

DEFAULT_HTTP_DELAY = 1.0


# Upper bounds: a value past them is a typo, and ``inf`` or ``1e300`` seconds once passed and ended
# in an OverflowError from time.sleep or the socket layer.
DAY = 86_400.0
TIB = 1 << 40


class CrawlSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    delay: float | None = Field(
        default=None,
        ge=0,
        le=DAY,
        description="Seconds between requests to one host; default 1 over HTTP, 0 from disk.",
    )
    concurrency: int = Field(default=1, ge=1, le=16, description="Connections at most per host.")
    include: tuple[str, ...] = Field(default=(), description="Regexes: URLs matching one are in scope.")
    exclude: tuple[str, ...] = Field(default=(), description="Regexes: URLs matching one are out of scope.")
    follow_action_links: bool = Field(default=False, description="Also fetch edit/comment/search CGI links.")
    contact: str | None = Field(default=None, description="Who runs the crawl (an e-mail or URL).")
    # Left out of every dump (the state database, manifest.json): a proxy URL may hold a password.
    proxy: str | None = Field(
        default=None, exclude=True, description="http(s)://[USER:PASSWORD@]HOST:PORT, before HTTP(S)_PROXY."
    )
    connect_timeout: float = Field(default=10.0, gt=0, le=DAY)
    read_timeout: float = Field(default=30.0, gt=0, le=DAY)
    max_time: float = Field(default=300.0, gt=0, le=DAY, description="Seconds at most for one response body.")
    max_bytes: int = Field(
        default=64 * 1024 * 1024, gt=0, le=TIB, description="Bytes at most per body, decoded."
    )
    retries: int = Field(default=3, ge=0, le=100, description="Retries on 429/5xx and connection errors.")
    backoff_factor: float = Field(default=0.5, ge=0, le=DAY)
    retry_after_max: int = Field(
        default=60, ge=0, le=DAY, description="Seconds at most of a server's Retry-After."
    )
    crawl_delay_max: float = Field(
        default=60.0, ge=0, le=DAY, description="Seconds at most of a robots.txt Crawl-delay."
    )
    max_redirects: int = Field(default=10, ge=0, le=100)
    warc_max_bytes: int = Field(
        default=512 * 1024 * 1024, gt=0, le=TIB, description="Start a new WARC file past this."
    )

    wayback: str | None = Field(
        default=None,
        description="A Wayback-compatible archive's replay endpoint (https://web.archive.org/web/, a pywb "
        "collection http://host:8080/coll/): the site is read from its captures, not from the live web.",
    )
    cdx: str | None = Field(default=None, description="The archive's CDX API; default: found from wayback.")
    as_of: str | None = Field(
        default=None,
        description="Captures at or before this moment only (14-digit UTC timestamp; default: the newest).",
    )

    @field_validator("include", "exclude")
    @classmethod
    def check_patterns(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        """A pattern that does not compile names itself (``--include "("`` once failed as a bare
        regex error, naming no option)."""
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression ({exc})") from exc
        return patterns

    @field_validator("wayback", "cdx")
    @classmethod
    def archive_is_a_url(cls, url: str | None) -> str | None:
        return http_url(url, "a web archive's address", "http(s)://HOST/PATH/")

    @field_validator("wayback")
    @classmethod
    def replay_base(cls, url: str | None) -> str | None:
        """The replay endpoint ends with a slash: a capture's address is BASE + timestamp + URL."""
        return url if url is None or url.endswith("/") else url + "/"

    @field_validator("as_of")
    @classmethod
    def as_of_timestamp(cls, text: str | None) -> str | None:
        return None if text is None else parse_as_of(text)

    @model_validator(mode="after")
    def archive_options_need_wayback(self) -> CrawlSettings:
        if self.wayback is None and (self.as_of or self.cdx):
            raise ValueError(
                "--as-of and --cdx choose captures in a web archive: give its --wayback BASE too"
            )
        return self

    @field_validator("proxy")
    @classmethod
    def proxy_is_a_url(cls, proxy: str | None) -> str | None:
        return http_url(proxy, "a proxy URL", "http://HOST:PORT")

    def delay_for(self, is_http: bool) -> float:
        if self.delay is not None:
            return self.delay
        return DEFAULT_HTTP_DELAY if is_http else 0.0

    @property
    def user_agent(self) -> str:
        return f"tfmigrate/{__version__} (+{self.contact or 'no contact given'})"


def http_url(url: str | None, what: str, example: str) -> str | None:
    """An http(s) URL with a host, or None; else a ValueError naming what it should have been."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not {what}: give {example}")
    return url
