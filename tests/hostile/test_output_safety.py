"""Everything a page says stays inert in what tfmigrate writes: report.html in a real browser,
Markdown, CSV and MIRC XML; and no XML or HTML parsing expands entities or reaches the network."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from markdown_it import MarkdownIt

from tests.conftest import SITE
from tests.hostile.conftest import dump_dom
from tests.test_cli import run
from tfmigrate.parse import parse_page

# If any of these ran, the DOM would hold "pwned-42", a string none of them contains as text.
PAYLOADS = [
    "<script>document.body.setAttribute('data-a', 'pw' + 'ned-' + (6 * 7))</script>",
    "<img src=x onerror=\"document.body.setAttribute('data-b', 'pw' + 'ned-' + (6 * 7))\">",
    "<svg onload=\"document.body.setAttribute('data-c', 'pw' + 'ned-' + (6 * 7))\"></svg>",
    "javascript:document.body.setAttribute('data-d', 'pw' + 'ned-' + (6 * 7))",
]


def hostile_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    page = site / "bs125te148.html"
    raw = page.read_bytes()
    text = " ".join(PAYLOADS)
    # As printed text (entities), in the diagnosis and a caption; as live markup, in the body.
    raw = raw.replace(b"Heterotopic Ossification", html.escape(text).encode())
    raw = raw.replace(b"Plain Radiographs of the Pelvis", html.escape(PAYLOADS[1]).encode())
    raw = raw.replace(
        b"</BODY>", (PAYLOADS[0] + PAYLOADS[1] + f'<a href="{PAYLOADS[3]}">x</a></BODY>').encode()
    )
    page.write_bytes(raw)
    return site


def test_the_report_runs_no_script_in_a_real_browser(chromium: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("migrate", hostile_site(tmp_path), "--out", out, "-q").returncode in (
        0,
        1,
    )  # 1: the fixture site's lost applet class
    report = out / "report.html"
    assert html.escape(PAYLOADS[0]) in report.read_text(encoding="utf-8")
    dom = dump_dom(chromium, report, tmp_path / "profile")
    assert 'id="case-bs125"' in dom and "pwned-42" not in dom
    # The same payloads unescaped in a plain page do run here: the check above can fail.
    control = tmp_path / "control.html"
    control.write_text("<html><body>" + "".join(PAYLOADS[:3]) + "</body></html>", encoding="utf-8")
    assert "pwned-42" in dump_dom(chromium, control, tmp_path / "profile2")


def rendered(markdown: Path, page: Path) -> Path:
    """The page a Markdown viewer shows: CommonMark, raw HTML passed through (editor previews and
    many viewers render it so; GitHub would sanitise it on top)."""
    body = MarkdownIt("commonmark", {"html": True}).render(markdown.read_text(encoding="utf-8"))
    page.write_text(f"<!doctype html><html><body>{body}</body></html>", encoding="utf-8")
    return page


def test_markdown_export_stays_inert_in_a_browser_too(chromium: str, tmp_path: Path) -> None:
    out, md = tmp_path / "out", tmp_path / "md"
    run("migrate", hostile_site(tmp_path), "--out", out, "-q")
    assert run("export", out, "--format", "markdown", "--out", md).returncode == 0
    dom = dump_dom(chromium, rendered(md / "bs125.md", tmp_path / "bs125.html"), tmp_path / "profile")
    # The payloads are there, as text a reader sees, and none of them ran.
    assert html.escape(PAYLOADS[0], quote=False) in dom and "pwned-42" not in dom
    # The same payloads written into Markdown unescaped do run when rendered so: the check can fail.
    control = tmp_path / "control.md"
    control.write_text("# Diagnosis\n\n" + "".join(PAYLOADS[:3]) + "\n", encoding="utf-8")
    assert "pwned-42" in dump_dom(chromium, rendered(control, tmp_path / "control.html"), tmp_path / "p2")


def test_no_entity_expansion_and_no_network_in_parsing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    page = (
        f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "{secret.as_uri()}">'
        '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        "]><html><body><p>Case number: bs999<p>Diagnosis: &xxe; &c;<p>"
        '<img src="http://127.0.0.1:9/tracker.gif"></body></html>'
    ).encode()
    case = parse_page(page, "http://gamma.wustl.edu/bs999te100.html")
    assert "TOP-SECRET" not in case.model_dump_json()
    assert "aaaaaaaaaaaaaaaaaaaa" not in case.model_dump_json()
