#!/usr/bin/env python3
"""tfmigrate benchmark suite: one command, writes benchmarks/RESULTS.md (+ results.json).

    python3 benchmarks/run.py                 # full run (defaults below)
    python3 benchmarks/run.py --quick         # smoke test: small corpora, 1 repetition

Never part of the test suite; nothing here asserts on timings. See benchmarks/README.md.
Runs as root (installs nginx-light and wget from Debian if missing, starts nginx on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = ROOT / ".venv"
TFMIGRATE = str(VENV / "bin" / "tfmigrate")
PROJECT_PY = str(VENV / "bin" / "python")
SCRAPY_VENV = HERE / ".venv-scrapy"
PROF_VENV = HERE / ".venv-prof"
sys.path.insert(0, str(HERE))
import gen_corpus  # noqa: E402

PAGE_SUFFIXES = {".html", ".htm", ".shtml", ".txt", ""}  # what `tfmigrate parse DIR` reads


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.2f}] {msg}", flush=True)


# ----------------------------------------------------------------------------- setup
def sh(cmd: list[str] | str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, capture_output=True, shell=isinstance(cmd, str), **kw)


def ensure_tools(profile: bool) -> None:
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists() or not shutil.which("wget"):
        log("installing nginx-light and wget from Debian (apt-get)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        sh(["apt-get", "update", "-qq"], env=env)
        try:
            sh(["apt-get", "install", "-y", "-qq", "nginx-light", "wget"], env=env)
        except subprocess.CalledProcessError:
            sh(["apt-get", "install", "-y", "-qq", "nginx", "wget"], env=env)
    if not (SCRAPY_VENV / "bin" / "scrapy").exists():
        log(f"creating {SCRAPY_VENV} with Scrapy (the benchmark's own venv, not a project dependency)")
        sh([sys.executable, "-m", "venv", str(SCRAPY_VENV)])
        sh([str(SCRAPY_VENV / "bin" / "pip"), "install", "-q", "scrapy"])
    if profile and not (PROF_VENV / "bin" / "py-spy").exists():
        log(f"creating {PROF_VENV} with py-spy")
        sh([sys.executable, "-m", "venv", str(PROF_VENV)])
        sh([str(PROF_VENV / "bin" / "pip"), "install", "-q", "py-spy"])


def machine_facts() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]

    def out(cmd: list[str]) -> str:
        try:
            r = subprocess.run(cmd, capture_output=True, text=True)
            return (r.stdout or r.stderr).strip().splitlines()[0]
        except Exception as exc:  # noqa: BLE001
            return f"n/a ({exc})"

    versions = json.loads(out([PROJECT_PY, "-c",
        "import json,sys,lxml.etree as e,importlib.metadata as m;"
        "print(json.dumps({'python':sys.version.split()[0],'lxml':'.'.join(map(str,e.LXML_VERSION)),"
        "'libxml2':'.'.join(map(str,e.LIBXML_VERSION)),"
        "**{p:m.version(p) for p in ('tfmigrate','pydantic','urllib3','warcio','protego')}}))"]))
    return {
        "cpu": cpu, "cores": os.cpu_count(), "mem_total_mb": int(mem) // 1024,
        "kernel": platform.release(), "runner_python": platform.python_version(),
        "project": versions,
        "scrapy": out([str(SCRAPY_VENV / "bin" / "scrapy"), "version"]),
        "scrapy_python": out([str(SCRAPY_VENV / "bin" / "python"), "--version"]),
        "nginx": out(["nginx", "-v"]),
        "wget": out(["wget", "--version"]),
        "date": dt.datetime.now().isoformat(timespec="seconds"),
    }


def src_snapshot() -> dict[str, str]:
    """sha256 per file of the tfmigrate source: the code under test must not change during a run."""
    import hashlib
    return {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()[:12]
            for p in sorted((ROOT / "src").rglob("*.py"))}


# ----------------------------------------------------------------------------- measuring
def tree_pids(root: int) -> list[int]:
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return pids


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Run(dict):
    """wall, cpu (user+sys of the child and its reaped descendants), maxrss, tree peak RSS, load."""


def measure(cmd: list[str], *, poll_rss: bool = False, cwd: str | None = None, check: bool = True) -> Run:
    load = os.getloadavg()
    out = tempfile.TemporaryFile(mode="w+")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, text=True)
    peak = [0]
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            total = sum(rss_kb(p) for p in tree_pids(proc.pid))
            peak[0] = max(peak[0], total)
            stop.wait(0.05)

    poller = threading.Thread(target=poll, daemon=True) if poll_rss else None
    if poller:
        poller.start()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stop.set()
    if poller:
        poller.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    text = out.read()
    if check and proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{text[-3000:]}")
    return Run(wall=wall, cpu=ru.ru_utime + ru.ru_stime, maxrss_mb=ru.ru_maxrss / 1024,
               tree_peak_mb=peak[0] / 1024, load1=load[0], load5=load[1], rc=proc.returncode, out=text)


def stats(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def fmt(s: dict, digits: int = 1) -> str:
    return f"{s['median']:.{digits}f} ({s['min']:.{digits}f}–{s['max']:.{digits}f})"


def loads(runs: list[Run]) -> str:
    return ", ".join(f"{r['load1']:.2f}" for r in runs)


def median_load(runs: list[Run]) -> str:
    return f"{statistics.median(r['load1'] for r in runs):.2f}"


def flat(s: str) -> str:
    return re.sub(r"[│┃\s]+", " ", s)


def migrate_counts(out: str) -> dict:
    text = flat(out)
    m = re.search(r"pages parsed / reused / skipped\s+(\d+) / (\d+) / (\d+)", text)
    c = re.search(r"new (\d+), changed (\d+), unchanged (\d+), gone (\d+), failed (\d+)", text)
    res = {}
    if m:
        res.update(parsed=int(m[1]), reused=int(m[2]), skipped=int(m[3]))
    if c:
        res.update(new=int(c[1]), changed=int(c[2]), unchanged=int(c[3]), gone=int(c[4]), failed=int(c[5]))
    for kind in ("added", "changed", "unchanged", "failed"):
        k = re.search(rf"\b{kind} (\d+)\b", text.split("pages parsed")[0])
        if k:
            res[f"cases_{kind}"] = int(k[1])
    return res


# ----------------------------------------------------------------------------- nginx
class Nginx:
    def __init__(self, root: Path, work: Path) -> None:
        self.root, self.work = root, work
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.conf = work / "nginx.conf"
        self.conf.write_text(f"""daemon off;
