#!/usr/bin/env python3
"""Write a synthetic teaching-file site of N case pages into a folder.

Layout (all links relative, like fixtures/html):
  index.html                         -> list pages + newtfh case list + gd pages
  list-<family>-<k>.html             -> up to 250 classic case pages each
  <pp><nnn>te<nnn>.html              -> classic case pages, styles A / B / C (fixture markup)
  newtfh/general/combined/caselist.html, caselist-<k>.html, unknowns.html
  newtfh/general/combined/small_<id>.html  -> newtfh case pages
  viewer/<case>-main.html + images/<case>/<case>a.jpg   for ~1% of classic cases (a few images)
  gd/<study>.html, robots.txt (Disallow: /cgi-bin/)

Texts are sentences sampled from fixtures/realpages/*.txt and fixtures/seeds/bs125.txt.
Case ids: classic ids are <family><nnn> (17 families x 1000 ids); the rest of the pages are newtfh
pages (ids unlimited), so every id is unique and parses (CASE_NUMBER_RE / case_id_from_url).

Usage: gen_corpus.py OUT_DIR N [--seed S] [--classic-share 0.6]
       gen_corpus.py OUT_DIR --mutate FRACTION [--seed S]   (change that share of case pages in place)
"""

from __future__ import annotations

import argparse
import html
import random
import re
import struct
import zlib
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"  # the real page texts the repository carries
FAMILIES = ["bs", "hs", "hp", "ls", "gi", "ms", "tr", "pa", "rs", "ts", "iw", "ga", "mb", "ot", "cl", "mi", "pe"]
STUDY = {
    "bs": ("bone", "Bone"), "hs": ("hepatobiliary", "Hepatobiliary"), "hp": ("liverspleen", "Hepatic Blood Pool"),
    "ls": ("liverspleen", "Liver-Spleen"), "gi": ("gibleed", "Gastrointestinal Bleeding"),
    "ms": ("meckel", "Meckel's Diverticulum"), "tr": ("thyroid", "Thyroid"), "pa": ("parathyroid", "Parathyroid"),
    "rs": ("renal", "Renal"), "ts": ("testicular", "Testicular"), "iw": ("wbc", "Indium-111 Leukocyte"),
    "ga": ("gallium", "Gallium"), "mb": ("mibg", "MIBG"), "ot": ("octreotide", "Octreotide"),
    "cl": ("csf", "CSF"), "mi": ("bone", "Myocardial Perfusion"), "pe": ("bone", "Pulmonary"),
}
TARGET_BYTES = 8000
PER_LIST = 250
LABEL_START_RE = re.compile(
    r"^(Case Author|Diagnosis|Brief history|Full history|ACR Codes|Case number|Copyright|View |Search for|"
    r"Edit this|Add comments|Read comments|Return to|References and General|Authored By|Patient|History|"
    r"Image Size|Fig|Findings|General Discussion|Rating)",
    re.IGNORECASE,
)
AUTHORS = ["Stephen Schmitter, M.D.", "Keith Fischer, M.D.", "Thomas H. Vreeland, M.D.", "Tom R. Miller, M.D., Ph.D.",
           "Barry A. Siegel, M.D.", "Henry D. Royal, M.D.", "Jerold W. Wallis, M.D.", "Farrokh Dehdashti, M.D."]
DIAGNOSES = ["Heterotopic Ossification", "Paget's Disease", "Osteoid osteoma", "Metastatic prostate carcinoma",
             "Avascular necrosis", "Tibial stress fracture", "Sacral insufficiency fracture", "Graves' disease",
             "Parathyroid adenoma", "Meckel's diverticulum", "Acute cholecystitis", "Renal artery stenosis",
             "Testicular torsion", "Osteomyelitis", "Hepatic hemangioma", "CSF leak", "Pheochromocytoma",
             "Carcinoid tumor", "Sarcoidosis", "Lower GI bleeding"]


def load_sentences() -> tuple[list[str], list[str]]:
    sentences: list[str] = []
    short: list[str] = []
    files = sorted((FIXTURES / "realpages").glob("*.txt")) + [FIXTURES / "seeds" / "bs125.txt"]
    for path in files:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = " ".join(line.split())
            if not line or LABEL_START_RE.match(line) or ":" in line[:25]:
                continue
            if len(line) < 60:
                if 15 < len(line) and not line[0].isdigit():
                    short.append(line)
                continue
            for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", line):
                if len(s) > 30:
                    sentences.append(s)
    return sorted(set(sentences)), sorted(set(short)) or ["Bone Scintigraphy"]


