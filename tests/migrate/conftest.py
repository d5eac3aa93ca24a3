"""The crawler tests' HTTP server over a copy of the fixture site, for migrate runs over HTTP."""

from tests.crawl.conftest import site_copy, site_server  # noqa: F401
