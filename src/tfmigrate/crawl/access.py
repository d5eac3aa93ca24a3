"""How requests reach a site: through which proxy, and with which login.

Hospital networks reach the outside only through a proxy, and some teaching-file sites sit behind
basic auth. urllib3 reads neither from the environment, so this module does, with the standard
library's readers, as curl and requests do: ``--proxy``, else ``HTTP_PROXY``/``HTTPS_PROXY``
(``urllib.request.getproxies``), except for the hosts ``NO_PROXY`` names; and the login for a host
from ``~/.netrc``, or the file ``NETRC`` names.
"""

from __future__ import annotations

import netrc
import os
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from urllib3.util import make_headers

from tfmigrate.errors import StartError


@dataclass(frozen=True)
class SiteAccess:
    proxy: str | None  # --proxy: every scheme, before the environment's
    environment_proxies: dict[str, str]  # scheme -> proxy URL, from *_PROXY
    logins: netrc.netrc | None
    # (scheme, host) -> its proxy, decided once: urllib's NO_PROXY check reads the whole environment
    # on every call (43 us a request, in an unchanged re-crawl's one busy core; benchmarks/CHANGES.md).
    decided: dict[tuple[str, str], str | None] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_environment(cls, proxy: str | None) -> SiteAccess:
        return cls(proxy, urllib.request.getproxies(), read_netrc())

    def proxy_for(self, url: str) -> str | None:
        """The proxy URL to reach ``url`` through, or None to connect directly."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self.decided:
            self.decided[key] = self.host_proxy(*key)
        return self.decided[key]

    def host_proxy(self, scheme: str, host: str) -> str | None:
        if urllib.request.proxy_bypass(host):  # NO_PROXY
            return None
        proxy = self.proxy or self.environment_proxies.get(scheme)
        if proxy and "://" not in proxy:
            proxy = "http://" + proxy  # HTTP_PROXY=host:port, as curl and requests read it
        return proxy or None

    def authorization(self, url: str) -> str | None:
        """The Authorization header for ``url``'s host when the netrc file has a login for it."""
        host = urlsplit(url).hostname
        entry = self.logins.authenticators(host) if self.logins is not None and host else None
        if entry is None:
            return None
        login, _, password = entry
        return make_headers(basic_auth=f"{login}:{password or ''}")["authorization"]


def read_netrc() -> netrc.netrc | None:
    """``$NETRC`` or ``~/.netrc`` (refused, as Python refuses it, when others may read its passwords)."""
    path = os.environ.get("NETRC")
    try:
        return netrc.netrc(path) if path else netrc.netrc()
    except FileNotFoundError:
        return None
    except (netrc.NetrcParseError, OSError) as exc:
        raise StartError(
            f"cannot read the logins in {path or '~/.netrc'}: {exc}; mend it (chmod 600 when others may"
            " read it) or set NETRC to another file"
        ) from exc
