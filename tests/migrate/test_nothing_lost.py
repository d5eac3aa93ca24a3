"""migrate against sites and outputs built to lose case content: redirected case pages, pages
served under the wrong media type, case ids that collide, prunes of pages that only looked gone,
damaged or hand-edited files of the last run. Nothing may be lost without a word."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SITE, Tfmigrate, migrated_here
from tests.crawl.conftest import SiteHandler, SiteHTTPServer, SiteServer
from tfmigrate.cli import main
from tfmigrate.models import Case


def record(out: Path, case_id: str) -> Case:
    return Case.model_validate_json((out / "cases" / f"{case_id}.json").read_bytes())


def load(out: Path, name: str) -> Any:
    return json.loads((out / name).read_text(encoding="utf-8"))


def truncate(path: Path) -> None:
    """Cut the file DIR's name leads to in half, as a full disk or a bad copy leaves it."""
    target = path.resolve()
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])


@pytest.fixture(scope="module")
def hiding_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteServer, Path]]:
    """(server, DIR): one migrate over HTTP of the fixture site with case pages that hide.

    bs125 moved into a folder of its own: its old address answers 301 (the server's own redirect of
    a folder to its index) and its links are relative to the new address. bs054 and bs003 are
    served as image/jpeg and application/octet-stream (their names end in .jpg and .bin)."""
    root = tmp_path_factory.mktemp("hiding")
    site = Path(shutil.copytree(SITE, root / "site"))
    (site / "bs125").mkdir()
    page = (site / "bs125te148.html").read_bytes()
    (site / "bs125" / "index.html").write_bytes(page.replace(b"HREF=viewer/", b"HREF=../viewer/"))
    (site / "bs125te148.html").unlink()
    renamed = {
        "bs125te148.html": "bs125",
        "bs054te143.html": "bs054te143.jpg",
        "bs003te114.html": "bs003te114.bin",
    }
    for old, new in list(renamed.items())[1:]:
        (site / old).rename(site / new)
    for listing in site.glob("*.html"):
        text = listing.read_bytes()
        for old, new in renamed.items():
            text = text.replace(old.encode(), new.encode())
        listing.write_bytes(text)
    server = SiteHTTPServer(("127.0.0.1", 0), SiteHandler)
    server.site = SiteServer(root=site, port=server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        code = main(
            ["migrate", server.site.url(), "--delay", "0", "--out", str(root / "out"), "-q", "--jobs", "1"]
        )
        assert code in (0, 1)
        yield server.site, root / "out"
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirected_case_page_keeps_its_images(hiding_site: tuple[SiteServer, Path]) -> None:
    """The crawl fetched the moved page's images relative to the redirect's target; the record
    finds them there too (it once looked relative to the first URL: image_missing x3)."""
    server, out = hiding_site
    case = record(out, "bs125")
    assert case.source.url == server.url("bs125")
    assert [image.path for image in case.images if image.path] and len(case.images) == 4
    assert not [issue for issue in case.issues if issue.code == "image_missing"], case.issues


def test_case_pages_served_as_other_media_types_are_parsed(hiding_site: tuple[SiteServer, Path]) -> None:
    """Their bytes are HTML pages, so they are crawled for links and parsed, and each record says
    what the server called it. They once vanished: not parsed, not failed, not listed."""
    _, out = hiding_site
    for case_id, served_as in (("bs054", "image/jpeg"), ("bs003", "application/octet-stream")):
        case = record(out, case_id)
        (mismatch,) = [issue for issue in case.issues if issue.code == "media_type_mismatch"]
        assert f"served as {served_as}" in mismatch.message
        assert case.images and all(image.path for image in case.images), case_id


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SITE, tmp_path / "site"))


def test_prune_deletes_only_withdrawn_records_and_lists_each(
    in_process: Tfmigrate, site: Path, tmp_path: Path
) -> None:
    """A case page that answers 200 with "Site under maintenance" keeps its record under --prune
    (it was once deleted, and nothing recorded it); a page that is gone (404) is withdrawn, and
    --prune deletes its record and lists the deletion in changes.json and on stdout."""
    out = tmp_path / "out"
    migrated_here(in_process, site, "--out", out)
    kept = record(out, "bs125")
    (site / "bs125te148.html").write_text("<html><body><h1>Site under maintenance</h1></body></html>")
    (site / "bs054te143.html").unlink()
    image = kept.images[0]
    assert image.path
    truncate(out / image.path)  # a kept record's damaged image comes back from the archive
    result = migrated_here(in_process, site, "--out", out, "--prune")
    assert record(out, "bs125") == kept
    assert hashlib.sha256((out / image.path).read_bytes()).hexdigest() == image.sha256
    assert in_process("doctor", out).returncode == 0
    assert not (out / "cases" / "bs054.json").exists()
    changes = load(out, "changes.json")
    (pruned,) = changes["pruned"]
    assert pruned["case_id"] == "bs054" and pruned["url"].endswith("/bs054te143.html") and pruned["withdrawn"]
    assert "bs125" in changes["kept"]
    assert f"pruned bs054: withdrawn since {pruned['withdrawn']}" in result.stdout


