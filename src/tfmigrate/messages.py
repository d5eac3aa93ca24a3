"""Messages that quote untrusted text (an archive's bytes, a library's error about them) stay one
short printable line: a damaged WARC record once made a doctor line of kilobytes of NUL bytes,
because warcio's error quotes the record's first line."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the line and paragraph separators: shown escaped, never sent raw;
# a run of one of them is shown once with its count.
UNPRINTABLE_RE = re.compile(r"([\x00-\x1f\x7f-\x9f\u2028\u2029])\1*")
MAX_QUOTED = 200


def quoted(text: object, width: int = MAX_QUOTED) -> str:
    """``text`` as one printable line of at most ``width`` characters (escaped, then cut)."""
    line = UNPRINTABLE_RE.sub(escape_run, str(text))
    return line if len(line) <= width else line[: width - 3] + "..."


def escape_run(match: re.Match[str]) -> str:
    escaped = match[1].encode("unicode_escape").decode("ascii")
    count = len(match[0])
    return escaped if count == 1 else f"{escaped}*{count}"