class Text:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sentences, self.short = load_sentences()

    def para(self, lo: int = 2, hi: int = 5) -> str:
        return html.escape(" ".join(self.rng.sample(self.sentences, self.rng.randint(lo, hi))), quote=False)

    def line(self) -> str:
        return html.escape(self.rng.choice(self.short), quote=False)


def classic_content(t: Text, case: str, with_image: bool) -> dict:
    rng = t.rng
    fam = case[:2]
    diag = html.escape(rng.choice(DIAGNOSES), quote=False)
    authors = " and ".join(rng.sample(AUTHORS, rng.randint(1, 2)))
    date = f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.choice(['94', '97', '99', '01', '03'])}"
    age = rng.randint(3, 88)
    sex = rng.choice(["man", "woman", "boy", "girl"])
    return {
        "case": case, "fam": fam, "diag": diag,
        "byline": f"{authors} , {date} . Rating: #D{rng.randint(1, 3)}, #Q{rng.randint(1, 3)}",
        "brief": f"{age} year-old {sex} with " + t.line().lower(),
        "procedure": t.line(),
        "image": with_image,
        "full": f"{age} year-old {sex}. " + t.para(1, 3),
        "dose": f"{rng.randint(3, 30)}.{rng.randint(0, 9)} mCi Tc-99m {rng.choice(['MDP', 'DTPA', 'MAG3', 'sulfur colloid', 'sestamibi'])} i.v.",
        "findings": t.para(3, 5),
        "discussion": [t.para(3, 6)],
        "refs": f"{rng.choice(['Resnick D', 'Mettler FA', 'Siegel BA'])}. {t.line()}. J Nucl Med {rng.randint(1980, 2005)};{rng.randint(10, 46)}:{rng.randint(100, 999)}-{rng.randint(1000, 1200)}.",
        "gd": STUDY[fam],
    }


def fill(t: Text, c: dict, render) -> str:
    page = render(c)
    while len(page.encode()) < TARGET_BYTES - 600:
        c["discussion"].append(t.para(3, 6))
        page = render(c)
    return page


def style_a(c: dict) -> str:
    case, img = c["case"], ""
    if c["image"]:
        img = f"<P>View <A HREF=viewer/{case}-main.html>main image</A>({c['fam']}) in a separate image viewer\n"
    disc = "\n".join(f"<P>{p}" for p in c["discussion"])
    slug, study = c["gd"]
    return f"""<HTML>
<HEAD>
<TITLE>Case {case}</TITLE>
</HEAD>
<BODY BGCOLOR=#FFFFFF TEXT=#000000 LINK=#0000EE VLINK=#551A8B>
<FONT SIZE=-1><B>Case Author(s):</B> {c['byline']}</FONT>
<P><FONT SIZE=+1><B>Diagnosis:</B> {c['diag']}</FONT>
<P><B>Brief history:</B>
<P>{c['brief']}
<HR>
<P>{c['procedure']}
{img}<P>Full history/Diagnosis is available below
<P><FONT SIZE=+1><B>Diagnosis:</B> {c['diag']}</FONT>
<P><B>Full history:</B>
<P>{c['full']}
<HR>
<P>{c['dose']}
<HR>
<P>{c['findings']}
<HR>
{disc}
<HR>
<P>{c['refs']}
<P><B>ACR Codes and Keywords:</B>
<P><A HREF=gd/{slug}.html>References and General Discussion of {study} Scintigraphy</A> (Anatomic field:Skeletal System, Category:Misc)
<P><A HREF="cgi-bin/search.cgi?field=Skeletal+System">Search for similar cases.</A>
<P><A HREF="cgi-bin/edit.cgi?case={case}">Edit this case</A>
<P><A HREF="cgi-bin/comment.cgi?case={case}">Add comments about this case</A>
<P><A HREF=index.html>Return to the Teaching File home page.</A>
<CENTER><B>Case number:</B> {case}</CENTER>
<CENTER>Copyright by Wash U MO</CENTER>
</BODY>
</HTML>
"""