user root;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    etag on;
    keepalive_requests 1000000;
    client_body_temp_path {work}/nginx-tmp;
    server {{
        listen 127.0.0.1:{self.port};
        root {root};
    }}
}}
""")
        (work / "nginx-tmp").mkdir(exist_ok=True)
        self.proc = subprocess.Popen(["nginx", "-p", str(work), "-c", str(self.conf), "-e",
                                      str(work / "nginx-error.log")])
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("nginx did not start: " + (work / "nginx-error.log").read_text())
        log(f"nginx serving {root} on 127.0.0.1:{self.port} (pid {self.proc.pid})")

    def url(self, site: str) -> str:
        return f"http://127.0.0.1:{self.port}/{site}/index.html"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


# ----------------------------------------------------------------------------- sections
def page_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES
                  and not p.name.startswith("."))


LXML_LOOP = r"""
import sys, time, lxml.html
files = open(sys.argv[1]).read().split("\n")
datas = []
t0 = time.perf_counter()
for f in files:
    with open(f, "rb") as h:
        datas.append(h.read())
t_read = time.perf_counter() - t0
t0 = time.perf_counter()
for raw in datas:
    lxml.html.document_fromstring(raw)
t_parse = time.perf_counter() - t0
print(t_read, t_parse, len(datas))
"""


# Where a page's time goes inside `tfmigrate parse`: each step of batch.parse_file and parse.read_page
# wrapped with a timer where the module looks it up, the files parsed twice in one process (the
# faster pass kept), no output written. "the rest" is what the named steps leave (validation of the
# record, the glue between steps).
STAGES = r"""
import json, sys, time
import tfmigrate.batch as batch
import tfmigrate.parse as parse
from pathlib import Path
spent = {}
def timed(name, func):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - start
    return wrapper
batch.read_page = timed("read the file", batch.read_page)
batch.case_to_json = timed("serialise (record file and JSON line)", batch.case_to_json)
batch.case_to_json_line = timed("serialise (record file and JSON line)", batch.case_to_json_line)
parse.read_page = timed("parse", parse.read_page)
parse.decode_html = timed("decode", parse.decode_html)
parse.blocks_from_html = timed("blocks (the layout walk)", parse.blocks_from_html)
parse.blocks_from_text = timed("blocks (the layout walk)", parse.blocks_from_text)
parse.weigh_evidence = timed("template chosen", parse.weigh_evidence)
parse.PARSERS = {name: (timed("template read into fields", parser), version)
                 for name, (parser, version) in parse.PARSERS.items()}
parse.structure_case = timed("structure and content checks", parse.structure_case)
parse.check_case = timed("structure and content checks", parse.check_case)
files = [Path(f) for f in open(sys.argv[1]).read().split("\n")]
passes = []
for _ in range(2):
    spent.clear()
    start = time.perf_counter()
    for f in files:
        batch.parse_file(f)
    passes.append({**spent, "page": time.perf_counter() - start})
best = min(passes, key=lambda p: p["page"])
inner = sum(v for k, v in best.items() if k not in ("parse", "page", "read the file",
                                                      "serialise (record file and JSON line)"))