def draft_of(page: bytes) -> bytes:
    return page.replace(b"23 year-old paraplegic man", b"DRAFT 23 year-old paraplegic man")


def test_a_draft_copy_never_replaces_the_real_record(
    in_process: Tfmigrate, site: Path, tmp_path: Path
) -> None:
    """A draft copy /a/bs125te148.html (sorting before the real page) appears after the real
    record was migrated: the real record stays bs125, the draft gets an id of its own with an
    issue, and the collision is named in the report, changes.json and on stderr."""
    out = tmp_path / "out"
    migrated_here(in_process, site, "--out", out)
    real = record(out, "bs125")
    (site / "a").mkdir()
    (site / "a" / "bs125te148.html").write_bytes(draft_of((site / "bs125te148.html").read_bytes()))
    index = site / "index.html"
    index.write_bytes(index.read_bytes().replace(b"</body>", b'<A HREF="a/bs125te148.html">draft</A></body>'))
    result = migrated_here(in_process, site, "--out", out)
    assert record(out, "bs125") == real
    (collision,) = load(out, "changes.json")["collisions"]
    assert collision == load(out, "report.json")["collisions"][0] and collision["case_id"] == "bs125"
    draft_url, draft_id = collision["pages"][0]["url"], collision["pages"][0]["case_id"]
    assert draft_url.endswith("/a/bs125te148.html") and draft_id.startswith("bs125-")
    assert collision["pages"][1] == {"url": real.source.url, "case_id": "bs125"}
    draft = record(out, draft_id)
    assert "DRAFT" in (draft.full_history or "")
    assert [issue.code for issue in draft.issues].count("case_id_collision") == 1
    assert (
        f"collision: case bs125 is given by {collision['pages'][0]['url']} (as {draft_id})" in result.stderr
    )
    # The next run changes nothing: the ids are stable.
    again = migrated_here(in_process, site, "--out", out)
    assert load(out, "changes.json")["unchanged"] == sorted(load(out, "changes.json")["unchanged"])
    assert {c["case_id"] for c in load(out, "report.json")["cases"] if c["change"] != "unchanged"} == set()
    assert "collision: case bs125" in again.stderr


def without_case_number(page: bytes) -> bytes:
    return re.sub(rb"<CENTER><B>Case number:</B> \w+</CENTER>", b"", page)


def test_two_folders_index_pages_both_become_records(
    in_process: Tfmigrate, site: Path, tmp_path: Path
) -> None:
    """Two folders' index.html print no case number, so both take the id "index" from their
    names: one was dropped. Both are records now, under ids of their own, and named."""
    for folder, page in (("a", "bs125te148.html"), ("b", "bs054te143.html")):
        (site / folder).mkdir()
        (site / folder / "index.html").write_bytes(without_case_number((site / page).read_bytes()))
    index = site / "index.html"
    links = b'<A HREF="a/index.html">a</A><A HREF="b/index.html">b</A></body>'
    index.write_bytes(index.read_bytes().replace(b"</body>", links))
    out = tmp_path / "out"
    migrated_here(in_process, site, "--out", out)
    (collision,) = load(out, "changes.json")["collisions"]
    assert collision["case_id"] == "index" and len(collision["pages"]) == 2
    ids = {page["case_id"] for page in collision["pages"]}
    assert len(ids) == 2 and "index" not in ids
    histories = {record(out, case_id).full_history or "" for case_id in ids}
    assert any("paraplegic" in h for h in histories) and len(histories) == 2


@pytest.mark.parametrize("mode", [(), ("--reparse",)], ids=["re-run", "reparse"])
def test_damaged_files_of_the_last_run_are_named_and_rebuilt(
    in_process: Tfmigrate, migrated: Path, mode: tuple[str, ...]
) -> None:
    """A truncated record, state and manifest once stopped every run with a traceback, --reparse
    (doctor's way out) too. They are a cache: named on stderr and in report.json, and the run
    rebuilds DIR from the archive, which doctor then finds whole. (The last report is never read.)"""
    before = (migrated / "cases" / "bs125.json").read_bytes()
    for name in ("cases/bs125.json", "state.json", "manifest.json", "report.json"):
        truncate(migrated / name)
    result = migrated_here(in_process, "--out", migrated, *mode)
    assert "Traceback" not in result.stderr, result.stderr
    # Exit 1 for the fixture site's lost applet class, the only failure.
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed ")]
    assert all(line.endswith("CineViewer.class: HTTP 404 Not Found") for line in failed), failed
    for name in ("cases/bs125.json", "state.json", "manifest.json"):
        assert f"tfmigrate: note: the last run's {name} is " in result.stderr, name
    assert (migrated / "cases" / "bs125.json").read_bytes() == before
    (rebuilt,) = load(migrated, "changes.json")["rebuilt"]
    assert rebuilt["case_id"] == "bs125" and rebuilt["was"].startswith("unreadable")
    damaged = {entry["file"] for entry in load(migrated, "report.json")["damaged_previous"]}
    assert damaged == {"cases/bs125.json", "state.json", "manifest.json"}
    assert in_process("doctor", migrated).returncode == 0