def style_b(c: dict) -> str:
    case = c["case"]
    f = '<p><font face="Arial, Helvetica, sans-serif">'
    rule = '<img src="icons/rule.gif" width="400" height="4">'
    img = ""
    if c["image"]:
        img = f'{f}View <a href="viewer/{case}-main.html">main image</a>({c["fam"]}) in a separate image viewer</font></p>\n'
    disc = "\n".join(f"{f}{p}</font></p>" for p in c["discussion"])
    slug, study = c["gd"]
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">
<title>{c['diag']}</title>
</head>
<body bgcolor="#FFFFFF">
<table width="640" border="0" cellpadding="4" cellspacing="0">
<tr>
<td width="30">&nbsp;</td>
<td valign="top">
<table width="100%" border="0" cellpadding="2"><tr><td bgcolor="#DDDDEE"><font face="Arial, Helvetica" size="2"><b>Case Author(s):</b> {c['byline']}</font></td></tr></table>
{f}<b>Diagnosis:</b> {c['diag']}</font></p>
{f}<b>Brief history:</b></font></p>
{f}{c['brief']}</font></p>
{rule}
{f}{c['procedure']}</font></p>
{img}{f}Full history/Diagnosis is available below</font></p>
{f}<b>Diagnosis:</b> {c['diag']}</font></p>
{f}<b>Full history:</b></font></p>
{f}{c['full']}</font></p>
{rule}
{f}{c['dose']}</font></p>
{rule}
{f}{c['findings']}</font></p>
{rule}
{disc}
{rule}
{f}{c['refs']}</font></p>
{f}<b>ACR Codes and Keywords:</b></font></p>
{f}<a href="gd/{slug}.html">References and General Discussion of {study} Scintigraphy</a> (Anatomic field:Skeletal System, Category:Misc)</font></p>
{f}<a href="cgi-bin/search.cgi?field=Skeletal+System">Search for similar cases.</a></font></p>
{f}<a href="cgi-bin/edit.cgi?case={case}">Edit this case</a></font></p>
{f}<a href="cgi-bin/comment.cgi?case={case}">Add comments about this case</a></font></p>
{f}<a href="index.html">Return to the Teaching File home page.</a></font></p>
{f}<b>Case number:</b> {case}</font></p>
{f}Copyright by Wash U MO</font></p>
</td>
</tr>
</table>
</body>
</html>
"""


XHTML_HEAD = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
"""


def style_c(c: dict) -> str:
    case, img = c["case"], ""
    if c["image"]:
        img = f'<p>View <a href="viewer/{case}-main.html">main image</a>({c["fam"]}) in a separate image viewer</p>\n'
    disc = "\n".join(f"<p>{p}</p>" for p in c["discussion"])
    slug, study = c["gd"]
    return f"""{XHTML_HEAD}<title>{c['diag']}</title>
</head>
<body>
<div class="case">
<p class="byline"><strong>Case Author(s):</strong> {c['byline']}</p>
<p><strong>Diagnosis:</strong> {c['diag']}</p>
<p><strong>Brief history:</strong></p>
<p>{c['brief']}</p>
<hr />
<p>{c['procedure']}</p>
{img}<p>Full history/Diagnosis is available below</p>
<p><strong>Diagnosis:</strong> {c['diag']}</p>
<p><strong>Full history:</strong></p>
<p>{c['full']}</p>
<hr />
<p>{c['dose']}</p>
<hr />
<p>{c['findings']}</p>
<hr />
{disc}
<hr />
<p>{c['refs']}</p>
<p><strong>ACR Codes and Keywords:</strong></p>
<p><a href="gd/{slug}.html">References and General Discussion of {study} Scintigraphy</a> (Anatomic field:Skeletal System, Category:Misc)</p>
<p><a href="cgi-bin/search.cgi?field=Skeletal+System">Search for similar cases.</a></p>
<p><a href="cgi-bin/edit.cgi?case={case}">Edit this case</a></p>
<p><a href="cgi-bin/comment.cgi?case={case}">Add comments about this case</a></p>
<p><a href="index.html">Return to the Teaching File home page.</a></p>
<p class="footer"><strong>Case number:</strong> {case}</p>
<p class="footer">Copyright by Wash U MO</p>
</div>
</body>
</html>
"""


def newtfh_content(t: Text, nid: int) -> dict:
    rng = t.rng
    age = rng.randint(3, 88)
    sex = rng.choice(["male", "female"])
    return {
        "id": nid,
        "title": html.escape(rng.choice(DIAGNOSES).upper(), quote=False),
        "authors": f"{rng.choice(['kwinkl01', 'dchen02', 'bsiegel', 'jwallis'])} and {rng.choice(AUTHORS).split(',')[0]}.",
        "patient": f"{age} year old {sex}",
        "history": f"{age}-year-old with " + t.line().lower() + ".",
        "heading": html.escape(t.line().upper(), quote=False),
        "dose": f"RADIOPHARMACEUTICAL: {rng.randint(3, 30)}.{rng.randint(0, 9)} mCi Tc-99m MDP i.v.",
        "findings": "FINDINGS: " + t.para(3, 5),
        "diagnosis": html.escape(rng.choice(DIAGNOSES), quote=False) + ".",
        "discussion": [t.para(3, 6)],
        "refs": f"Mettler FA, Guiberteau MJ. {t.line()}. Philadelphia: Saunders Elsevier, {rng.randint(1990, 2008)}.",
    }