best["the rest of parse (record validation, glue)"] = best.pop("parse") - inner
outer = sum(v for k, v in best.items() if k != "page")
best["the rest of parse_file (triage, glue)"] = best["page"] - outer
print(json.dumps({k: 1000 * v / len(files) for k, v in best.items()}))
"""


def bench_parse(site: Path, work: Path, reps: int, migrate_reps: int, results: dict,
                migrate_sources: tuple[str, ...] = ("archive",)) -> None:
    files = page_files(site)
    listfile = work / "pagefiles.txt"
    listfile.write_text("\n".join(map(str, files)))
    nbytes = sum(f.stat().st_size for f in files)
    n_cases = len(gen_corpus.case_pages(site))
    res = results["parse"] = {"files": len(files), "bytes": nbytes, "case_pages": n_cases}
    lx, tf, tf2 = [], [], []
    for i in range(reps):  # interleaved, so both see the same machine state
        log(f"parse rep {i + 1}/{reps}: lxml loop")
        r = measure([PROJECT_PY, "-c", LXML_LOOP, str(listfile)])
        t_read, t_parse, n = r["out"].split()
        r.update(read_s=float(t_read), parse_s=float(t_parse), rate=len(files) / float(t_parse),
                 rate_with_read=len(files) / (float(t_read) + float(t_parse)))
        lx.append(r)
        for jobs, runs in ((1, tf), (2, tf2)):
            out = work / f"parse-out-{i}-{jobs}"
            r = measure([TFMIGRATE, "parse", str(site), "--out", str(out), "--jobs", str(jobs)])
            r.update(rate=len(files) / r["wall"], case_rate=n_cases / r["wall"], summary=r["out"].strip()[-300:])
            runs.append(r)
            log(f"  tfmigrate parse --jobs {jobs}: {r['rate']:.0f} files/s ({r['wall']:.1f} s): {r['out'].strip()[:90]}")
            shutil.rmtree(out, ignore_errors=True)
    res["lxml"], res["tfmigrate_parse"], res["tfmigrate_parse_j2"] = lx, tf, tf2
    log("parse: where a page's time goes (in one process, steps timed)")
    res["stages_ms"] = json.loads(measure([PROJECT_PY, "-c", STAGES, str(listfile)])["out"].strip().splitlines()[-1])

    # migrate with --jobs 1 / 2: (a) from the corpus folder (file crawl + parse + write), as the issue asks;
    # (b) from an existing archive (parse + write only: isolates the process pool)
    if not migrate_sources:
        return
    archive = work / "parse-archive"
    log("migrate: building an archive once for the archive-source variant")
    measure([TFMIGRATE, "crawl", str(site), "--archive", str(archive), "-q"])
    for variant, source in (("folder", str(site)), ("archive", str(archive))):
        if variant not in migrate_sources:
            continue
        for jobs in (1, 2):
            runs = []
            for i in range(migrate_reps):
                out = work / f"mig-{variant}-{jobs}-{i}"
                r = measure([TFMIGRATE, "migrate", source, "--out", str(out), "--jobs", str(jobs), "-q"])
                r.update(migrate_counts(r["out"]), rate=n_cases / r["wall"])
                runs.append(r)
                log(f"migrate {variant} --jobs {jobs} rep {i + 1}: {r['wall']:.1f} s, {r['rate']:.0f} cases/s "
                    f"cpu {r['cpu']:.1f} s, parsed {r.get('parsed')}")
                shutil.rmtree(out, ignore_errors=True)
            res[f"migrate_{variant}_j{jobs}"] = runs
    shutil.rmtree(archive, ignore_errors=True)


def bench_crawl(ng: Nginx, site_name: str, work: Path, reps: int, results: dict) -> None:
    url = ng.url(site_name)
    res = results["crawl"] = {"url": url, "tfmigrate": [], "scrapy": [], "wget": []}
    scrapy = str(SCRAPY_VENV / "bin" / "scrapy")
    for i in range(reps):
        arch = work / f"crawl-{i}"
        r = measure([TFMIGRATE, "crawl", url, "--archive", str(arch), "--delay", "0", "--concurrency", "4", "-q"])
        m = re.search(r"new (\d+), changed (\d+), unchanged (\d+), gone (\d+), failed (\d+), skipped (\d+)",
                      flat(r["out"]))
        r["responses"] = sum(int(m[k]) for k in range(1, 6)) + 1  # + robots.txt
        r["failed"] = int(m[5])
        r["warc_bytes"] = sum(p.stat().st_size for p in arch.rglob("*.warc*"))
        res["tfmigrate"].append(r)
        log(f"crawl rep {i + 1}: tfmigrate {r['responses']} responses {r['wall']:.1f} s cpu {r['cpu']:.1f} s "
            f"({r['out'].strip()[-160:]})")
        shutil.rmtree(arch, ignore_errors=True)

        countfile = work / f"scrapy-count-{i}"
        r = measure([scrapy, "runspider", str(HERE / "scrapy_spider.py"), "-a", f"start={url}",
                     "-a", f"countfile={countfile}", "-s", "CONCURRENT_REQUESTS=4",
                     "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "-s", "DOWNLOAD_DELAY=0",
                     "-s", "ROBOTSTXT_OBEY=True", "-s", "LOG_LEVEL=ERROR", "-s", "TELNETCONSOLE_ENABLED=False",
                     "-s", "HTTPCACHE_ENABLED=False", "-s", "AUTOTHROTTLE_ENABLED=False"], cwd=str(work))
        r["responses"] = int(countfile.read_text()) + 1  # + robots.txt (handled by the middleware)
        res["scrapy"].append(r)
        log(f"crawl rep {i + 1}: scrapy {r['responses']} responses {r['wall']:.1f} s cpu {r['cpu']:.1f} s")

        wdir = work / f"wget-{i}"
        r = measure(["wget", "--mirror", "--no-parent", "-e", "robots=on", "-q", "-P", str(wdir), url],
                    check=False)
        r["responses"] = sum(1 for p in wdir.rglob("*") if p.is_file())
        res["wget"].append(r)
        log(f"crawl rep {i + 1}: wget {r['responses']} files {r['wall']:.1f} s cpu {r['cpu']:.1f} s rc {r['rc']}")
        shutil.rmtree(wdir, ignore_errors=True)
    for tool in ("tfmigrate", "scrapy", "wget"):
        for r in res[tool]:
            r["rate"] = r["responses"] / r["wall"]
            r["cpu_ms_per_page"] = 1000 * r["cpu"] / r["responses"]


def bench_reruns(ng: Nginx, site: Path, site_name: str, work: Path, reps: int, results: dict) -> None:
    url = ng.url(site_name)
    res = results["reruns"] = []
    for i in range(reps):
        out = work / f"rerun-{i}"
        base = [TFMIGRATE, "migrate", url, "--out", str(out), "--delay", "0", "--concurrency", "4"]
        first = measure(base, poll_rss=True)
        first.update(migrate_counts(first["out"]))
        log(f"rerun rep {i + 1}: first {first['wall']:.1f} s {migrate_counts(first['out'])}")
        second = measure(base, poll_rss=True)
        second.update(migrate_counts(second["out"]))
        log(f"rerun rep {i + 1}: unchanged {second['wall']:.1f} s {migrate_counts(second['out'])}")
        changed = gen_corpus.mutate(site, 0.01, seed=100 + i)
        third = measure(base, poll_rss=True)
        third.update(migrate_counts(third["out"]), mutated=len(changed))
        log(f"rerun rep {i + 1}: 1% changed ({len(changed)} pages) {third['wall']:.1f} s "
            f"{migrate_counts(third['out'])}")
        res.append({"first": first, "unchanged": second, "changed": third})
        shutil.rmtree(out, ignore_errors=True)


def bench_memory(ng: Nginx, sizes: list[tuple[int, str]], work: Path, reps: int, results: dict) -> None:
    res = results["memory"] = {}
    for n, name in sizes:
        runs = []
        for i in range(reps):
            out = work / f"mem-{n}-{i}"
            r = measure([TFMIGRATE, "migrate", ng.url(name), "--out", str(out), "--delay", "0",
                         "--concurrency", "4", "-q"], poll_rss=True)
            r.update(migrate_counts(r["out"]))
            runs.append(r)
            log(f"memory {n}: tree peak {r['tree_peak_mb']:.0f} MB, max single ru_maxrss {r['maxrss_mb']:.0f} MB,"
                f" {r['wall']:.1f} s, parsed {r.get('parsed')}")
            shutil.rmtree(out, ignore_errors=True)
        res[str(n)] = runs


def profile(site: Path, ng: Nginx, site_name: str, work: Path, results: dict) -> None:
    pyspy = str(PROF_VENV / "bin" / "py-spy")
    res = results["profile"] = {}
    jobs = {
        # One job: the parser runs in the process py-spy samples (with a pool it would sample a waiting
        # main process).
        "parse": [TFMIGRATE, "parse", str(site), "--out", str(work / "prof-parse"), "--jobs", "1"],
        "crawl": [TFMIGRATE, "crawl", ng.url(site_name), "--archive", str(work / "prof-crawl"),
                  "--delay", "0", "--concurrency", "4", "-q"],
    }
    for name, cmd in jobs.items():
        raw = work / f"prof-{name}.txt"
        measure([pyspy, "record", "-r", "200", "-f", "raw", "-o", str(raw), "--", *cmd], check=False)
        self_c, incl_c, total = Counter(), Counter(), 0
        for line in raw.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            n = int(count)
            frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
            frames = [f for f in frames if not f.startswith("process ") and not f.startswith("thread ")]
            if not frames:
                continue
            total += n
            self_c[frames[-1]] += n
            for f in set(frames):
                incl_c[f] += n
        res[name] = {"samples": total,
                     "self": [(f, c / total) for f, c in self_c.most_common(15)],
                     "inclusive": [(f, c / total) for f, c in incl_c.most_common(40)]}
        log(f"profiled {name}: {total} samples")


# ----------------------------------------------------------------------------- report
def write_report(results: dict, path: Path) -> None:
    m = results["machine"]
    cfg = results["config"]
    L: list[str] = []
    a = L.append
    a("# tfmigrate benchmark results\n")
    a(f"Generated by `python3 benchmarks/run.py {' '.join(cfg['argv'])}` on {m['date']}; "
      f"total run time {results['total_s'] / 60:.1f} min.\n")
    a("**Timings are noisy.** The machine has "
      f"{m['cores']} cores and is shared: other developers run test suites on it at the same time. Every table "
      "lists the 1-minute load average at the start of each run (a quiet machine shows ~0; 1.0 means one core "
      "was already busy elsewhere). Treat differences under ~20% as noise.\n")
    if results.get("src_changed"):
        a("**WARNING: the tfmigrate source changed during this run** (other people edit the working tree): "
          + ", ".join(f"`{f}`" for f in results["src_changed"])
          + ". Measurements before and after the change used different code.\n")
    else:
        a("The tfmigrate source (src/**/*.py, sha256 per file) was identical at the start and the end of the run.\n")
    a("## Machine\n")
    a(f"- CPU: {m['cpu']}, {m['cores']} cores, {m['mem_total_mb']} MB RAM, Linux {m['kernel']}")
    p = m["project"]
    a(f"- Project venv: Python {p['python']}, tfmigrate {p['tfmigrate']}, lxml {p['lxml']} (libxml2 {p['libxml2']}), "
      f"pydantic {p['pydantic']}, urllib3 {p.get('urllib3', '?')}, warcio {p['warcio']}, protego {p['protego']}")
    a(f"- Scrapy venv (benchmarks/.venv-scrapy, not a project dependency): {m['scrapy']}, {m['scrapy_python']}")
    a(f"- Server: {m['nginx']} (1 worker process, etag on, access log off, 127.0.0.1); client tools: {m['wget']}")
    a(f"- Runner: Python {m['runner_python']}\n")
    a("## Corpus\n")
    c = results["corpus"]
    a(f"Generated by `benchmarks/gen_corpus.py` (seed 1): {c['main']['cases']} case pages "
      f"({c['main']['classic']} classic in styles A/B/C round-robin over {len(gen_corpus.FAMILIES)} families, "
      f"{c['main']['newtfh']} newtfh `small_<id>.html`), list pages, {c['main']['viewers']} viewer pages with one "
      f"tiny JPEG each, gd pages, icons, robots.txt. Texts are sentences sampled from fixtures/realpages/*.txt "
      f"and fixtures/seeds/bs125.txt. Mean case page size {c['mean_case_bytes']:.0f} bytes.\n")

    targets: list[tuple[str, str, str, str]] = []
    if "parse" in results:
        r = results["parse"]
        lx, tf = r["lxml"], r["tfmigrate_parse"]
        a("## 1. Parse throughput\n")
        a(f"Same {r['files']} page files ({r['bytes'] / 1e6:.1f} MB; {r['case_pages']} case pages + list/gd/viewer "
          "pages + robots.txt — exactly what `tfmigrate parse DIR` reads) in every row, in the same run, interleaved. "
          "Rates are page files per second (median, min–max).\n")
        a("| measurement | runs | files/s | wall s | load1 at start |")
        a("|---|---|---|---|---|")
        a(f"| bare `lxml.html.document_fromstring` loop (bytes pre-read; physical floor) | {len(lx)} | "
          f"{fmt(stats([x['rate'] for x in lx]), 0)} | {fmt(stats([x['parse_s'] for x in lx]), 2)} | {loads(lx)} |")
        a(f"| same loop incl. reading the files | {len(lx)} | {fmt(stats([x['rate_with_read'] for x in lx]), 0)} | "
          f"{fmt(stats([x['parse_s'] + x['read_s'] for x in lx]), 2)} | |")
        a(f"| `tfmigrate parse CORPUS --out OUT --jobs 1` end to end | {len(tf)} | "
          f"{fmt(stats([x['rate'] for x in tf]), 0)} | {fmt(stats([x['wall'] for x in tf]), 1)} | {loads(tf)} |")
        tf2 = r.get("tfmigrate_parse_j2", [])
        if tf2:
            a(f"| `tfmigrate parse CORPUS --out OUT --jobs 2` end to end | {len(tf2)} | "
              f"{fmt(stats([x['rate'] for x in tf2]), 0)} | {fmt(stats([x['wall'] for x in tf2]), 1)} | {loads(tf2)} |")
        ratio = stats([t["rate"] / l_["rate"] for t, l_ in zip(tf, lx)])
        a("")
        a(f"tfmigrate parse / bare lxml (per interleaved pair): **{100 * ratio['median']:.1f}%** "
          f"({100 * ratio['min']:.1f}–{100 * ratio['max']:.1f}%). Target ≥ 10%.\n")
        targets.append(("1a parse single job ≥ 10% of bare lxml", f"{100 * ratio['median']:.1f}%",
                        "met" if ratio["median"] >= 0.10 else "MISSED", median_load(tf)))
        if tf2:
            sp = stats([b["rate"] / a_["rate"] for a_, b in zip(tf, tf2)])
            a(f"`tfmigrate parse --jobs 2` / `--jobs 1` (per interleaved pair): **{sp['median']:.2f}x** "
              f"({sp['min']:.2f}–{sp['max']:.2f}x). Target ≥ 1.7x.\n")
            targets.append(("1b parse --jobs 2 ≥ 1.7x --jobs 1", f"{sp['median']:.2f}x",
                            "met" if sp["median"] >= 1.7 else "MISSED", median_load(tf + tf2)))
        if "stages_ms" in r:
            stages = dict(r["stages_ms"])
            page = stages.pop("page")
            budget = 1000 / (0.10 * statistics.median(x["rate"] for x in lx))
            end_to_end = 1000 / statistics.median(x["rate"] for x in tf)
            a("Where a page file's time goes inside `tfmigrate parse` (one process, each step timed where the "
              "module looks it up, the faster of two passes; no files written). ms per page file, "
              f"against the **{budget:.2f} ms** a page that 10% of this run's bare lxml rate allows; "
              f"`--jobs 1` end to end took {end_to_end:.2f} ms a page file (with start-up and writing).\n")
            a("| step | ms per page file | share |")
            a("|---|---|---|")
            for name, ms in sorted(stages.items(), key=lambda kv: -kv[1]):
                a(f"| {name} | {ms:.3f} | {100 * ms / page:.0f}% |")
            a(f"| **all steps** | **{page:.3f}** | |")
            a("")
        a("For comparison, the same pool inside `tfmigrate migrate SOURCE --out OUT --jobs 1|2` (which also "
          "reads WARC records, attaches images, compares with the last run and writes originals and reports). "
          "Sources: **archive** = an archive crawled once beforehand (no crawl); **folder** (optional, "
          "`--migrate-sources folder,archive`) = the corpus folder, crawled from disk first.\n")
        a("| migrate source | --jobs | runs | case pages/s | wall s | CPU s (tree) | load1 at start |")
        a("|---|---|---|---|---|---|---|")
        for variant in ("folder", "archive"):
            for jobs in (1, 2):
                runs = r.get(f"migrate_{variant}_j{jobs}", [])
                if runs:
                    a(f"| {variant} | {jobs} | {len(runs)} | {fmt(stats([x['rate'] for x in runs]), 0)} | "
                      f"{fmt(stats([x['wall'] for x in runs]), 1)} | {fmt(stats([x['cpu'] for x in runs]), 1)} | "
                      f"{loads(runs)} |")
        a("")
        for variant in ("folder", "archive"):
            j1, j2 = r.get(f"migrate_{variant}_j1"), r.get(f"migrate_{variant}_j2")
            if j1 and j2:
                sp = statistics.median(x["rate"] for x in j2) / statistics.median(x["rate"] for x in j1)
                a(f"- migrate from {variant}: `--jobs 2` / `--jobs 1` = **{sp:.2f}x** (target ≥ 1.7x)")
                targets.append((f"1c migrate from {variant} --jobs 2 ≥ 1.7x --jobs 1", f"{sp:.2f}x",
                                "met" if sp >= 1.7 else "MISSED", median_load(j1 + j2)))
        a("")
    if "crawl" in results:
        r = results["crawl"]
        a("## 2. Crawl throughput and client CPU\n")
        a(f"nginx serves the corpus at `{r['url']}`. All three clients crawl the whole site from the home page, "
          "obey robots.txt (`/cgi-bin/` disallowed), no delay. CPU = user+sys of the client process and its "
          "children (`os.wait4` rusage); nginx's CPU is not counted. 'responses' is what each client fetched "
          "(pages + viewer pages + images + icons + robots.txt).\n")
        a("| client | settings | runs | responses | pages/s | CPU ms/page | wall s | load1 at start |")
        a("|---|---|---|---|---|---|---|---|")
        settings = {"tfmigrate": "`crawl --delay 0 --concurrency 4`; writes WARC + sha256 + state DB",
                    "scrapy": "CONCURRENT_REQUESTS(_PER_DOMAIN)=4, DOWNLOAD_DELAY=0; saves nothing",
                    "wget": "`--mirror -np -e robots=on`; 1 connection (wget has no concurrency); saves files"}
        for tool in ("tfmigrate", "scrapy", "wget"):
            runs = r[tool]
            a(f"| {tool} | {settings[tool]} | {len(runs)} | {runs[0]['responses']} | "
              f"{fmt(stats([x['rate'] for x in runs]), 0)} | {fmt(stats([x['cpu_ms_per_page'] for x in runs]), 2)} | "
              f"{fmt(stats([x['wall'] for x in runs]), 1)} | {loads(runs)} |")
        tfr = statistics.median(x["rate"] for x in r["tfmigrate"])
        scr = statistics.median(x["rate"] for x in r["scrapy"])
        tfc = statistics.median(x["cpu_ms_per_page"] for x in r["tfmigrate"])
        scc = statistics.median(x["cpu_ms_per_page"] for x in r["scrapy"])
        a("")
        a(f"tfmigrate / Scrapy: throughput **{tfr / scr:.2f}x**, CPU per page **{tfc / scc:.2f}x**. "
          "Target: throughput ≥ 1.0x and CPU per page ≤ 1.0x, while also writing WARC and sha256.\n")
        crawl_runs = r["tfmigrate"] + r["scrapy"]
        targets.append(("2a crawl pages/s ≥ Scrapy", f"{tfr:.0f} vs {scr:.0f} pages/s ({tfr / scr:.2f}x)",
                        "met" if tfr >= scr else "MISSED", median_load(crawl_runs)))
        targets.append(("2b crawl CPU/page ≤ Scrapy", f"{tfc:.2f} vs {scc:.2f} ms ({tfc / scc:.2f}x)",
                        "met" if tfc <= scc else "MISSED", median_load(crawl_runs)))
    if "reruns" in results:
        rr = results["reruns"]
        a("## 3. Re-runs over the served site\n")
        a("`tfmigrate migrate http://127.0.0.1:PORT/c10k/index.html --out OUT --delay 0 --concurrency 4` "
          "(default `--jobs`, = CPU count): a first run into an empty OUT, a second over the unchanged site, "
          "then 1% of the case pages get one sentence appended (gen_corpus.py --mutate) and a third run.\n")
        a("| rep | run | wall s | CPU s | crawl new/changed/unchanged | pages parsed / reused / skipped | "
          "cases added/changed/unchanged (changes.json) | load1 |")
        a("|---|---|---|---|---|---|---|---|")
        for i, rep in enumerate(rr):
            for kind in ("first", "unchanged", "changed"):
                x = rep[kind]
                label = kind if kind != "changed" else f"1% changed ({x['mutated']} pages)"
                a(f"| {i + 1} | {label} | {x['wall']:.1f} | {x['cpu']:.1f} | {x.get('new')}/{x.get('changed')}/"
                  f"{x.get('unchanged')} | {x.get('parsed')} / {x.get('reused')} / {x.get('skipped')} | "
                  f"{x.get('cases_added')}/{x.get('cases_changed')}/{x.get('cases_unchanged')} | {x['load1']:.2f} |")
        ratios = stats([rep["unchanged"]["wall"] / rep["first"]["wall"] for rep in rr])
        a("")
        a(f"Unchanged re-run / first run wall time: **{100 * ratios['median']:.0f}%** "
          f"({100 * ratios['min']:.0f}–{100 * ratios['max']:.0f}%, {ratios['n']} reps). Target ≤ 25%.")
        only = all(rep["changed"].get("parsed") == rep["changed"]["mutated"] for rep in rr)
        parsed = [rep["changed"].get("parsed") for rep in rr]
        a(f"After changing 1%: pages parsed = {parsed} for {[rep['changed']['mutated'] for rep in rr]} changed pages "
          f"-> {'only the changed pages were re-parsed' if only else 'NOT only the changed pages'}.\n")
        rerun_runs = [rep[kind] for rep in rr for kind in ("first", "unchanged")]
        targets.append(("3a unchanged re-run ≤ 25% of first", f"{100 * ratios['median']:.0f}%",
                        "met" if ratios["median"] <= 0.25 else "MISSED", median_load(rerun_runs)))
        targets.append(("3b 1% changed: only those re-parsed", f"parsed {parsed}",
                        "met" if only else "MISSED", median_load([rep["changed"] for rep in rr])))
    if "memory" in results:
        mm = results["memory"]
        a("## 4. Memory\n")
        a("`tfmigrate migrate http://127.0.0.1:PORT/cN/index.html --out OUT --delay 0 --concurrency 4` (default "
          "`--jobs` = 2). **Tree peak** = the largest sum of VmRSS over the migrate process and all its "
          "descendants (the parse pool), polled every 50 ms from /proc; **max single** = ru_maxrss from wait4 "
          "(largest single process in the tree, pool workers included).\n")
        a("| case pages | runs | tree peak RSS MB | max single-process RSS MB | wall s | load1 |")
        a("|---|---|---|---|---|---|")
        for n, runs in mm.items():
            a(f"| {n} | {len(runs)} | {fmt(stats([x['tree_peak_mb'] for x in runs]), 0)} | "
              f"{fmt(stats([x['maxrss_mb'] for x in runs]), 0)} | {fmt(stats([x['wall'] for x in runs]), 1)} | "
              f"{loads(runs)} |")
        keys = sorted(mm, key=int)
        if len(keys) >= 2:
            lo = statistics.median(x["tree_peak_mb"] for x in mm[keys[0]])
            hi = statistics.median(x["tree_peak_mb"] for x in mm[keys[-1]])
            a("")
            a(f"{keys[-1]} / {keys[0]} pages: **{hi / lo:.2f}x** (target ≤ 1.25x); peak at {keys[-1]}: "
              f"**{hi:.0f} MB** (target < 250 MB).\n")
            both = mm[keys[0]] + mm[keys[-1]]
            targets.append((f"4a peak RSS {keys[-1]} / {keys[0]} ≤ 1.25x", f"{hi / lo:.2f}x",
                            "met" if hi / lo <= 1.25 else "MISSED", median_load(both)))
            targets.append((f"4b peak RSS at {keys[-1]} < 250 MB", f"{hi:.0f} MB", "met" if hi < 250 else "MISSED",
                            median_load(mm[keys[-1]])))
    if "profile" in results:
        a("## Profile hot spots (py-spy, 200 Hz, active threads only)\n")
        for name, prof in results["profile"].items():
            a(f"### {name} ({prof['samples']} samples)\n")
            a("Top self time:\n")
            a("| share | function (file) |")
            a("|---|---|")
            for f, share in prof["self"][:12]:
                a(f"| {100 * share:.1f}% | `{f}` |")
            a("")
            a("Top inclusive time (tfmigrate and library frames below the entry point):\n")
            a("| share | function (file) |")
            a("|---|---|")
            shown = 0
            for f, share in prof["inclusive"]:
                if share > 0.97 or "<module>" in f:
                    continue
                a(f"| {100 * share:.1f}% | `{f}` |")
                shown += 1
                if shown >= 15:
                    break
            a("")
    a("## Targets\n")
    a("| target | measured (median) | verdict | load1 at start (median of its runs) |")
    a("|---|---|---|---|")
    for t, v, verdict, load in targets:
        a(f"| {t} | {v} | {verdict} | {load} |")
    a("")
    L.extend(before_after(results))
    a("## Repetitions\n")
    a(f"- {cfg['summary']}\n")
    path.write_text("\n".join(L) + "\n", encoding="utf-8")



# ----------------------------------------------------------------------------- before / after
BASELINE = HERE / "baseline.json"  # the first full run's numbers, before the profile-driven fixes
CHANGES = HERE / "CHANGES.md"  # hand-written: what was changed after profiling, and why


def key_numbers(res: dict) -> dict[str, float]:
    """Medians of the numbers the targets are about, from one results.json."""
    med = statistics.median
    out: dict[str, float] = {}
    if "parse" in res:
        r = res["parse"]
        out["parse --jobs 1, files/s"] = med(x["rate"] for x in r["tfmigrate_parse"])
        out["parse --jobs 1 / bare lxml, %"] = 100 * med(
            t["rate"] / l_["rate"] for t, l_ in zip(r["tfmigrate_parse"], r["lxml"]))
        if r.get("tfmigrate_parse_j2"):
            out["parse --jobs 2 / --jobs 1, x"] = med(
                b["rate"] / a_["rate"] for a_, b in zip(r["tfmigrate_parse"], r["tfmigrate_parse_j2"]))
        for variant in ("folder", "archive"):
            j1, j2 = r.get(f"migrate_{variant}_j1"), r.get(f"migrate_{variant}_j2")
            if j1 and j2:
                out[f"migrate ({variant}) --jobs 2 / --jobs 1, x"] = (
                    med(x["rate"] for x in j2) / med(x["rate"] for x in j1))
    if "crawl" in res:
        r = res["crawl"]
        out["crawl pages/s (Scrapy same run)"] = med(x["rate"] for x in r["tfmigrate"])
        out["crawl pages/s / Scrapy, x"] = out["crawl pages/s (Scrapy same run)"] / med(x["rate"] for x in r["scrapy"])
        out["crawl CPU ms/page / Scrapy, x"] = (med(x["cpu_ms_per_page"] for x in r["tfmigrate"])
                                               / med(x["cpu_ms_per_page"] for x in r["scrapy"]))
    if res.get("reruns"):
        rr = res["reruns"]
        out["first migrate over HTTP, s"] = med(x["first"]["wall"] for x in rr)
        out["unchanged re-run, s"] = med(x["unchanged"]["wall"] for x in rr)
        out["unchanged re-run / first, %"] = 100 * med(x["unchanged"]["wall"] / x["first"]["wall"] for x in rr)
    if "memory" in res and len(res["memory"]) >= 2:
        sizes = sorted(res["memory"], key=int)
        small, large = sizes[0], sizes[-1]
        for n in (small, large):
            out[f"tree peak RSS at {n} pages, MB"] = med(x["tree_peak_mb"] for x in res["memory"][n])
            out[f"largest process at {n} pages, MB"] = med(x["maxrss_mb"] for x in res["memory"][n])
        out[f"tree peak {large} / {small}, x"] = (out[f"tree peak RSS at {large} pages, MB"]
                                                 / out[f"tree peak RSS at {small} pages, MB"])
    return out


def previous_numbers(res: dict) -> dict:
    """What a later report compares with: the run's date, command, corpus and key numbers."""
    return {"date": res["machine"]["date"], "argv": res["config"]["argv"],
            "cases": res["corpus"]["main"]["cases"], "numbers": key_numbers(res)}


