"""File names made from remote input (URLs, case numbers): safe on every file system.

Only ASCII letters, digits, ``.``, ``_`` and ``-`` survive; anything else (``/``, ``\\``, ``:``,
NUL, look-alike Unicode) becomes ``_``; no leading dots; a length cap; and the names Windows
reserves for devices (``CON``, ``NUL``, ``COM1``...) get a prefix, whatever their extension.
"""

from __future__ import annotations

import re

UNSAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")
RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{n}" for n in range(10)} | {f"LPT{n}" for n in range(10)}
)


def safe_name(text: str, max_length: int = 80, fallback: str = "file") -> str:
    name = UNSAFE_RE.sub("_", text).strip("._-")[:max_length].rstrip("._-") or fallback
    return f"_{name}" if is_reserved(name) else name


def is_reserved(name: str) -> bool:
    return name.split(".", 1)[0].upper() in RESERVED_NAMES
