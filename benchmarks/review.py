#!/usr/bin/env python3
"""The cost of provenance, and the review app's page views at 20,000 cases.

Not part of the test suite. Writes a synthetic site (gen_corpus.py), migrates it from its folder
(--jobs 2), then measures:

- provenance: per page, ``parse_page`` against ``trace_page`` (the locating parse that provenance
  files are written from) over a sample of the corpus's case pages, in this process; and the bytes
  of ``provenance/`` against ``cases/``;
- the review app: each list view (unfiltered, filtered by issue, family, missing field, search,
  a late page) and a case view, timed over real HTTP on 127.0.0.1 through Werkzeug's server.

Usage: .venv/bin/python benchmarks/review.py [--pages 20000] [--work DIR] [--out benchmarks/REVIEW.md]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=20000)
    parser.add_argument("--sample", type=int, default=400)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "REVIEW.md")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="tfmigrate-review-"))
    site, out = work / "site", work / "out"
    tfmigrate = [sys.executable, "-m", "tfmigrate"]
    if not site.is_dir():
        subprocess.run([sys.executable, REPO / "benchmarks/gen_corpus.py", site, str(args.pages)], check=True)
    started = time.perf_counter()
    migrated = "reused from an earlier run of this script (--work)"
    if not out.is_dir():
        subprocess.run([*tfmigrate, "migrate", site, "--out", out, "-q", "--jobs", "2"], check=False)
        migrated = f"{time.perf_counter() - started:.0f} s"
    lines: list[str] = [
        "# Review and provenance benchmark",
        "",
        f"`benchmarks/review.py --pages {args.pages}` on {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
        " at the start (a shared machine: other processes ran too).",
        "",
    ]

    from tfmigrate.parse import parse_page, trace_page

    pages = sorted(p for p in site.rglob("*.html") if "te" in p.name or p.name.startswith("small_"))
    sample = pages[:: max(len(pages) // args.sample, 1)][: args.sample]
    parse_ms, trace_ms = [], []
    for page in sample:
        raw, url = page.read_bytes(), page.as_uri()
        for timings, read in ((parse_ms, parse_page), (trace_ms, trace_page)):
            begin = time.perf_counter()
            read(raw, url)  # type: ignore[operator]
            timings.append((time.perf_counter() - begin) * 1000)
    cases, provenance = folder_bytes(out / "cases"), folder_bytes(out / "provenance")
    lines += [
        "## Provenance",
        "",
        f"First migrate of {args.pages:,} pages (--jobs 2, with provenance files): {migrated}.",
        "",
        "| per case page (median of " + str(len(sample)) + ") | ms |",
        "|---|---|",
        f"| parse_page | {statistics.median(parse_ms):.2f} |",
        f"| trace_page (what provenance/ is written from) | {statistics.median(trace_ms):.2f} |",
        "",
        f"Each record written costs one more, locating, parse: +{statistics.median(trace_ms):.1f} ms"
        " a case page"
        f" ({statistics.median(trace_ms) / statistics.median(parse_ms):.2f}x a parse); an unchanged re-run"
        " links the files and pays nothing.",
        f"`provenance/` holds {provenance / 1e6:.1f} MB beside {cases / 1e6:.1f} MB of `cases/`.",
        "",
    ]

    from werkzeug.serving import make_server

    from tfmigrate.review.app import COOKIE, create_app

    begin = time.perf_counter()
    app = create_app(out, token="bench", apply=False)
    start_s = time.perf_counter() - begin
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    app.config["STATE"]["hosts"] = {f"127.0.0.1:{port}"}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    index = app.config["STATE"]["index"]
    some_case = index.cases[len(index.cases) // 2].case_id
    issue = index.issue_counts.most_common(1)[0][0] if index.issue_counts else ""
    views = {
        "list, no filter": "/",
        "list, page 300": "/?page=300",
        f"list, issue {issue}": f"/?issue={issue}",
        "list, family bs": "/?family=bs",
        "list, missing findings": "/?missing=findings",
        "list, search 'uptake'": "/?q=uptake",
        "list, all filters": f"/?issue={issue}&family=bs&missing=references&verified=no&q=the",
        f"case view ({some_case})": f"/case/{some_case}",
        f"original, a field marked ({some_case})": f"/case/{some_case}/original?field=diagnosis",
    }
    lines += [
        "## Review app",
        "",
        f"{len(index.cases):,} cases; the app reads its index in {start_s:.1f} s at start"
        " (and again after a run).",
        "",
        "| view | median ms (10 requests) | max ms |",
        "|---|---|---|",
    ]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for name, path in views.items():
        timings = []
        for _ in range(10):
            begin = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": f"{COOKIE}=bench"})
            response = connection.getresponse()
            response.read()
            assert response.status == 200, (path, response.status)
            timings.append((time.perf_counter() - begin) * 1000)
        lines.append(f"| {name} | {statistics.median(timings):.1f} | {max(timings):.1f} |")
    server.shutdown()

    # What a save costs before cases.jsonl shows it: the run from the archive the app starts.
    case_id = index.cases[0].case_id
    subprocess.run([*tfmigrate, "correct", out, case_id, "findings", "Benchmark correction."], check=True)
    begin = time.perf_counter()
    subprocess.run([*tfmigrate, "migrate", out / "archive", "--out", out, "-q", "--jobs", "2"], check=False,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    apply_s = time.perf_counter() - begin
    subprocess.run([*tfmigrate, "correct", out, case_id, "findings", "--accept"], check=True)
    lines += [
        "",
        f"A save shows in the case view at once; the run from the archive that writes it into `cases/` and"
        f" `cases.jsonl` (every page unchanged, one record changed) took {apply_s:.0f} s at"
        f" {len(index.cases):,} cases.",
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
