"""tfmigrate migrate end to end: layout, images, report, determinism, and re-runs that lose nothing."""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SITE, Tfmigrate, migrated_here
from tests.crawl.conftest import SiteServer, site_copy, site_server  # noqa: F401
from tests.test_cli import run
from tfmigrate.crawl.state import STATE_FILE
from tfmigrate.media import sniff_media
from tfmigrate.models import Case, case_json_schema

CASES = 31  # 33 case pages; newtfh prints two cases twice (small_ and submitted_)


def migrate(*args: str | Path) -> Any:
    result = run("migrate", *args, "-q")
    assert result.returncode in (0, 1), result.stderr
    return result


def tree(out: Path) -> dict[str, bytes]:
    """Every published file of DIR (through its symlinks), by relative path."""
    files = {}
    for name in ("cases", "cases.jsonl", "images", "originals", "provenance", "schema.json", "manifest.json",
                 "report.json", "report.html", "changes.json", "state.json"):  # fmt: skip
        path = out / name
        paths = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        files.update({p.relative_to(out).as_posix(): p.read_bytes() for p in paths})
    return files


def load(out: Path, name: str) -> Any:
    return json.loads((out / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fixture_migration(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("run") / "out"
    return out, migrate("--out", out)


@pytest.fixture(scope="module")
def fixture_run(fixture_migration: tuple[Path, Any]) -> Path:
    return fixture_migration[0]


def test_every_failed_url_is_named_and_the_exit_status_says_so(fixture_migration: tuple[Path, Any]) -> None:
    # The Java cine viewer page (gi005) names an applet class the site never kept: a URL that failed,
    # named on stderr (-q too), in report.json and report.html, and in the exit status.
    out, result = fixture_migration
    missing = (SITE / "viewer/CineViewer.class").resolve().as_uri()
    assert result.returncode == 1
    assert result.stderr == f"failed {missing}: HTTP 404 Not Found\n"
    assert load(out, "report.json")["crawl_failures"] == [{"url": missing, "reason": "HTTP 404 Not Found"}]
    assert f"<li>{missing}: HTTP 404 Not Found</li>" in (out / "report.html").read_text(encoding="utf-8")


def test_layout_records_and_images(fixture_run: Path) -> None:
    out = fixture_run
    records = [Case.model_validate_json(p.read_bytes()) for p in sorted((out / "cases").glob("*.json"))]
    assert len(records) == CASES
    lines = (out / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    assert [Case.model_validate_json(line) for line in lines] == records
    assert load(out, "schema.json") == case_json_schema()
    images = [image for case in records for image in case.images]
    assert len(images) >= 60
    for case in records:
        for image in case.images:
            assert image.path and image.path.startswith(f"images/{case.case_id}/"), (case.case_id, image)
            data = (out / image.path).read_bytes()
            assert hashlib.sha256(data).hexdigest() == image.sha256 and len(data) == image.size
            assert sniff_media(data).media_type == image.media_type and image.width and image.height
            assert image.url and image.url.startswith("file://")
    by_id = {case.case_id: case for case in records}
    assert [i.media_type for i in by_id["rs034"].images] == [
        "image/jpeg",
        "video/x-msvideo",
        "image/jpeg",
        "image/gif",
    ]
    # newtfh: the as-submitted page is kept, with its original (16x16) figures.
    assert by_id["newtfh-271472"].source.url.endswith("/submitted_271472.html")
    assert {(i.width, i.height) for i in by_id["newtfh-271472"].images} == {(16, 16)}
    # The archived original of each case page sits beside its record.
    assert (out / "originals/bs125.html").read_bytes() == (SITE / "bs125te148.html").read_bytes()


def test_manifest_covers_every_file(fixture_run: Path) -> None:
    manifest = load(fixture_run, "manifest.json")
    published = {name for name in tree(fixture_run) if name != "manifest.json"}
    assert set(manifest["files"]) == published
    for name, facts in manifest["files"].items():
        data = (fixture_run / name).read_bytes()
        assert facts == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}, name
    assert manifest["version"] and manifest["run_id"] and manifest["source"] == "fixtures/html"
    assert all(name.startswith("warc/") for name in manifest["archive_files"])


def test_report_and_changes(fixture_run: Path) -> None:
    report = load(fixture_run, "report.json")
    assert report["counts"]["cases"] == CASES and report["counts"]["failed_pages"] == 0
    assert report["issues"]["procedure_missing"] == 4
    assert report["crawl_failures"][0]["url"].endswith("viewer/CineViewer.class")
    changes = load(fixture_run, "changes.json")
    assert len(changes["added"]) == CASES and not changes["changed"] and not changes["unchanged"]
    page = (fixture_run / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    for case_id in changes["added"]:
        assert f'id="case-{case_id}"' in page and f'href="originals/{case_id}.html"' in page
    assert 'src="images/bs125/main-bs125a.jpg"' in page and 'id="only-issues"' in page


def test_same_input_gives_the_same_bytes(tmp_path: Path, fixture_run: Path) -> None:
    """Two migrations of the same site: identical files but the manifest (run id, times, captures)."""
    again = tmp_path / "again"
    migrate("--out", again, "--jobs", "1")
    first, second = tree(fixture_run), tree(again)
    assert set(first) == set(second)
    assert [name for name in first if first[name] != second[name]] == ["manifest.json"]
    # From one archive, even the manifests differ only in the run id and times.
    from_archive = [tmp_path / "a1", tmp_path / "a2"]
    for out in from_archive:
        migrate(fixture_run / "archive", "--out", out)
    manifests = [load(out, "manifest.json") for out in from_archive]
    for manifest in manifests:
        for key in ("run_id", "started", "finished"):
            manifest.pop(key)
    assert manifests[0] == manifests[1]


def test_rerun_unchanged_site_rewrites_nothing(in_process: Tfmigrate, tmp_path: Path) -> None:
    out = tmp_path / "out"
    migrated_here(in_process, "--out", out)
    before = tree(out)
    inodes = {p: (out / p).stat().st_ino for p in before if p.startswith(("cases/", "images/", "originals/"))}
    migrated_here(in_process, "--out", out)
    after = tree(out)
    assert set(after) == set(before)
    run_files = ("manifest.json", "changes.json", "report.json", "report.html")
    assert [name for name in before if before[name] != after[name] and name not in run_files] == []
    changes = load(out, "changes.json")
    assert len(changes["unchanged"]) == CASES and not changes["added"] and not changes["changed"]
    # Unchanged records, originals and images are the same files (hard links), not rewritten copies.
    assert all((out / p).stat().st_ino == inode for p, inode in inodes.items())


def edit(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data, (path, old)
    path.write_bytes(data.replace(old, new))


def test_rerun_on_an_updated_site_loses_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    out = tmp_path / "out"
    migrate(site, "--out", out)
    first = {p.name: p.read_bytes() for p in (out / "cases").glob("*.json")}

    edit(site / "bs125te148.html", b"Heterotopic Ossification", b"Heterotopic Ossification (mature)")
    (site / "pa002te123.html").unlink()  # gone: its record stays, withdrawn
    (site / "ms002te160.html").write_bytes(b"")  # now unreadable: its last good record stays
    new_page = (site / "bs010te148.html").read_bytes().replace(b"bs010", b"bs900")
    (site / "bs900te999.html").write_bytes(new_page)
    edit(
        site / "bslist.html",
        b'href="bs125te148.html"',
        b'href="bs900te999.html">x</a> <a href="bs125te148.html"',
    )

    result = run("migrate", site, "--out", out, "-q")
    assert result.returncode == 1  # one case page failed
    changes = load(out, "changes.json")
    assert changes["added"] == ["bs900"]
    (changed,) = changes["changed"]
    assert changed["case_id"] == "bs125"
    assert changed["fields"]["diagnosis"] == {
        "old": "Heterotopic Ossification",
        "new": "Heterotopic Ossification (mature)",
    }
    assert (
        {"diagnosis", "title", "source", "issues"}
        >= set(changed["fields"])
        >= {"diagnosis", "title", "source"}
    )
    (withdrawn,) = changes["withdrawn"]
    assert withdrawn["case_id"] == "pa002" and withdrawn["date"]
    (failed,) = changes["failed"]
    assert failed["case_id"] == "ms002" and "empty file" in failed["error"]
    assert len(changes["unchanged"]) == CASES - 3
    # The failed page's record is the last good one, byte for byte; the withdrawn one is kept, marked.
    assert (out / "cases/ms002.json").read_bytes() == first["ms002.json"]
    pa002 = load(out, "cases/pa002.json")
    assert pa002["withdrawn"] == withdrawn["date"] and pa002["diagnosis"] == "Parathyroid adenoma"
    assert (out / "images/pa002").is_dir()
    assert "changed bs125: " in result.stdout and "failed ms002" in result.stderr

    pruned = migrate(site, "--out", out, "--prune")
    assert pruned.returncode == 1
    assert not (out / "cases/pa002.json").exists() and (out / "cases/ms002.json").exists()


def same_output(one: Path, two: Path) -> None:
    """Two DIRs hold the same files byte for byte, their manifests aside, which differ only in
    the run's id, its times and the --jobs that made it."""
    first, second = tree(one), tree(two)
    assert set(first) == set(second)
    assert [name for name in first if first[name] != second[name]] == ["manifest.json"]
    manifests = [load(out, "manifest.json") for out in (one, two)]
    for manifest in manifests:
        for key in ("run_id", "started", "finished"):
            manifest.pop(key)
        manifest["settings"].pop("jobs")
    assert manifests[0] == manifests[1]


def test_jobs_do_not_change_the_output(in_process: Tfmigrate, tmp_path: Path) -> None:
    """--jobs 1 (all in this process) and --jobs 2 (the pages and the cases made on two worker
    processes) write the same bytes: on a first run, and on a re-run over a changed archive that
    adds, changes, withdraws, fails, collides and reuses the rest."""
    site = Path(shutil.copytree(SITE, tmp_path / "site"))
    archive, one, two = tmp_path / "archive", tmp_path / "jobs1", tmp_path / "jobs2"

    def crawl_and_migrate() -> None:
        assert in_process("crawl", site, "--archive", archive, "-q").returncode in (0, 1)
        assert in_process("migrate", archive, "--out", one, "-q", "--jobs", "1").returncode in (0, 1)
        migrate(archive, "--out", two, "--jobs", "2")
        same_output(one, two)

    crawl_and_migrate()
    edit(site / "bs125te148.html", b"Heterotopic Ossification", b"Heterotopic Ossification (mature)")
    (site / "pa002te123.html").unlink()
    (site / "ms002te160.html").write_bytes(b"")
    (site / "a").mkdir()
    (site / "a" / "bs054te143.html").write_bytes((site / "bs054te143.html").read_bytes() + b"<p>draft")
    edit(site / "index.html", b"</body>", b'<A HREF="a/bs054te143.html">draft</A></body>')
    crawl_and_migrate()
    changes = load(two, "changes.json")
    assert changes["changed"] and changes["withdrawn"] and changes["failed"] and changes["collisions"]
    assert len(changes["unchanged"]) > CASES // 2


def test_foreign_warc_files_are_a_source(tmp_path: Path, fixture_run: Path) -> None:
    """WARC files alone (as another crawler leaves them) migrate to the same records."""
    warcs = tmp_path / "warcs"
    shutil.copytree(fixture_run / "archive" / "warc", warcs)
    out = tmp_path / "out"
    migrate(warcs, "--out", out)
    assert tree(out).keys() == tree(fixture_run).keys()
    for name in (fixture_run / "cases").iterdir():
        assert (out / "cases" / name.name).read_bytes() == name.read_bytes(), name.name


def test_report_escapes_everything_from_pages(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    hostile = "<script>alert(1)</script> & <img src=x onerror=alert(2)>"
    # Printed as text (entities), so the record holds it and the report must escape it.
    edit(site / "bs125te148.html", b"Heterotopic Ossification", html.escape(hostile).encode())
    out = tmp_path / "out"
    migrate(site, "--out", out)
    assert load(out, "cases/bs125.json")["diagnosis"] == hostile
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<img src=x" not in page
    assert html.escape(hostile) in page


def test_rerun_of_a_case_with_a_missing_image_is_unchanged(in_process: Tfmigrate, tmp_path: Path) -> None:
    """A reused record is described afresh: its image issues are not added a second time."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    (site / "images/bs125/bs125b.gif").unlink()
    out = tmp_path / "out"
    migrated_here(in_process, site, "--out", out)
    first = (out / "cases/bs125.json").read_bytes()
    assert [i["code"] for i in load(out, "cases/bs125.json")["issues"]] == ["image_missing"]
    migrated_here(in_process, site, "--out", out)
    changes = load(out, "changes.json")
    assert not changes["changed"] and len(changes["unchanged"]) == CASES
    assert (out / "cases/bs125.json").read_bytes() == first


def test_records_keep_the_last_modified_the_server_sent(
    site_server: SiteServer,  # noqa: F811
    in_process: Tfmigrate,
    tmp_path: Path,
) -> None:
    """The record keeps the page's Last-Modified (the MIRC export's publication date when no date is
    printed), from the crawl or from its WARC files alone, and a 304 keeps it. (A folder source has
    none: test_mirc.py's migrated fixture site.)"""
    page = site_server.root / "newtfh/general/combined/submitted_271472.html"
    os.utime(page, (1_202_981_400, 1_202_981_400))  # 2008-02-14 09:30 UTC: the server sends it
    out = tmp_path / "out"
    migrated_here(in_process, site_server.url(), "--delay", "0", "--out", out)
    assert load(out, "cases/newtfh-271472.json")["source"]["last_modified"] == "2008-02-14T09:30:00Z"
    warcs = tmp_path / "warcs"
    shutil.copytree(out / "archive" / "warc", warcs)
    migrated_here(in_process, warcs, "--out", tmp_path / "from-warcs")
    assert (tmp_path / "from-warcs/cases/newtfh-271472.json").read_bytes() == (
        out / "cases/newtfh-271472.json"
    ).read_bytes()

    # 304s, which need not repeat it
    migrated_here(in_process, site_server.url(), "--delay", "0", "--out", out)
    assert load(out, "cases/newtfh-271472.json")["source"]["last_modified"] == "2008-02-14T09:30:00Z"
    assert not load(out, "changes.json")["changed"]
    # A new Last-Modified for the same bytes (Apache's ETag follows the file's time): the record,
    # reused unparsed, takes it.
    with sqlite3.connect(out / "archive" / STATE_FILE) as db:
        db.execute(
            "UPDATE urls SET last_modified = 'Fri, 13 Feb 2009 23:31:30 GMT' WHERE url = ?",
            (site_server.url("newtfh/general/combined/submitted_271472.html"),),
        )
    migrated_here(in_process, out / "archive", "--out", out)
    assert load(out, "cases/newtfh-271472.json")["source"]["last_modified"] == "2009-02-13T23:31:30Z"
    changed = load(out, "changes.json")["changed"]
    assert [(c["case_id"], list(c["fields"])) for c in changed] == [("newtfh-271472", ["source"])]
