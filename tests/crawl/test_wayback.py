"""migrate --wayback: the fixture site rescued from a real pywb on 127.0.0.1, its own server stopped.

The archive is made as an archivist's would be: the site crawled by tfmigrate (its WARC files), one
case page changed and the site crawled again a second later, both crawls indexed by pywb's own
``wb-manager``. A second collection, ``partial``, indexes the same files less every capture of two
URLs: its CDX API is a listing that misses them, and as a web archive it no longer holds them.
Each run is made once for the module and each test reads what it left.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from warcio.archiveiterator import ArchiveIterator
from werkzeug import Request, Response

from tests.conftest import REPO, SITE, Ran
from tests.crawl.conftest import FAST, SiteHandler, SiteHTTPServer, SiteServer
from tests.crawl.pywb import Pywb
from tests.crawl.test_errors import free_port
from tests.crawl.test_faults import http_server  # noqa: F401
from tests.crawl.test_resume import done_count
from tfmigrate.cli import main
from tfmigrate.config import CrawlSettings
from tfmigrate.crawl.archive import WARC_DIR
from tfmigrate.crawl.state import STATE_FILE
from tfmigrate.crawl.urls import Scope, capture_address
from tfmigrate.crawl.wayback import (
    CDX_PAGE_ROWS,
    ArchivedCopy,
    Capture,
    WaybackFetcher,
    cdx_endpoint,
    choose_capture,
    parse_cdx,
)
from tfmigrate.errors import WaybackError
from tfmigrate.timestamps import parse_as_of, to_timestamp

CHANGED_PAGE = "bs125te148.html"
# Captures the partial collection leaves out: a case page (linked from its case list) and an image
# viewer page (linked from a case page); its listing misses them, and a TimeGate there finds nothing.
LEFT_OUT = ("bs003te114.html", "viewer/bs125-main.html")
SOURCE_FROM_THE_ARCHIVE = ("archive_url", "captured")


class MovedHomeHandler(SiteHandler):
    """The fixture site, whose old home page address redirects (301) to the new one."""

    def send_head(self):  # type: ignore[no-untyped-def]
        if self.path == self.server.site.prefix + "home.html":
            self.send_response(301)
            self.send_header("Location", "index.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return super().send_head()


@dataclass(frozen=True)
class Snapshot:
    """What one run left: its exit and output lines, its records, changes.json and report.json."""

    result: Ran
    out: Path
    cases: dict[str, dict[str, Any]]
    changes: dict[str, Any]
    report: dict[str, Any]

    @classmethod
    def take(cls, result: Ran, out: Path) -> Snapshot:
        def load(path: Path) -> Any:
            return json.loads(path.read_text(encoding="utf-8"))

        cases = {p.stem: load(p) for p in sorted((out / "cases").glob("*.json"))}
        return cls(result, out, cases, load(out / "changes.json"), load(out / "report.json"))


@dataclass
class Rescue:
    pywb: Pywb
    start: str  # the site's original address; nothing answers there any more
    site_url: str
    live: Snapshot  # migrated from the live site, before it died
    as_of: str  # after the first crawl's captures, before the second's


def tfmigrate(*args: str | Path) -> Ran:
    """The command line in this process, as the ``in_process`` fixture runs it, for module fixtures
    too: starting an interpreter costs a second a run (a run a test kills has a process of its own)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(arg) for arg in args])
    return Ran(code, out.getvalue(), err.getvalue())


def wayback_settings(base: str, **more: str) -> CrawlSettings:
    return CrawlSettings(**{**FAST.model_dump(), "wayback": base, **more})


def next_second() -> str:
    """The timestamp of this second, once it is over: every capture made so far is at or before it."""
    now = dt.datetime.now(dt.UTC)
    time.sleep(1.05 - now.microsecond / 1e6)
    return to_timestamp(now)


