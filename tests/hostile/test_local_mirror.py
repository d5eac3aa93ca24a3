"""A local mirror is a folder of files someone else wrote: its links and symlinks may name any file
on the machine. Nothing outside the start folder is ever opened, whatever the link's spelling:
percent-encoded ``..``, symlinks to files or folders outside, ``/proc/self/environ``."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, SITE
from tfmigrate.config import CrawlSettings
from tfmigrate.crawl.fetch import FileFetcher
from tfmigrate.crawl.urls import Scope, path_to_url

SECRET = b"TOPSECRET-b7f1c2"
ENV_SECRET = "ENVSECRET-93ad0e"
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
# Viewer pages of bs125, each showing a file outside the site another way.
ESCAPES = {
    "bs125-main.html": "..%2F..%2Fsecret.jpg",  # percent-encoded traversal
    "bs125-second.html": "escape/secret.jpg",  # a symlinked folder (viewer/escape -> ../..)
    "bs125-third.html": "link.jpg",  # a symlinked file (viewer/link.jpg -> the secret)
    "bs125-fourth.html": "..%2F" * 12 + "proc%2Fself%2Fenviron",  # an absolute path by traversal
}


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    """The fixture site with hostile links and symlinks; secrets beside it and in the environment."""
    site = Path(shutil.copytree(SITE, tmp_path / "site"))
    (tmp_path / "secret.jpg").write_bytes(JPEG + SECRET)
    (tmp_path / "notes.txt").write_bytes(SECRET)
    viewer = site / "viewer"
    for page, src in ESCAPES.items():
        (viewer / page).write_text(f'<html><body><img src="{src}"></body></html>')
    (viewer / "escape").symlink_to("../..", target_is_directory=True)
    (viewer / "link.jpg").symlink_to(tmp_path / "secret.jpg")
    (site / "environ.html").symlink_to("/proc/self/environ")
    index = site / "index.html"
    links = (
        '<a href="..%2Fnotes.txt">n</a><a href="environ.html">e</a><a href="viewer/escape/notes.txt">f</a>'
    )
    index.write_text(index.read_text().replace("</body>", links + "</body>", 1))
    return site


def every_byte(folder: Path) -> bytes:
    """Every file below ``folder``, with gzip members (WARC files) and zip members opened."""
    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data += gzip.decompress(data)
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                data += b"".join(archive.read(name) for name in archive.namelist())
        found.append(data)
    return b"".join(found)


def test_nothing_outside_the_start_folder_reaches_archive_output_or_export(
    mirror: Path, tmp_path: Path
) -> None:
    out, mirc = tmp_path / "out", tmp_path / "mirc"
    env = {**os.environ, "TFMIGRATE_TEST_SECRET": ENV_SECRET}
    tfmigrate = [sys.executable, "-m", "tfmigrate"]
    migrated = subprocess.run(
        [*tfmigrate, "migrate", mirror, "--out", out, "-v"], capture_output=True, text=True, cwd=REPO, env=env
    )
    assert migrated.returncode in (0, 1), migrated.stderr
    exported = subprocess.run(
        [*tfmigrate, "export", out, "--format", "mirc", "--out", mirc],
        capture_output=True,
        text=True,
        env=env,
    )
    assert exported.returncode == 0, exported.stderr
    written = every_byte(out) + every_byte(mirc)
    assert SECRET not in written and ENV_SECRET.encode() not in written
    # Each escape was seen and refused by name, and the case itself migrated without those files.
    refused = [line for line in migrated.stderr.splitlines() if "not a file inside the start folder" in line]
    for href in ("..%2Fnotes.txt", "environ.html", "viewer/escape/notes.txt", *ESCAPES.values()):
        assert any(href.rsplit("/", 1)[-1] in line for line in refused), (href, refused)
    assert (out / "cases" / "bs125.json").is_file()


@pytest.mark.parametrize(
    "relative",
    [
        "..%2Fsecret.txt",
        "a/..%2F..%2Fsecret.txt",
        "link.txt",
        "dir/secret.txt",
        "%2E%2E/secret.txt",
        "x%00.txt",
    ],
)
def test_scope_and_fetcher_refuse_files_outside_the_folder(tmp_path: Path, relative: str) -> None:
    """Both checks: the scope refuses the URL, and the file reader refuses it even if asked."""
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (site / "link.txt").symlink_to(tmp_path / "secret.txt")
    (site / "dir").symlink_to(tmp_path, target_is_directory=True)
    url = path_to_url(site) + "/" + relative
    scope = Scope.around(path_to_url(site) + "/index.html", include=(".*",))
    assert scope.refusal(url) is not None and "not a file inside the start folder" in scope.refusal(url)
    result = FileFetcher(CrawlSettings(), site.resolve()).fetch(url)
    assert not result.exchanges and result.failure and "not a file inside the start folder" in result.failure


def test_files_inside_the_folder_are_still_read(tmp_path: Path) -> None:
    """A symlink that stays inside the folder, and an escaped name of a real file, are fetched."""
    site = tmp_path / "site"
    (site / "sub").mkdir(parents=True)
    (site / "sub" / "a b.html").write_bytes(b"<p>x</p>")
    (site / "alias.html").symlink_to("sub/a b.html")
    fetcher = FileFetcher(CrawlSettings(), site.resolve())
    for relative in ("sub/a%20b.html", "alias.html", "sub/..%2Fsub/a%20b.html"):
        url = path_to_url(site) + "/" + relative
        assert Scope.around(path_to_url(site) + "/").refusal(url) is None, relative
        assert fetcher.fetch(url).final.body == b"<p>x</p>", relative


def test_a_file_name_with_a_percent_sign_is_read_as_itself(tmp_path: Path) -> None:
    """A link's escapes are decoded once: ``case%2541.html`` is the file ``case%41.html``, never its
    neighbour ``caseA.html`` (decoding twice once read the neighbour's bytes in its place)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "case%41.html").write_bytes(b"<p>percent</p>")
    (site / "caseA.html").write_bytes(b"<p>neighbour</p>")
    url = path_to_url(site / "case%41.html")
    assert FileFetcher(CrawlSettings(), site.resolve()).fetch(url).final.body == b"<p>percent</p>"
