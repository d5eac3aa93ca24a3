#!/usr/bin/env python3
"""Follow-up diagnostics for the missed memory and re-run targets (not needed for RESULTS.md itself).

    python3 benchmarks/diagnose.py [N]     # N case pages, default 20000

1. Peak RSS of `tfmigrate crawl` alone vs `tfmigrate migrate ARCHIVE --jobs 2` (parse + write, no crawl)
   at N pages: which phase holds the memory.
2. py-spy (with --subprocesses) over an unchanged `tfmigrate migrate URL` re-run of 2,000 pages: where
   the re-run time goes.
Writes benchmarks/diagnose.json and prints a summary.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_corpus  # noqa: E402
from run import PROF_VENV, TFMIGRATE, Nginx, log, measure, migrate_counts  # noqa: E402


def top(raw: Path, n: int = 15) -> dict:
    self_c, incl_c, total = Counter(), Counter(), 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        c = int(count)
        frames = [f.rsplit(":", 1)[0] + ")" if f.endswith(")") and ":" in f else f for f in stack.split(";")]
        frames = [f for f in frames if f and not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        total += c
        self_c[frames[-1]] += c
        for f in set(frames):
            incl_c[f] += c
    return {"samples": total, "self": [(f, round(c / total, 3)) for f, c in self_c.most_common(n)],
            "inclusive": [(f, round(c / total, 3)) for f, c in incl_c.most_common(3 * n)]}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    work = Path(tempfile.mkdtemp(prefix="tfdiag-"))
    sites = work / "sites"
    gen_corpus.generate(sites / "big", n, seed=3)
    gen_corpus.generate(sites / "small", 2000, seed=3)
    (sites / "robots.txt").write_text("User-agent: *\nDisallow: /big/cgi-bin/\nDisallow: /small/cgi-bin/\n")
    ng = Nginx(sites, work)
    out: dict = {}
    try:
        arch = work / "arch"
        r = measure([TFMIGRATE, "crawl", ng.url("big"), "--archive", str(arch), "--delay", "0",
                     "--concurrency", "4", "-q"], poll_rss=True)
        out["crawl_only"] = {k: r[k] for k in ("wall", "cpu", "maxrss_mb", "tree_peak_mb", "load1")}
        log(f"crawl {n}: {out['crawl_only']}")
        r = measure([TFMIGRATE, "migrate", str(arch), "--out", str(work / "m"), "--jobs", "2", "-q"], poll_rss=True)
        out["migrate_from_archive"] = {k: r[k] for k in ("wall", "cpu", "maxrss_mb", "tree_peak_mb", "load1")}
        log(f"migrate archive {n}: {out['migrate_from_archive']}")
        shutil.rmtree(work / "m", ignore_errors=True)

        base = [TFMIGRATE, "migrate", ng.url("small"), "--out", str(work / "rr"), "--delay", "0",
                "--concurrency", "4", "-q"]
        first = measure(base)
        raw = work / "rerun.txt"
        pyspy = str(PROF_VENV / "bin" / "py-spy")
        r = measure([pyspy, "record", "-r", "200", "--subprocesses", "-f", "raw", "-o", str(raw), "--", *base],
                    check=False)
        out["rerun_2000"] = {"first_wall": first["wall"], "rerun_wall_under_pyspy": r["wall"],
                             "counts": migrate_counts(r["out"]), "profile": top(raw)}
        log(f"rerun 2000: first {first['wall']:.1f} s, unchanged (under py-spy) {r['wall']:.1f} s")
    finally:
        ng.stop()
        (HERE / "diagnose.json").write_text(json.dumps(out, indent=1))
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(out, indent=1)[:6000])


if __name__ == "__main__":
    main()
