"""``report.html``: the page a person reviews a migration with, in any browser, offline.

Counts first, then every case with its fields, image thumbnails (the written files), issues and a
link to the archived original. Everything taken from the pages is escaped; the page has no script
at all (the "only cases with issues" filter is CSS), so hostile text stays inert.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

from tfmigrate.migrate.generation import Generation
from tfmigrate.migrate.spool import Spool
from tfmigrate.models import Case
from tfmigrate.records import original_path

TEXT_FIELDS = (
    ("diagnosis", "Diagnosis"),
    ("brief_history", "Brief history"),
    ("full_history", "Full history"),
    ("findings", "Findings"),
    ("discussion", "Discussion"),
    ("followup", "Followup"),
    ("anatomic_field", "Anatomic field"),
    ("category", "Category"),
)
STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222}
table.counts td,table.counts th{padding:.2em .8em;text-align:left;border-bottom:1px solid #ddd}
.case{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;margin:1em 0}
.case.has-issues{border-left:6px solid #c60}
.case h2{font-size:1.1em;margin:.2em 0}.meta{color:#666;font-size:.9em}
dl{display:grid;grid-template-columns:11em 1fr;gap:.2em 1em}dt{font-weight:600}
dd{margin:0;white-space:pre-wrap}
.images{display:flex;flex-wrap:wrap;gap:.8em}.images figure{margin:0;max-width:12em;font-size:.85em}
.images img{max-width:12em;max-height:12em;border:1px solid #999;image-rendering:pixelated;min-width:4em}
.issues{color:#a40}#only-issues:checked~.cases .case:not(.has-issues){display:none}
"""


def write_report_html(generation: Generation, report: dict[str, Any], sections: Spool) -> None:
    """Written part by part, the cases' sections copied from the spool the run's workers filled
    (``case_section``): the page of a large site is never held in memory whole."""
    with generation.open_text("report.html") as out:
        for part in head_parts(report):
            out.write(part + "\n")
        sections.copy_to(out)
        for part in tail_parts(report):
            out.write(part + "\n")


def head_parts(report: dict[str, Any]) -> list[str]:
    return [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        # No script may run in this page, whatever a migrated page contained.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src * file: data:; '
        "style-src 'unsafe-inline'\">",
        "<title>tfmigrate report</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Migration report</h1>",
        counts_table(report),
        '<input type="checkbox" id="only-issues">',
        '<label for="only-issues">Show only cases with issues</label>',
        '<div class="cases">',
    ]


def tail_parts(report: dict[str, Any]) -> Iterator[str]:
    yield "</div>"
    if report["failures"]:
        yield "<h2>Pages that failed</h2><ul>"
        yield from (f"<li>{e(f['url'])}: {e(f['error'])}</li>" for f in report["failures"])
        yield "</ul>"
    if report["crawl_failures"]:
        yield "<h2>URLs the crawl could not fetch</h2><ul>"
        yield from (f"<li>{e(f['url'])}: {e(f['reason'])}</li>" for f in report["crawl_failures"])
        yield "</ul>"
    yield "</body></html>"


def counts_table(report: dict[str, Any]) -> str:
    rows = [(name.replace("_", " "), value) for name, value in report["counts"].items()]
    rows += [(f"crawl: {name}", value) for name, value in (report.get("crawl") or {}).items()]
    rows += [(f"issue: {code}", value) for code, value in report["issues"].items()]
    body = "".join(f"<tr><th>{e(name)}</th><td>{e(str(value))}</td></tr>" for name, value in rows)
    return f'<table class="counts">{body}</table>'


def case_section(case: Case, summary: dict[str, Any]) -> str:
    """One case's part of the page (made by the worker that made the record), read off the
    record's attributes: made from its ``model_dump``, a section took 140 us of every case's work,
    against 75 us now (records freshly read, as a worker has them; benchmarks/CHANGES.md)."""
    case_id = case.case_id
    css = "case has-issues" if case.issues else "case"
    authors = ", ".join(author.name for author in case.authors)
    meta = " \u00b7 ".join(
        x
        for x in (
            e(case_id),
            e(summary["change"]),
            e(authors),
            e(case.date.isoformat() if case.date else case.date_raw or ""),
            f"withdrawn {e(case.withdrawn.isoformat())}" if case.withdrawn else "",
            link(original_path(case), "original"),
            link(case.source.url, "source"),
        )
        if x
    )
    fields = [(label, value) for key, label in TEXT_FIELDS if (value := getattr(case, key))]
    if case.procedure:
        fields.insert(4, ("Procedure", case.procedure.text))
    lists = ((case.teaching_points, "Teaching points"), (case.differential_diagnosis, "Differential"))
    for items, label in lists:
        if items:
            fields.append((label, "\n".join(f"\u2022 {item}" for item in items)))
    if case.references:
        fields.append(("References", "\n".join(reference.text for reference in case.references)))
    if case.unassigned:
        fields.append(("Unassigned text", "\n\n".join(case.unassigned)))
    rows = "".join(f"<dt>{e(label)}</dt><dd>{e(value)}</dd>" for label, value in fields)
    issue_items = "".join(
        f"<li><code>{e(i.code)}</code> {e(i.field or '')}: {e(i.message)}</li>" for i in case.issues
    )
    return (
        f'<section class="{css}" id="case-{e(case_id)}"><h2>{e(case.title or case_id)}</h2>'
        f'<div class="meta">{meta}</div><dl>{rows}</dl>{images(case)}'
        + (f'<ul class="issues">{issue_items}</ul>' if case.issues else "")
        + review_items(summary)
        + "</section>"
    )


def review_items(summary: dict[str, Any]) -> str:
    """The archivist's corrections, and each conflict with its three values."""
    if "corrected" not in summary:
        return ""
    verified = " (case verified)" if summary["verified"] else ""
    items = [f"<li>corrected: {e(', '.join(summary['corrected']))}{e(verified)}</li>"]
    items += [
        f'<li class="conflict">conflict in <code>{e(c["field"])}</code>: base {e(json.dumps(c["base"]))},'
        f" page now {e(json.dumps(c['new']))}, corrected {e(json.dumps(c['corrected']))}</li>"
        for c in summary["conflicts"]
    ]
    return f'<ul class="review">{"".join(items)}</ul>'


def images(case: Case) -> str:
    figures = []
    for image in case.images:
        code = f" ({image.type_code})" if image.type_code else ""
        caption = e(f"{image.label}{code}: {image.caption or ''}")
        path = image.path
        if path and (image.media_type or "").startswith("image/"):
            body = f'<a href="{e(quote(path))}"><img src="{e(quote(path))}" alt="{e(image.label)}"></a>'
        elif path:
            body = link(path, image.media_type or "file")
        else:
            body = "<em>no file</em>"
        figures.append(f"<figure>{body}<figcaption>{caption}</figcaption></figure>")
    return f'<div class="images">{"".join(figures)}</div>' if figures else ""


def link(target: str, text: str) -> str:
    """A link to a written file or an http(s)/file URL; anything else (javascript:) stays text."""
    scheme = urlsplit(target).scheme.lower()
    if scheme and scheme not in ("http", "https", "file"):
        return e(text)
    href = quote(target) if not scheme else target
    return f'<a href="{e(href)}" rel="noopener noreferrer">{e(text)}</a>'


def e(text: str) -> str:
    return html.escape(text, quote=True)
