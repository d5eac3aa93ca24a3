"""robots.txt as RFC 9309 says: 4xx allows all, 5xx or unreachable disallows all."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

ROBOTS_PRODUCT_TOKEN = "tfmigrate"


@dataclass(frozen=True)
class RobotsRules:
    """What one host's robots.txt allows; ``status`` says how it was obtained."""

    parser: Protego | None
    allow_all: bool
    status: str

    @classmethod
    def from_response(cls, status_code: int | None, body: bytes) -> RobotsRules:
        if status_code is None:
            return cls(parser=None, allow_all=False, status="unreachable: every URL disallowed")
        if 200 <= status_code < 300:
            text = body.decode("utf-8", errors="replace")
            return cls(parser=Protego.parse(text), allow_all=False, status=f"{status_code}: rules read")
        if 400 <= status_code < 500:
            return cls(parser=None, allow_all=True, status=f"{status_code}: every URL allowed")
        return cls(parser=None, allow_all=False, status=f"{status_code}: every URL disallowed")

    @classmethod
    def allowing_all(cls, why: str) -> RobotsRules:
        return cls(parser=None, allow_all=True, status=why)

    def can_fetch(self, url: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, ROBOTS_PRODUCT_TOKEN))

    @property
    def crawl_delay(self) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(ROBOTS_PRODUCT_TOKEN)
        return float(delay) if delay is not None else None


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
