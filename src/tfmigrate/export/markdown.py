"""Markdown: one ``<case_id>.md`` per case, readable on its own, images beside it, and an index.

Page text is escaped so that nothing in it becomes markup: Markdown punctuation is backslash-escaped
and ``<``, ``>``, ``&`` become entities, so a page's ``<script>`` or ``javascript:`` stays text.
With ``--unknown`` a case shows its history and images first; the diagnosis, differential,
discussion and followup move to ``<case_id>-answer.md``, the site's own teaching design.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import quote, urlsplit

from tfmigrate.export.registry import ExportOptions, MigratedOutput
from tfmigrate.models import Case

# Characters that CommonMark (and GitHub's tables and strikethrough) give a meaning inside a line;
# with brackets escaped no link or image can form, and <, >, & become entities, so no HTML either.
INLINE_PUNCTUATION_RE = re.compile(r"([\\`*_\[\]|~])")
# What starts a heading, list, quote or rule only at the start of a line ("1. Paget's disease.").
LINE_START_RE = re.compile(r"^(\s*)([#+\->=]|\d+[.)])", re.MULTILINE)
HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# What gives the diagnosis away: held back for the answer view of an unknown.
ANSWER_SECTIONS = frozenset(
    {
        "Diagnosis",
        "Differential diagnosis",
        "Discussion",
        "Followup",
        "Teaching points",
        "References",
        "Coding",
    }
)


INDEX = "index.md"
ANSWER_SUFFIX = "-answer"


def case_file(case_id: str) -> str:
    """A case's file name, never the index's nor another case's answer: a case whose id is
    ``index`` (a folder's index.html with no printed number) once overwrote index.md or was
    overwritten by it. Case ids hold no dot, so ``<id>.case.md`` is no other case's name."""
    return f"{case_id}.case.md" if case_id == "index" or case_id.endswith(ANSWER_SUFFIX) else f"{case_id}.md"


def escape(text: str) -> str:
    text = INLINE_PUNCTUATION_RE.sub(r"\\\1", text)
    text = "".join(HTML_ENTITIES.get(c, c) for c in text)
    return LINE_START_RE.sub(escape_line_start, text)


def escape_line_start(match: re.Match[str]) -> str:
    indent, marker = match[1], match[2]
    return f"{indent}{marker[:-1]}\\{marker[-1]}"


def paragraphs(text: str | None) -> str:
    return "\n\n".join(escape(p) for p in (text or "").split("\n\n") if p)


def bullet_list(items: list[str]) -> str:
    return "\n".join(f"- {escape(item)}" for item in items)


def safe_link(url: str | None) -> str | None:
    """Only http(s) and file links are written; anything else (javascript:, data:) is dropped."""
    if not url or urlsplit(url).scheme.lower() not in ("http", "https", "file"):
        return None
    return quote(url, safe=":/?&=#%~+,;@")


class MarkdownExporter:
    name = "markdown"
    description = "one <case_id>.md per case with its images, and index.md"
    supports_unknown = True

    def export(self, source: MigratedOutput, out_dir: Path, options: ExportOptions) -> int:
        index = ["# Teaching file cases", ""]
        count = 0
        for case in source.records():
            self.copy_images(source, case, out_dir)
            sections = case_sections(case)
            body, answer = split_answer(sections) if options.unknown else (sections, [])
            title = f"Unknown case {case.case_id}" if options.unknown else (case.title or case.case_id)
            text = render(title, header(case, unknown=options.unknown), body)
            if answer:
                answer_file = f"{case.case_id}{ANSWER_SUFFIX}.md"
                text += f"\n[Show the answer]({quote(answer_file)})\n"
                answer_text = render(f"Answer: {case.title or case.case_id}", "", answer)
                (out_dir / answer_file).write_text(answer_text, encoding="utf-8")
            (out_dir / case_file(case.case_id)).write_text(text, encoding="utf-8")
            index.append(f"- [{escape(title)}]({quote(case_file(case.case_id))})")
            count += 1
        (out_dir / INDEX).write_text("\n".join(index) + "\n", encoding="utf-8")
        return count

    @staticmethod
    def copy_images(source: MigratedOutput, case: Case, out_dir: Path) -> None:
        for image in case.images:
            written = source.image_file(image.path) if image.path else None
            if written is not None:
                target = out_dir / "images" / case.case_id / written.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(written, target)


def header(case: Case, *, unknown: bool) -> str:
    lines = []
    if case.authors:
        names = ", ".join(" ".join([a.display_name or a.name, *a.degrees]) for a in case.authors)
        lines.append(f"*Authors:* {escape(names)}")
    if case.date or case.date_raw:
        lines.append(f"*Date:* {escape(str(case.date or case.date_raw))}")
    if case.rating and not unknown:
        lines.append(f"*Rating:* difficulty {case.rating.difficulty}, quality {case.rating.quality}")
    if case.withdrawn:
        lines.append(f"*Withdrawn from the source site:* {case.withdrawn}")
    link = safe_link(case.source.url)
    if link:
        lines.append(f"*Source:* <{link}>")
    return "  \n".join(lines)


def case_sections(case: Case) -> list[tuple[str, str]]:
    images = []
    for image in case.images:
        code = f"({image.type_code})" if image.type_code else ""
        caption = escape(" ".join(x for x in (image.label, code, image.caption or "") if x))
        target = f"images/{quote(case.case_id)}/{quote(Path(image.path).name)}" if image.path else ""
        if target and (image.media_type or "").startswith("image/"):
            images.append(f"![{caption}]({target})  \n{caption}")
        elif target:
            images.append(f"[{caption}]({target})")
        else:
            images.append(f"{caption} (no file)")
    sections = [
        ("Brief history", paragraphs(case.brief_history)),
        ("Images", "\n\n".join(images)),
        ("Full history", paragraphs(case.full_history)),
        ("Patient", escape(case.patient.text) if case.patient else ""),
        ("Procedure", escape(case.procedure.text) if case.procedure else ""),
        ("Findings", paragraphs(case.findings)),
        ("Diagnosis", escape(case.diagnosis or "")),
        ("Differential diagnosis", bullet_list(case.differential_diagnosis)),
        ("Discussion", paragraphs(case.discussion)),
        ("Followup", paragraphs(case.followup)),
        ("Teaching points", bullet_list(case.teaching_points)),
        ("References", bullet_list([r.text for r in case.references])),
        ("Coding", escape(", ".join(filter(None, [case.anatomic_field, case.category, *case.acr_codes])))),
    ]
    return [(heading, body) for heading, body in sections if body]


def split_answer(sections: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    body = [s for s in sections if s[0] not in ANSWER_SECTIONS]
    answer = [s for s in sections if s[0] in ANSWER_SECTIONS]
    return body, answer


def render(title: str, header_text: str, sections: list[tuple[str, str]]) -> str:
    parts = [f"# {escape(title)}", header_text] + [f"## {heading}\n\n{body}" for heading, body in sections]
    return "\n\n".join(p for p in parts if p) + "\n"
