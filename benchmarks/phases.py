#!/usr/bin/env python3
"""Where a first run and an unchanged re-run spend their time, phase by phase, for one or more
source trees (the code before a change and after it), on the same served corpus.

    python3 benchmarks/phases.py N [NAME=SRC_DIR ...]    # default: this tree's src/ as "after"

Each run is `migrate(...)` called in a child process of the project venv with the tree's ``src``
first on sys.path, and a progress object that timestamps the phases a run announces: start (locks,
the last run) -> crawl -> parse (decide, parse or reuse) -> write (each case made) -> finish (the
run files, the manifest, the commit). Writes benchmarks/phases.json and prints a table.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_corpus  # noqa: E402
from run import PROJECT_PY, ROOT, Nginx, log  # noqa: E402

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from pathlib import Path
try:
    from tfmigrate.migrate.run import MigrateOptions, migrate
except ImportError:  # the tree before migrate/ was a package
    from tfmigrate.pipeline import MigrateOptions, migrate
from tfmigrate.config import CrawlSettings
import tfmigrate
marks, last = [("start", t0)], [t0]
class Progress:
    def crawl_event(self, event): pass
    def phase(self, name, total): marks.append((name, time.perf_counter()))
    def advance(self, count=1): last[0] = time.perf_counter()
settings = CrawlSettings(delay=0, concurrency=4)
result = migrate(MigrateOptions(out_dir=Path(sys.argv[2]), source=sys.argv[1], jobs=int(sys.argv[3])),
                 settings, Progress())
end = time.perf_counter()
marks.append(("finish", max(last[0], marks[-1][1])))
phases = {name: marks[i + 1][1] - at for i, (name, at) in enumerate(marks[:-1])}
phases["finish"] = end - marks[-1][1]
def cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
# The run's own process, and its workers (reaped when the pool closed): on idle cores a run takes
# at least max(main, (main + workers) / cores).
print(json.dumps({"src": tfmigrate.__file__, "wall": end - t0, "phases": phases,
                  "cpu_main": cpu(resource.RUSAGE_SELF), "cpu_workers": cpu(resource.RUSAGE_CHILDREN),
                  "parsed": result.parsed, "reused": result.reused, "cases": result.cases}))
"""


def run_child(src: Path, url: str, out: Path, jobs: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    load = os.getloadavg()[0]
    done = subprocess.run([PROJECT_PY, "-c", CHILD, url, str(out), str(jobs)], env=env, check=True,
                          capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not result["src"].startswith(str(src)):
        raise SystemExit(f"ran {result['src']}, not the tree in {src}")
    return {**result, "load1": load}


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    trees = dict(arg.split("=", 1) for arg in sys.argv[2:]) or {"after": str(ROOT / "src")}
    jobs = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="tfphases-"))
    sites = work / "sites"
    gen_corpus.generate(sites / "c", pages, seed=1)
    (sites / "robots.txt").write_text("User-agent: *\nDisallow: /c/cgi-bin/\n")
    ng = Nginx(sites, work)
    results: dict = {"pages": pages, "jobs": jobs, "runs": {}}

    try:
        for name, src in trees.items():
            out = work / f"out-{name}"
            first = run_child(Path(src), ng.url("c"), out, jobs)
            log(f"{name}: first {first['wall']:.1f} s {first['phases']}")
            again = run_child(Path(src), ng.url("c"), out, jobs)
            log(f"{name}: unchanged {again['wall']:.1f} s {again['phases']}")
            results["runs"][name] = {"first": first, "unchanged": again}
            shutil.rmtree(out, ignore_errors=True)
    finally:
        ng.stop()
        shutil.rmtree(work, ignore_errors=True)
    (HERE / "phases.json").write_text(json.dumps(results, indent=1).replace(str(ROOT), "ROOT"))
    print(table(results))


def table(results: dict) -> str:
    names = ["start", "crawl", "parse", "write", "finish"]
    head = f"| tree | run | wall s | {' | '.join(names)} | CPU s main / workers | parsed / reused | load1 |"
    lines = [head,
             "|---|---|---|" + "---|" * len(names) + "---|---|---|"]
    for tree, runs in results["runs"].items():
        for kind, r in runs.items():
            cells = " | ".join(f"{r['phases'].get(n, 0):.2f}" for n in names)
            lines.append(f"| {tree} | {kind} | {r['wall']:.2f} | {cells} | {r['cpu_main']:.1f} /"
                         f" {r['cpu_workers']:.1f} | {r['parsed']} / {r['reused']} | {r['load1']:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