def test_a_damaged_record_that_no_page_gives_again_is_a_named_failure(
    in_process: Tfmigrate, migrated: Path, site: Path, tmp_path: Path
) -> None:
    """The archive a run reads no longer holds bs125's page, and the last run's record of it is
    damaged: nothing can rebuild it, so the run fails it by name with the way out (exit 1)."""
    (site / "bs125te148.html").unlink()
    assert in_process("crawl", site, "--archive", tmp_path / "elsewhere", "-q").returncode in (0, 1)
    truncate(migrated / "cases" / "bs125.json")
    result = in_process("migrate", tmp_path / "elsewhere", "--out", migrated, "-q", "--jobs", "1")
    assert result.returncode == 1, result.stderr
    assert "failed bs125: the last run's record is unreadable (" in result.stderr
    assert "restore cases/bs125.json from a backup" in result.stderr
    (failure,) = [f for f in load(migrated, "changes.json")["failed"] if f["case_id"] == "bs125"]
    assert failure["url"].endswith("/bs125te148.html")


def test_export_of_a_damaged_record_writes_nothing(
    in_process: Tfmigrate, migrated: Path, tmp_path: Path
) -> None:
    """A damaged record once left a partial export behind a traceback: refused, one line naming
    the record and the way out, and no export folder."""
    truncate(migrated / "cases" / "pa002.json")
    result = in_process("export", migrated, "--format", "markdown", "--out", tmp_path / "md")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "cases/pa002.json does not read" in result.stderr and "--reparse" in result.stderr
    assert not (tmp_path / "md").exists()


@pytest.mark.parametrize("inside", ["", "cases", "images/bs125"])
def test_export_into_the_migrated_folder_is_refused(
    in_process: Tfmigrate, migrated: Path, inside: str
) -> None:
    """``--out DIR/cases`` wrote into the live generation (doctor then failed it); ``--out DIR``
    ended in a raw SameFileError. Both are refused in one line, and DIR stays whole."""
    result = in_process("export", migrated, "--format", "markdown", "--out", migrated / inside)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "export into a folder of its own" in result.stderr and "Traceback" not in result.stderr
    assert in_process("doctor", migrated).returncode == 0


def test_the_markdown_index_never_overwrites_a_case(in_process: Tfmigrate, tmp_path: Path) -> None:
    """A case whose id is "index" (a folder's index.html with no printed case number) and the
    export's index.md are two files."""
    page = tmp_path / "pages" / "index.html"
    page.parent.mkdir()
    page.write_bytes(without_case_number((SITE / "bs125te148.html").read_bytes()))
    assert in_process("parse", page, "--out", tmp_path / "parsed").returncode == 0
    assert (tmp_path / "parsed" / "cases" / "index.json").is_file()
    assert (
        in_process("export", tmp_path / "parsed", "--format", "markdown", "--out", tmp_path / "md").returncode
        == 0
    )
    listing = (tmp_path / "md" / "index.md").read_text()
    assert listing.startswith("# Teaching file cases") and "(index.case.md)" in listing
    assert "paraplegic" in (tmp_path / "md" / "index.case.md").read_text()


def test_doctor_checks_a_dir_handed_over_as_the_readme_says(
    pristine_output: Path, in_process: Tfmigrate, tmp_path: Path
) -> None:
    # Copied following its links, .tfmigrate/ left out (tar -ch --exclude .tfmigrate): no run to
    # follow, but its manifest still holds every file to the run's bytes.
    drive = Path(
        shutil.copytree(pristine_output, tmp_path / "drive", ignore=shutil.ignore_patterns(".tfmigrate"))
    )
    files = len(load(drive, "manifest.json")["files"])
    healthy = in_process("doctor", drive)
    assert healthy.returncode == 0, healthy.stdout
    checked = re.search(r"healthy: ([\d,]+) files", healthy.stdout)
    assert checked and int(checked[1].replace(",", "")) > files  # the records, images... and the WARC files

    edited = next((drive / "cases").glob("*.json"))
    edited.write_bytes(edited.read_bytes().replace(b'"diagnosis": "', b'"diagnosis": "x', 1))
    damaged = in_process("doctor", drive, "-q")
    assert damaged.returncode == 1
    assert f"cases/{edited.name}" in damaged.stdout and "changed since the run" in damaged.stdout
