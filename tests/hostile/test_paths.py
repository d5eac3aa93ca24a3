"""Image and file names come from URLs a server chose: every one lands inside the output folder,
under a safe, unique name, and nothing is written anywhere else."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.conftest import SEED
from tests.test_cli import run
from tfmigrate.filenames import RESERVED_NAMES, safe_name
from tfmigrate.migrate.images import unique_name
from tfmigrate.models import Case

HOSTILE_NAMES = [
    "..%2F..%2F..%2Fetc%2Fpasswd.jpg", "%2Fetc%2Fshadow.gif", "C:%5CWindows%5Cwin.ini.jpg", "evil%00.jpg",
    "CON.jpg", "nul.gif", "com1.jpg", "LPT9.jpg", "a" * 1000 + ".jpg", "Case.jpg", "case.jpg", "CASE.JPG",
    "%EF%BD%8D%EF%BD%81%EF%BD%89%EF%BD%8E.jpg", "%E2%80%AEgpj.exe", ".hidden.jpg", "...", "%20.jpg",
    "x%0Ay.jpg", "*'%22<>.jpg",
]  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_safe_name(name: str) -> None:
    result = safe_name(name)
    assert result and len(result) <= 81 and "/" not in result and "\\" not in result and "\x00" not in result
    assert not result.startswith(".") and result.split(".")[0].upper() not in RESERVED_NAMES
    assert result.isascii() and all(c.isalnum() or c in "._-" for c in result)


def test_unique_names_differ_also_by_case() -> None:
    used: set[str] = set()
    names = [unique_name("main", f"http://h/img/{n}", ".jpg", used) for n in HOSTILE_NAMES]
    assert len({n.lower() for n in names}) == len(names)


def warc_site(path: Path) -> None:
    """A WARC file holding one case page whose viewers show images with hostile names."""
    lines = []
    for line in SEED.read_text().splitlines():
        if line.startswith("View main image"):
            lines += [f'<p>View <a href="viewer{n}.html">extra image</a>(bs). picture {n}</p>' for n in
                      range(len(HOSTILE_NAMES))]  # fmt: skip
        elif line and not line.startswith("View "):
            lines.append(f"<p>{line}</p>")
    page_html = "<html><body>" + "".join(lines) + "</body></html>"
    jpeg = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
    records = [("http://h/tf/bs125te148.html", "text/html", page_html.encode())]
    for n, name in enumerate(HOSTILE_NAMES):
        records.append((f"http://h/tf/viewer{n}.html", "text/html", f'<img src="img/{name}">'.encode()))
        records.append((f"http://h/tf/img/{name}", "image/jpeg", jpeg + name.encode()[:8]))
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, content_type, body in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))  # fmt: skip


def test_hostile_image_urls_stay_inside_the_output(tmp_path: Path) -> None:
    root = tmp_path / "root"
    out = root / "out"
    warc_site(tmp_path / "site.warc.gz")
    before = {p for p in tmp_path.rglob("*")}
    result = run("migrate", tmp_path / "site.warc.gz", "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    written = {p for p in tmp_path.rglob("*")} - before
    assert written and all(p.resolve().is_relative_to(out.resolve()) or p == root for p in written)
    case = Case.model_validate_json((out / "cases/bs125.json").read_bytes())
    files = [i.path for i in case.images if i.path]
    assert len(files) >= len(HOSTILE_NAMES) and len({f.lower() for f in files}) == len(files)
    for relative in files:
        assert relative.startswith("images/bs125/") and os.sep not in relative[len("images/bs125/") :]
        assert (out / relative).is_file()
    # Nothing outside the temp root at all: the names a traversal would have produced do not exist.
    assert not (tmp_path / "etc").exists() and not Path("/etc/shadow.gif").exists()