@pytest.fixture(scope="module")
def rescue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rescue]:
    root = tmp_path_factory.mktemp("wayback")
    pywb = Pywb(root / "pywb")  # first: where there is no pywb, the tests skip before any work
    shutil.copytree(SITE, root / "site")
    server = SiteHTTPServer(("127.0.0.1", 0), MovedHomeHandler)
    server.site = SiteServer(root=root / "site", port=server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        start = server.site.url("home.html")
        live = root / "live"
        first = tfmigrate("migrate", start, "--out", live, "--delay", "0", "--jobs", "1", "-q")
        assert first.returncode == 1, first.stderr  # 1: the fixture's missing applet class
        as_of = next_second()
        page = root / "site" / CHANGED_PAGE
        page.write_bytes(page.read_bytes().replace(b"Heterotopic Ossification", b"Myositis Ossificans"))
        second = tfmigrate("crawl", start, "--archive", live / "archive", "--delay", "0", "-q")
        assert "changed 1," in second.stdout, second.stdout + second.stderr
    finally:
        server.shutdown()
        server.server_close()
    warcs = sorted((live / "archive" / WARC_DIR).glob("*.warc.gz"))
    pywb.add_collection("site", warcs)
    pywb.copy_collection("partial", "site", leave_out=[server.site.url(path) for path in LEFT_OUT])
    pywb.start()
    try:
        yield Rescue(pywb, start, server.site.url(""), Snapshot.take(first, live), as_of)
    finally:
        pywb.stop()


@pytest.fixture(scope="module")
def rescued(rescue: Rescue, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Snapshot]:
    """The runs, in order: the site as it was at --as-of, then at its newest captures (into the same
    DIR), then from the partial collection (the same DIR again); and, into a DIR of its own, the site
    with the partial collection's listing."""
    out, lagging = tmp_path_factory.mktemp("rescued") / "out", tmp_path_factory.mktemp("lagging") / "out"
    site, partial = rescue.pywb.url("site"), rescue.pywb.url("partial")

    def migrate(into: Path, *options: str) -> Snapshot:
        result = tfmigrate(
            "migrate", rescue.start, "--out", into, "--delay", "0", "--jobs", "1", "-q", *options
        )
        return Snapshot.take(result, into)

    return {
        "as_of": migrate(out, "--wayback", site, "--as-of", rescue.as_of),
        "newest": migrate(out, "--wayback", site),
        "pruned": migrate(out, "--wayback", partial),
        "lagging": migrate(lagging, "--wayback", site, "--cdx", partial + "cdx"),
    }


def without_capture(record: dict[str, Any]) -> dict[str, Any]:
    source = {k: v for k, v in record["source"].items() if k not in SOURCE_FROM_THE_ARCHIVE}
    return {**record, "source": source}


MISSING_APPLET = "viewer/CineViewer.class"


def test_the_site_read_from_the_archive_gives_the_records_of_the_live_site(
    rescue: Rescue, rescued: dict[str, Snapshot]
) -> None:
    rescued_at = rescued["as_of"]
    # The one URL the live crawl could not fetch: the archive holds only its 404.
    assert rescued_at.result.returncode == 1
    assert rescued_at.result.stderr == (
        f"failed {rescue.site_url}{MISSING_APPLET}: the web archive holds no capture of it with status 200"
        " or a redirect (only 404)\n"
    )
    assert len(rescued_at.cases) == 31
    assert {k: without_capture(v) for k, v in rescued_at.cases.items()} == rescue.live.cases
    # Each record names its capture: the archive's address of it, and when it was made.
    for case_id, record in rescued_at.cases.items():
        source = record["source"]
        captured = dt.datetime.fromisoformat(source["captured"])
        assert source["archive_url"] == f"{rescue.pywb.url('site')}{to_timestamp(captured)}/{source['url']}"
        assert to_timestamp(captured) <= rescue.as_of, case_id
    # The old home page address: its archived redirect was followed to the new one.
    with sqlite3.connect(rescued_at.out / "archive" / STATE_FILE) as db:
        (final,) = db.execute("SELECT final_url FROM urls WHERE url = ?", (rescue.start,)).fetchone()
    assert final == rescue.site_url + "index.html"


def test_archived_records_are_keyed_by_the_original_url_and_name_their_capture(
    rescue: Rescue, rescued: dict[str, Snapshot]
) -> None:
    out = rescued["as_of"].out
    record = rescued["as_of"].cases["bs125"]["source"]
    captures = {}  # WARC-Date -> the fields of the URL's records (the DIR was re-run since: several)
    for warc in sorted((out / "archive" / WARC_DIR).glob("*.warc.gz")):
        with warc.open("rb") as handle:
            for entry in ArchiveIterator(handle):
                if entry.rec_headers.get_header("WARC-Target-URI") == record["url"]:
                    assert entry.rec_type == "response"  # no request record: none went to the site
                    captures[entry.rec_headers.get_header("WARC-Date")] = dict(entry.rec_headers.headers)
    headers = captures[record["captured"].replace("+00:00", "Z")]
    timestamp = to_timestamp(dt.datetime.fromisoformat(record["captured"]))
    assert headers["WARC-Source-URI"] == f"{rescue.pywb.url('site')}{timestamp}id_/{record['url']}"
    # pywb's digest is the one our first crawl wrote, of the same bytes.
    assert headers["WARC-Source-Payload-Digest"] == headers["WARC-Payload-Digest"]


def test_doctor_and_exports_read_a_rescued_dir_as_any_other(
    rescued: dict[str, Snapshot], tmp_path: Path
) -> None:
    out = rescued["as_of"].out  # re-run twice since, from two collections
    doctor = tfmigrate("doctor", out, "-q")
    assert (doctor.returncode, doctor.stdout) == (0, "")
    exported = tfmigrate("export", out, "--format", "csv", "--out", tmp_path / "csv")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.endswith(f"exported 31 cases as csv -> {tmp_path / 'csv'}\n")


def test_a_newer_capture_updates_its_record_and_as_of_picks_the_older(
    rescue: Rescue, rescued: dict[str, Snapshot]
) -> None:
    before, after = rescued["as_of"], rescued["newest"]
    assert before.cases["bs125"]["diagnosis"] == "Heterotopic Ossification"
    assert after.cases["bs125"]["diagnosis"] == "Myositis Ossificans"
    assert after.cases["bs125"]["source"]["captured"] > before.cases["bs125"]["source"]["captured"]
    [changed] = after.changes["changed"]
    assert changed["case_id"] == "bs125"
    assert {"diagnosis", "title", "source"} <= set(changed["fields"])
    assert len(after.changes["unchanged"]) == 30
    # Only the new capture was fetched: the others were archived already.
    assert after.report["crawl"] == {"changed": 1, "failed": 1, "skipped": 66, "unchanged": 210}


def test_captures_that_left_the_archive_keep_their_records(rescued: dict[str, Snapshot]) -> None:
    before, after = rescued["newest"], rescued["pruned"]
    assert after.result.returncode == 1, after.result.stderr  # the applet class again, nothing else
    assert after.report["crawl"]["kept"] == 2
    assert after.cases == before.cases
    assert len(after.changes["unchanged"]) == 31
    assert not any(after.changes[kind] for kind in ("added", "changed", "withdrawn", "failed", "kept"))


def test_a_capture_the_listing_misses_is_found_through_a_link(
    rescue: Rescue, rescued: dict[str, Snapshot]
) -> None:
    listing = run_cdx(rescue, "partial")
    assert not any(url.endswith(LEFT_OUT) for url in listing)  # the premise: the listing misses them
    lagging = rescued["lagging"]
    # bs003 and bs125's main image viewer included: found through links, by a TimeGate. Its capture is
    # the second crawl's 304 (a revisit record): the one before it, from the TimeMap, is the page.
    assert lagging.cases == rescued["newest"].cases
    with sqlite3.connect(lagging.out / "archive" / STATE_FILE) as db:
        outcomes = dict(db.execute("SELECT url, outcome FROM urls"))
    assert [outcomes[rescue.site_url + path] for path in LEFT_OUT] == ["new", "new"]


def run_cdx(rescue: Rescue, collection: str) -> list[str]:
    fetcher = WaybackFetcher(wayback_settings(rescue.pywb.url(collection)), {})
    try:
        return fetcher.list_site(Scope.around(rescue.start))
    finally:
        fetcher.close()


def test_a_killed_rescue_resumes(rescue: Rescue, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    arguments = [
        "crawl",
        rescue.start,
        "--archive",
        archive,
        "--wayback",
        rescue.pywb.url("site"),
        # Results are committed once a second: at no delay the whole rescue (211 URLs) once ended
        # within its first second, so the state said 30 were done only once all were.
        "--delay",
        "0.02",
    ]
    command = [sys.executable, "-m", "tfmigrate", *map(str, arguments), "-q"]
    killed = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while done_count(archive) < 30 and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert killed.poll() is None, "the crawl ended before it could be killed"
    killed.send_signal(signal.SIGKILL)
    killed.wait()

    resumed = tfmigrate(*arguments)  # a run that need not be killed: in this process

    assert resumed.returncode == 1, resumed.stderr  # the applet class
    assert "(resumed)" in resumed.stdout
    with sqlite3.connect(archive / STATE_FILE) as db:
        states = {state for (state,) in db.execute("SELECT state FROM urls")}
        archived = {url for (url,) in db.execute("SELECT url FROM urls WHERE sha256 IS NOT NULL")}
    assert states == {"done"}
    assert len(archived) == 211  # every URL of the site, as in one run


# --- an archive that refuses this client -------------------------------------------------------------


@pytest.fixture
def archive_server(http_server: HTTPServer) -> HTTPServer:  # noqa: F811
    """A web server on 127.0.0.1 standing in for an archive's API, its answers set by each test."""
    http_server.clear()
    return http_server


def test_an_archive_that_answers_429_stops_the_crawl_clearly(
    archive_server: HTTPServer, tmp_path: Path
) -> None:
    archive_server.expect_request(re.compile(".*")).respond_with_data(
        "slow down", status=429, headers={"Retry-After": "0"}
    )
    base = archive_server.url_for("/web/")
    archive = tmp_path / "archive"
    # The original host is never asked: it may be long gone (.invalid never resolves).
    result = tfmigrate("crawl", "http://gamma.invalid/tf/home.html", "--wayback", base, "--archive", archive,
                 "--retries", "1", "--delay", "0")  # fmt: skip
    assert result.returncode == 2
    host = base.split("/")[2]
    assert result.stderr == (
        f"tfmigrate: error: the web archive {host} answers 429 Too Many Requests after 1 retries: it is"
        " limiting this client. The crawl stopped (going on gets an address blocked; the Internet Archive"
        " blocks it for an hour): run the same command again later, with a longer --delay, and it resumes"
        " where it stopped\n"
    )
    assert len(archive_server.log) == 2  # the CDX query and its one retry, then nothing
    with sqlite3.connect(archive / STATE_FILE) as db:
        assert db.execute("SELECT finished FROM runs").fetchall() == [(None,)]  # the next run resumes it


def test_an_archive_that_does_not_answer_stops_the_crawl(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    result = tfmigrate("crawl", "http://gamma.invalid/tf/home.html", "--wayback", f"http://127.0.0.1:{port}/web/",
                 "--archive", tmp_path / "archive", "--retries", "0")  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(f"tfmigrate: error: the web archive 127.0.0.1:{port} does not answer (")
    assert "run the same command again later and it resumes where it stopped" in result.stderr


# --- the CDX API: paging as the Internet Archive and pywb do it --------------------------------------


def ia_page(rows: list[list[str]], resume_key: str | None) -> str:
    header = [["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]]
    tail = [[], [resume_key]] if resume_key else []
    return json.dumps(header + rows + tail)


def ia_row(path: str) -> list[str]:
    return ["edu,wustl,gamma)/tf/" + path, "20050101000000", "http://gamma.wustl.edu/tf/" + path,
            "text/html", "200", "3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ", "1000"]  # fmt: skip


def test_the_listing_follows_the_resume_key(archive_server: HTTPServer) -> None:
    pages = {
        None: ia_page([ia_row("a.html"), ia_row("b.html")], "key one"),
        "key one": ia_page([ia_row("c.html")], None),
    }
    asked: list[dict[str, str]] = []

    def answer(request: Request) -> Response:
        asked.append(dict(request.args))
        return Response(pages[request.args.get("resumeKey")], content_type="application/json")

    archive_server.expect_request("/cdx/search/cdx").respond_with_handler(answer)
    urls = list_site(archive_server.url_for("/web/"), "http://gamma.wustl.edu/tf/home.html")
    assert urls == [f"http://gamma.wustl.edu/tf/{p}.html" for p in "abc"]
    assert [a.get("resumeKey") for a in asked] == [None, "key one"]
    assert asked[0]["url"] == "gamma.wustl.edu/tf/" and asked[0]["matchType"] == "prefix"


def test_a_full_page_without_a_resume_key_is_asked_for_whole(archive_server: HTTPServer) -> None:
    # pywb applies limit= to a prefix query and gives no key: the page may be cut.
    def line(n: int) -> str:
        return json.dumps(
            {"url": f"http://gamma.wustl.edu/tf/{n}.html", "timestamp": "20050101000000", "status": "200"}
        )

    def answer(request: Request) -> Response:
        rows = CDX_PAGE_ROWS if "limit" in request.args else CDX_PAGE_ROWS + 1
        return Response("\n".join(line(n) for n in range(rows)) + "\n", content_type="text/x-ndjson")

    archive_server.expect_request("/coll/cdx").respond_with_handler(answer)
    assert len(list_site(archive_server.url_for("/coll/"), "http://gamma.wustl.edu/tf/")) == CDX_PAGE_ROWS + 1


@pytest.mark.parametrize("elsewhere", [False, True], ids=["its timemap", "a timemap on another host"])
def test_a_timegate_capture_after_as_of_gives_way_to_the_timemaps_newest_before(
    archive_server: HTTPServer, elsewhere: bool
) -> None:
    # A TimeGate names the capture nearest the moment asked for, before or after it (RFC 7089 4.1).
    original = "http://gamma.wustl.edu/tf/x.html"
    base = archive_server.url_for("/web/")
    # Another host is never asked (nothing listens there: asking would stop the crawl).
    timemap = f"{f'http://127.0.0.1:{free_port()}/web/' if elsewhere else base}timemap/link/{original}"

    def answer(request: Request) -> Response:
        if request.path.startswith("/web/timemap/"):
            entries = [f'<{base}{year}0101000000/{original}>; rel="memento"' for year in (2001, 2004, 2009)]
            return Response(",\n".join(entries), content_type="application/link-format")
        assert request.headers["Accept-Datetime"] == "Sat, 31 Dec 2005 23:59:59 GMT"
        headers = {"Location": f"{base}20090101000000/{original}", "Link": f'<{timemap}>; rel="timemap"'}
        return Response("", status=302, headers=headers)

    archive_server.expect_request(re.compile("/web/.*")).respond_with_handler(answer)
    fetcher = WaybackFetcher(wayback_settings(base, as_of="2005"), {})
    try:
        found = fetcher.find_by_timegate(original)
    finally:
        fetcher.close()
    if elsewhere:
        assert found == (None, "the web archive holds no capture of it at or before --as-of")
    else:
        assert found == (Capture(original, "20040101000000", ""), "")


def list_site(base: str, start: str) -> list[str]:
    fetcher = WaybackFetcher(wayback_settings(base), {})
    try:
        return fetcher.list_site(Scope.around(start))
    finally:
        fetcher.close()


def test_an_answer_that_is_no_cdx_stops_with_the_way_out(archive_server: HTTPServer) -> None:
    archive_server.expect_request("/coll/cdx").respond_with_data("<html>Not a CDX API</html>")
    with pytest.raises(WaybackError, match=r"is not a CDX API .* give the archive's CDX API with --cdx"):
        list_site(archive_server.url_for("/coll/"), "http://gamma.wustl.edu/tf/")


# --- the pure helpers ----------------------------------------------------------------------------------

AS_OF = {
    "2005": "20051231235959",
    "200502": "20050228235959",
    "20040229": "20040229235959",
    "2005063012": "20050630125959",
    "20050630123045": "20050630123045",
    "2005-06-30": "20050630235959",
    "2005-06-30T12:00:00Z": "20050630120000",
    "2005-06-30T12:00:00+02:00": "20050630100000",
}


@pytest.mark.parametrize(("text", "timestamp"), AS_OF.items(), ids=list(AS_OF))
def test_as_of_names_the_last_second_of_its_period(text: str, timestamp: str) -> None:
    assert parse_as_of(text) == timestamp


CDX_ANSWERS = {
    "internet archive, with a resume key": (
        '[["urlkey","timestamp","original","mimetype","statuscode","digest","length"],'
        '["edu,wustl,gamma)/","20050101000000","http://gamma.wustl.edu:80/","text/html","200","D","9"],'
        '[],["edu,wustl,gamma)/+20050101000000"]]',
        [Capture("http://gamma.wustl.edu:80/", "20050101000000", "200", "D")],
        "edu,wustl,gamma)/+20050101000000",
    ),
    "internet archive, empty": ("[]", [], None),
    "pywb, an object a line": (
        '{"urlkey": "k", "timestamp": "20261201032444", "url": "http://a/b", "status": "301",'
        ' "digest": "sha256:X"}\n'
        '{"urlkey": "k", "timestamp": "20261201032445", "url": "http://a/b", "mime": "warc/revisit"}\n',
        [
            Capture("http://a/b", "20261201032444", "301", "sha256:X"),
            Capture("http://a/b", "20261201032445", ""),
        ],
        None,
    ),
    "pywb, nothing found": ("", [], None),
}


@pytest.mark.parametrize("name", list(CDX_ANSWERS))
def test_cdx_answers_of_each_archive(name: str) -> None:
    text, captures, key = CDX_ANSWERS[name]
    assert parse_cdx(text) == (captures, key)


def capture(timestamp: str, status: str) -> Capture:
    return Capture("http://a/", timestamp, status)


CHOICES = {
    "the newest 200": (
        [capture("2001", "200"), capture("2003", "200"), capture("2002", "200")],
        None,
        "2003",
    ),
    "a 200 over a newer redirect": ([capture("2001", "200"), capture("2009", "302")], None, "2001"),
    "a 200 over a newer 404": ([capture("2001", "200"), capture("2009", "404")], None, "2001"),
    "at or before as-of": (
        [capture("20010101", "200"), capture("20030101", "200")],
        "20021231235959",
        "20010101",
    ),
    "a redirect when there is no 200": ([capture("2001", "301"), capture("2002", "404")], None, "2001"),
    "a revisit is no 200": ([capture("2001", "")], None, None),
    "nothing before as-of": ([capture("2005", "200")], "20041231235959", None),
}


@pytest.mark.parametrize("name", list(CHOICES))
def test_the_capture_chosen_for_a_url(name: str) -> None:
    captures, as_of, chosen = CHOICES[name]
    found, reason = choose_capture(captures, as_of)
    assert (found.timestamp if found else None) == chosen
    assert bool(reason) == (chosen is None)


@pytest.mark.parametrize(
    ("base", "cdx"),
    [
        ("https://web.archive.org/web/", "https://web.archive.org/cdx/search/cdx"),
        ("http://127.0.0.1:8080/coll/", "http://127.0.0.1:8080/coll/cdx"),
    ],
)
def test_the_cdx_api_beside_a_replay_endpoint(base: str, cdx: str) -> None:
    assert cdx_endpoint(base) == cdx


IA, PYWB = "https://web.archive.org/web/", "http://127.0.0.1:8080/coll/"
CAPTURE_ADDRESSES = {
    "internet archive": (
        IA,
        IA + "20050101000000id_/http://gamma.wustl.edu/x.html",
        "http://gamma.wustl.edu/x.html",
    ),
    "collapsed slashes": (IA, "/web/20050101000000/http:/gamma.wustl.edu/", "http://gamma.wustl.edu/"),
    "pywb, mp_": (PYWB, PYWB + "20050101000000mp_/http://a/b?c=d", "http://a/b?c=d"),
    "a redirect kept as the site sent it": (PYWB, "index.html", None),
    "an original address": (IA, "http://gamma.wustl.edu/tf/", None),
}


@pytest.mark.parametrize("name", list(CAPTURE_ADDRESSES))
def test_a_capture_address_names_its_moment_and_url(name: str) -> None:
    base, address, original = CAPTURE_ADDRESSES[name]
    fetcher = WaybackFetcher(wayback_settings(base), {})
    assert fetcher.capture_at(address) == (Capture(original, "20050101000000", "") if original else None)
    fetcher.close()


def test_a_record_names_the_capture_not_its_raw_replay() -> None:
    assert (
        capture_address("https://web.archive.org/web/20050101000000id_/http://gamma.wustl.edu/tf/x.html")
        == "https://web.archive.org/web/20050101000000/http://gamma.wustl.edu/tf/x.html"
    )


ARCHIVED_BEFORE = {
    "the same capture: not fetched": (ArchivedCopy("2005-01-01T00:00:00Z", redirected=False), "unchanged"),
    "another capture: fetched": (ArchivedCopy("2004-01-01T00:00:00Z", redirected=False), "fetched"),
    # The copy is the redirect target's capture: the same moment says nothing of the target's newest.
    "a redirect's copy: fetched": (ArchivedCopy("2005-01-01T00:00:00Z", redirected=True), "fetched"),
}


@pytest.mark.parametrize("name", list(ARCHIVED_BEFORE))
def test_a_capture_archived_already_is_not_fetched_again(name: str) -> None:
    copy, expected = ARCHIVED_BEFORE[name]
    url = "http://gamma.wustl.edu/tf/home.html"
    base = f"http://127.0.0.1:{free_port()}/web/"  # nothing answers: a fetch stops the crawl
    fetcher = WaybackFetcher(wayback_settings(base), {url: copy})
    fetcher.listed = {url: [Capture(url, "20050101000000", "301" if copy.redirected else "200")]}
    try:
        result = fetcher.fetch(url)
        assert (result.unfetched or ("fetched", ""))[0] == expected
    except WaybackError as error:
        assert expected == "fetched" and "does not answer" in str(error)
    finally:
        fetcher.close()


# --- the command line ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["http://gamma.invalid/tf/", "--as-of", "2005"],
            "--as-of and --cdx choose captures in a web archive",
        ),
        (
            ["http://gamma.invalid/tf/", "--wayback", "http://127.0.0.1:9/web/", "--as-of", "soon"],
            "'soon' is not a date",
        ),
        (
            [str(SITE), "--wayback", "http://127.0.0.1:9/web/"],
            "with --wayback, START is the site's original address",
        ),
    ],
    ids=["as-of without wayback", "as-of that is no date", "a folder with wayback"],
)
def test_wayback_options_misused_are_usage_errors(tmp_path: Path, arguments: list[str], message: str) -> None:
    result = tfmigrate("crawl", *arguments, "--archive", tmp_path / "archive")
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