def style_newtfh(c: dict) -> str:
    nid = c["id"]
    ret = '<p>Return to <a href="caselist.html">Case List with Diagnoses</a> or <a href="unknowns.html">Case List as Unknowns</a></p>'
    disc = "\n".join(f"<p>{p}</p>" for p in c["discussion"])
    return f"""{XHTML_HEAD}<title>{c['title']}</title>
</head>
<body>
<div class="newtfh-case">
{ret}
<p><strong class="title">{c['title']}</strong><br />
<strong>Authored By:</strong> {c['authors']}<br />
<strong>Patient:</strong> {c['patient']}<br />
<strong>History:</strong> {c['history']}</p>
<p><strong>Findings:</strong></p>
<p>{c['heading']}</p>
<p>{c['dose']}</p>
<p>&#160;</p>
<p>{c['findings']}</p>
<p><strong>Diagnosis:</strong> {c['diagnosis']}<br />
<strong>General Discussion:</strong></p>
<p>HISTORY</p>
{disc}
<p>REFERENCES</p>
<p>{c['refs']}</p>
{ret}
</div>
</body>
</html>
"""


def tiny_jpeg(comment: str) -> bytes:
    """Baseline 8x8 grey JPEG bytes are fiddly; a tiny valid GIF-free stand-in: JFIF header + COM.

    Crawlers only store it, so a small JPEG-signature file is enough (the fixture's images are tiny too)."""
    com = comment.encode()
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + \
        b"\xff\xfe" + struct.pack(">H", len(com) + 2) + com + b"\xff\xd9"


def write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)