def against_previous(results: dict) -> list[str]:
    prev = results.get("previous")
    if not prev:
        return []
    lines = ["## Compared with the last committed run\n",
             f"'Last' is the run of {prev['date']} (`python3 benchmarks/run.py {' '.join(prev['argv'])}`, "
             f"{prev['cases']} case pages), whose RESULTS.md this report replaces; 'now' is this run "
             f"({results['corpus']['main']['cases']} case pages). Medians; same shared machine.\n",
             "| number | last | now |", "|---|---|---|"]
    now = key_numbers(results)
    for name in dict.fromkeys([*prev["numbers"], *now]):
        old = f"{prev['numbers'][name]:.2f}" if name in prev["numbers"] else "not measured"
        new = f"{now[name]:.2f}" if name in now else "not measured"
        lines.append(f"| {name} | {old} | {new} |")
    lines.append("")
    return lines


def before_after(results: dict) -> list[str]:
    lines = against_previous(results)
    if not BASELINE.is_file():
        return lines
    base = json.loads(BASELINE.read_text(encoding="utf-8"))
    if base["corpus"]["main"]["cases"] != results["corpus"]["main"]["cases"]:
        return lines + ["## Before / after\n", "Not compared: `baseline.json` measured a corpus of "
                f"{base['corpus']['main']['cases']} case pages, this run {results['corpus']['main']['cases']}.\n"]
    before, after = key_numbers(base), key_numbers(results)
    lines += ["## Before / after the profile-driven changes\n",
             f"'Before' is `benchmarks/baseline.json`: the full run of {base['machine']['date']} "
             f"(`{' '.join(base['config']['argv'])}`), made before the changes listed below; 'after' is this run. "
             "Medians; both runs on the same shared machine.\n",
             "| number | before | after |", "|---|---|---|"]
    for name in after:
        old = f"{before[name]:.2f}" if name in before else "not measured"
        lines.append(f"| {name} | {old} | {after[name]:.2f} |")
    lines.append("")
    if CHANGES.is_file():
        lines.append(CHANGES.read_text(encoding="utf-8").rstrip() + "\n")
    return lines


