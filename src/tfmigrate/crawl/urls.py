"""Canonical URLs and the crawl's scope: same host and path prefix, patterns, action links."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# The raw replay in a web archive capture's address (what a reader opens has none): the archive
# index names the capture a reader can open, without importing the Wayback client.
RAW_REPLAY_RE = re.compile(r"/(\d{4,14})id_/")

DEFAULT_PORTS = {"http": 80, "https": 443}
# Edit, comment and search links run CGI programs on the live site: never follow them by default
# (the Wash U footer: "Edit this case", "Add comments about this case", "Search for similar cases").
ACTION_LINK_RE = re.compile(
    r"/cgi-bin/|\.(?:cgi|pl)(?:$|[?/])|[?&](?:action|edit|comment|search)=", re.IGNORECASE
)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, escapes and query normalised."""
    url = canonicalize_url(urldefrag(url.strip())[0], keep_fragments=False)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, ""))


def path_to_url(path: Path) -> str:
    return canonical_url(path.resolve().as_uri())


def file_path(url: str) -> Path:
    """The path a ``file:`` URL names on disk: escapes decoded once (a file's own name may hold a
    ``%``), symlinks and ``..`` resolved. A POSIX path is the URL's path decoded: urllib.request's
    url2pathname says no more, and importing it loads the HTTP client and ssl into every worker."""
    return Path(os.path.realpath(unquote(urlsplit(url).path)))


def local_file(url: str, root: Path) -> Path | None:
    """The file a ``file:`` URL names (``file_path``), or None when it lies outside ``root``.

    A mirror's link ``..%2F..%2Fsecret.txt`` stays inside the folder while it is percent-encoded
    and leaves it once decoded; a symlink in a mirror can point anywhere (``/proc/self/environ``).
    So the decision is made on the path the file system would open, never on the URL's text.
    """
    try:
        path = file_path(url)
    except ValueError:  # %00: no file has a NUL in its name
        return None
    return path if path.is_relative_to(root) else None


@dataclass(frozen=True)
class Scope:
    """Which URLs a crawl may fetch, and why not when it may not.

    ``include`` only widens (a URL matching one is in scope wherever it is); ``exclude`` only narrows
    and wins over everything."""

    scheme: str
    host: str
    path_prefix: str
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    follow_action_links: bool = False
    root: Path | None = None  # a local copy's start folder (resolved): nothing outside it is read

    @classmethod
    def around(
        cls,
        start_url: str,
        include: tuple[str, ...] = (),
        exclude: tuple[str, ...] = (),
        follow_action_links: bool = False,
    ) -> Scope:
        """The scope of a start URL: its scheme and host, and its directory as the path prefix."""
        parts = urlsplit(canonical_url(start_url))
        prefix = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
        root = file_path(f"file://{prefix}") if parts.scheme == "file" else None
        return cls(
            scheme=parts.scheme,
            host=parts.netloc,
            path_prefix=prefix,
            include=tuple(re.compile(p) for p in include),
            exclude=tuple(re.compile(p) for p in exclude),
            follow_action_links=follow_action_links,
            root=root,
        )

    @property
    def schemes(self) -> frozenset[str]:
        """Over HTTP only http(s) links; from disk only file links (never javascript:, mailto:, data:)."""
        return frozenset({"http", "https"}) if self.scheme in ("http", "https") else frozenset({self.scheme})

    def refusal(self, url: str) -> str | None:
        """Why the URL is out of scope, or None when it is in scope."""
        parts = urlsplit(url)
        if parts.scheme not in self.schemes:
            return f"scheme {parts.scheme or 'none'!r} is not crawled"
        # Before --include: no pattern widens a local copy beyond its folder.
        if self.root is not None and (parts.netloc or local_file(url, self.root) is None):
            return f"not a file inside the start folder {self.root}"
        if any(p.search(url) for p in self.exclude):
            return "matches --exclude"
        if any(p.search(url) for p in self.include):
            return None
        if parts.netloc != self.host:
            return f"host {parts.netloc!r} is outside the site"
        if not parts.path.startswith(self.path_prefix):
            return f"path is outside {self.path_prefix!r}"
        if not self.follow_action_links and ACTION_LINK_RE.search(url):
            return "action link (edit, comment or search CGI)"
        return None


def capture_address(replayed_from: str) -> str:
    """A capture's address in its archive (what a reader opens, the archive's banner around it) for
    the raw replay address its bytes were read from."""
    return RAW_REPLAY_RE.sub(r"/\1/", replayed_from, count=1)