def generate(out: Path, n: int, seed: int = 1, classic_share: float = 0.6) -> dict:
    rng = random.Random(seed)
    t = Text(rng)
    n_classic = min(int(n * classic_share), len(FAMILIES) * 1000)
    n_newtfh = n - n_classic
    out.mkdir(parents=True, exist_ok=True)
    write(out / "robots.txt", "User-agent: *\nDisallow: /cgi-bin/\n")
    icons = Path(__file__).resolve().parent.parent / "fixtures" / "html" / "icons"
    for icon in sorted(icons.glob("*.gif")):  # the heading images style B pages link to
        write(out / "icons" / icon.name, icon.read_bytes())
    # classic ids: spread over families, 3-digit numbers
    per_family = -(-n_classic // len(FAMILIES))
    ids = [f"{fam}{num:03d}" for num in range(per_family) for fam in FAMILIES][:n_classic]
    lists: list[tuple[str, str]] = []
    by_family: dict[str, list[tuple[str, str, str]]] = {}
    styles = [style_a, style_b, style_c]
    images = 0
    for i, case in enumerate(ids):
        te = rng.randint(114, 241)
        name = f"{case}te{te}.html"
        with_image = i % 100 == 7
        c = classic_content(t, case, with_image)
        write(out / name, fill(t, c, styles[i % 3]))
        if with_image:
            images += 1
            write(out / "viewer" / f"{case}-main.html",
                  f"<html><body><img src=\"../images/{case}/{case}a.jpg\"><p>{c['procedure']}</p>"
                  f"<p><a href=\"../{name}\">Return to case</a></p></body></html>\n")
            write(out / "images" / case / f"{case}a.jpg", tiny_jpeg(f"{case}a.jpg"))
        by_family.setdefault(case[:2], []).append((name, case, c["diag"]))
    for fam, entries in by_family.items():
        for k in range(0, len(entries), PER_LIST):
            lname = f"list-{fam}-{k // PER_LIST}.html"
            items = "\n".join(f'<li><a href="{n_}">{cid}</a> {d}</li>' for n_, cid, d in entries[k:k + PER_LIST])
            write(out / lname, f"<html>\n<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
                               f"<title>{fam} cases</title></head>\n<body>\n<ul>\n{items}\n</ul>\n"
                               f"<p><a href=\"index.html\">Teaching File home page</a></p>\n</body>\n</html>\n")
            lists.append((lname, f"{STUDY[fam][1]} cases, part {k // PER_LIST + 1}"))
    combined = out / "newtfh" / "general" / "combined"
    newtfh_lists: list[str] = []
    entries = []
    for j in range(n_newtfh):
        nid = 100000 + j * 7
        c = newtfh_content(t, nid)
        write(combined / f"small_{nid}.html", fill(t, c, style_newtfh))
        entries.append((f"small_{nid}.html", c["title"]))
    for k in range(0, len(entries), PER_LIST):
        lname = f"caselist-{k // PER_LIST}.html"
        items = "\n".join(f'<li><a href="{n_}">{ti}</a> [<a href="{n_}">small</a>]</li>' for n_, ti in entries[k:k + PER_LIST])
        write(combined / lname, f"<html><head><title>Case List with Diagnoses</title></head><body>\n<ul>\n{items}\n</ul>\n"
                                f"<p><a href=\"../../../index.html\">Teaching File home page</a></p></body></html>\n")
        newtfh_lists.append(lname)
    write(combined / "caselist.html",
          "<html><head><title>Case List with Diagnoses</title></head><body><ul>\n"
          + "\n".join(f'<li><a href="{l}">part {i + 1}</a></li>' for i, l in enumerate(newtfh_lists))
          + "\n</ul><p><a href=\"unknowns.html\">Case List as Unknowns</a></p></body></html>\n")
    write(combined / "unknowns.html",
          "<html><head><title>Case List as Unknowns</title></head><body><p><a href=\"caselist.html\">"
          "Case List with Diagnoses</a></p></body></html>\n")
    gds = sorted({v[0] for v in STUDY.values()})
    for slug in gds:
        write(out / "gd" / f"{slug}.html", f"<html><head><title>{slug}</title></head><body><p>{t.para(4, 8)}</p>"
                                           f"<p><a href=\"../index.html\">Return</a></p></body></html>\n")
    write(out / "index.html",
          "<html>\n<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
          "<title>Nuclear Medicine Teaching File</title></head>\n<body>\n<h1>Nuclear Medicine Teaching File</h1>\n<ul>\n"
          + "\n".join(f'<li><a href="{l}">{d}</a></li>' for l, d in lists)
          + '\n<li><a href="newtfh/general/combined/caselist.html">Case List with Diagnoses</a></li>'
          + '\n<li><a href="newtfh/general/combined/unknowns.html">Case List as Unknowns</a></li>\n'
          + "\n".join(f'<li><a href="gd/{s}.html">References and General Discussion</a></li>' for s in gds)
          + "\n</ul>\n</body>\n</html>\n")
    return {"cases": n, "classic": n_classic, "newtfh": n_newtfh, "viewers": images, "images": images}


def case_pages(root: Path) -> list[Path]:
    classic = sorted(p for p in root.glob("*te*.html") if re.fullmatch(r"[a-z]{2}\d{3}te\d+\.html", p.name))
    return classic + sorted((root / "newtfh" / "general" / "combined").glob("small_*.html"))


def mutate(root: Path, fraction: float, seed: int = 2) -> list[Path]:
    """Change `fraction` of the case pages: one sentence appended to the references paragraph."""
    rng = random.Random(seed)
    pages = case_pages(root)
    chosen = rng.sample(pages, max(1, round(len(pages) * fraction)))
    for p in chosen:
        lines = p.read_text(encoding="utf-8").split("\n")
        addition = f" Benchmark change {rng.randint(0, 10**9)}."
        if any("newtfh-case" in line for line in lines):
            i = next(i for i, line in enumerate(lines) if line == "<p>REFERENCES</p>") + 1
        else:
            i = next(i for i, line in enumerate(lines) if "ACR Codes and Keywords" in line) - 1
        line = lines[i]
        for closing in ("</font></p>", "</p>"):
            if line.endswith(closing):
                lines[i] = line[: -len(closing)] + addition + closing
                break
        else:
            lines[i] = line + addition
        p.write_text("\n".join(lines), encoding="utf-8")
    return chosen


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("n", type=int, nargs="?")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--classic-share", type=float, default=0.6)
    ap.add_argument("--mutate", type=float)
    args = ap.parse_args()
    if args.mutate is not None:
        changed = mutate(args.out, args.mutate, args.seed)
        print(f"changed {len(changed)} pages")
    else:
        print(generate(args.out, args.n, args.seed, args.classic_share))


if __name__ == "__main__":
    main()