# ----------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10_000, help="case pages of the main corpus")
    ap.add_argument("--reps", type=int, default=5, help="repetitions of parse and crawl measurements")
    ap.add_argument("--migrate-reps", type=int, default=5, help="repetitions of each migrate --jobs variant")
    ap.add_argument("--migrate-sources", default="archive",
                    help="migrate --jobs variants: folder (the corpus dir) and/or archive (pre-crawled)")
    ap.add_argument("--rerun-reps", type=int, default=3, help="repetitions of the re-run cycle")
    ap.add_argument("--mem-reps", type=int, default=3, help="repetitions of each memory size")
    ap.add_argument("--mem-sizes", default="2000,20000")
    ap.add_argument("--sections", default="parse,crawl,reruns,memory,profile")
    ap.add_argument("--quick", action="store_true", help="smoke test: 500 pages, 1 rep, sizes 200,1000")
    ap.add_argument("--work", type=Path, help="scratch folder (default: a temp dir, deleted at the end)")
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--previous", type=Path, metavar="RESULTS_JSON",
                    help="the run to compare with (default: the results .json beside --out, as this run finds it:"
                         " the last committed run)")
    ap.add_argument("--render", type=Path, metavar="RESULTS_JSON",
                    help="only write the report (--out) again from a results .json, e.g. after editing CHANGES.md")
    args = ap.parse_args()
    if args.render:
        write_report(json.loads(args.render.read_text(encoding="utf-8")), args.out)
        return 0
    if args.quick:
        args.pages, args.reps, args.migrate_reps, args.mem_sizes = 500, 1, 1, "200,1000"
    sections = set(args.sections.split(","))
    t_start = time.perf_counter()
    ensure_tools("profile" in sections)
    work = args.work or Path(tempfile.mkdtemp(prefix="tfbench-"))
    work.mkdir(parents=True, exist_ok=True)
    sites = work / "sites"
    sites.mkdir(exist_ok=True)
    parts = {"parse": f"parse: {args.reps} interleaved lxml/tfmigrate pairs; migrate --jobs 1/2: "
                      f"{args.migrate_reps} run(s) per variant ({args.migrate_sources})",
             "crawl": f"crawl: {args.reps} interleaved tfmigrate/Scrapy/wget rounds",
             "reruns": f"re-run cycle: {args.rerun_reps}", "memory": f"memory: {args.mem_reps} run(s) per size",
             "profile": "profile: 1 py-spy run each of parse --jobs 1 and crawl"}
    results: dict = {"config": {"argv": sys.argv[1:],
                                "summary": "; ".join(v for k, v in parts.items() if k in sections)}}
    results["machine"] = machine_facts()
    json_path = args.out.with_name(args.out.stem.lower() + ".json")
    previous = args.previous or json_path
    if previous.is_file():  # read before this run writes its own over it
        results["previous"] = previous_numbers(json.loads(previous.read_text(encoding="utf-8")))
    src_start = src_snapshot()
    log(f"machine: {results['machine']['cpu']} x{results['machine']['cores']}; work dir {work}")

    main_name = "c10k" if args.pages == 10_000 else f"c{args.pages}"
    main_site = sites / main_name
    log(f"generating {args.pages} case pages into {main_site}")
    results["corpus"] = {"main": gen_corpus.generate(main_site, args.pages)}
    cases = gen_corpus.case_pages(main_site)
    results["corpus"]["mean_case_bytes"] = statistics.mean(p.stat().st_size for p in cases)
    mem_sizes = [int(x) for x in args.mem_sizes.split(",")]
    names = []
    robots = ["User-agent: *"]
    for n in mem_sizes:
        name = f"m{n}"
        names.append((n, name))
        if "memory" in sections:
            log(f"generating {n} case pages into {sites / name}")
            gen_corpus.generate(sites / name, n, seed=3)
    for name in [main_name] + [nm for _, nm in names]:
        robots.append(f"Disallow: /{name}/cgi-bin/")
    (sites / "robots.txt").write_text("\n".join(robots) + "\n")

    ng = None
    try:
        if "parse" in sections:
            bench_parse(main_site, work, args.reps, args.migrate_reps, results,
                        tuple(s for s in args.migrate_sources.split(",") if s))
        if sections & {"crawl", "reruns", "memory", "profile"}:
            ng = Nginx(sites, work)
        if "crawl" in sections:
            bench_crawl(ng, main_name, work, args.reps, results)
        if "memory" in sections:
            bench_memory(ng, names, work, args.mem_reps, results)
        if "profile" in sections:
            prof_name = names[0][1] if "memory" in sections else main_name
            profile(sites / prof_name, ng, prof_name, work, results)
        if "reruns" in sections:  # last: it changes 1% of the main corpus
            bench_reruns(ng, main_site, main_name, work, args.rerun_reps, results)
    finally:
        if ng:
            ng.stop()
        results["total_s"] = time.perf_counter() - t_start
        src_end = src_snapshot()
        results["src_changed"] = sorted(k for k in set(src_start) | set(src_end)
                                        if src_start.get(k) != src_end.get(k))
        for section in results.values():  # drop captured outputs from the JSON
            _strip(section)
        # The scratch folder's name is this machine's and this run's: the JSON says WORK instead.
        json_path.write_text(json.dumps(results, indent=1, default=str).replace(f"{work}/", "WORK/"))
        write_report(results, args.out)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    log(f"wrote {args.out} and its .json in {(time.perf_counter() - t_start) / 60:.1f} min")
    return 0


def _strip(obj) -> None:
    if isinstance(obj, dict):
        obj.pop("out", None)
        for v in obj.values():
            _strip(v)
    elif isinstance(obj, list):
        for v in obj:
            _strip(v)


if __name__ == "__main__":
    sys.exit(main())
