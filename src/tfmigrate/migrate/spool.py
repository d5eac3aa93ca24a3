"""Text a run collects while its workers run and reads back once they are gone, so that per-case
results (report entries, file digests, report sections) never gather in the run's process while
the workers hold their memory too: that is a run's peak."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from pydantic_core import to_json


class BytesOut(Protocol):
    def write_bytes(self, data: bytes, /) -> Any: ...


class Spool:
    def __init__(self, path: Path) -> None:
        self._file = path.open("xb+")  # UTF-8, written and read back as bytes

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._file.close()

    def write(self, text: str) -> None:
        self._file.write(text.encode("utf-8"))

    def write_json(self, value: object) -> None:
        """One value a line, encoded by pydantic's serializer (Rust): a run spools a report entry
        and the file digests of every case, in the process that all the workers wait on."""
        self._file.write(to_json(value) + b"\n")

    def read_json(self) -> Iterator[Any]:
        """Each value ``write_json`` wrote, in order."""
        self._file.seek(0)
        for line in self._file:
            yield json.loads(line)

    def copy_to(self, out: BytesOut) -> None:
        """Its bytes as written: decoding and encoding again the report's sections (a large
        site's 90 MB) cost a re-run half a second."""
        self._file.seek(0)
        while chunk := self._file.read(1 << 20):
            out.write_bytes(chunk)
