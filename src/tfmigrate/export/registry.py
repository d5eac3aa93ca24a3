"""Export formats, chosen by name from a registry that other packages extend.

A format is a class with ``name``, ``description``, ``supports_unknown`` and ``export``, which
returns the number of cases it wrote, or an ``ExportSummary`` that adds notes for the user. The
built-in formats are registered here; third-party packages add theirs through the
``tfmigrate.exporters`` entry point group (``name = "package.module:ExporterClass"``).
Exporters read validated records and the image files ``migrate`` wrote: never HTML.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path
from typing import ClassVar, Literal, Protocol

from pydantic import ValidationError

from tfmigrate.errors import InputError, OutputError
from tfmigrate.messages import quoted
from tfmigrate.migrate.generation import STATE_DIR
from tfmigrate.models import Case
from tfmigrate.records import read_record, record_files

ENTRY_POINT_GROUP = "tfmigrate.exporters"
BUILTIN = {
    "mirc": "tfmigrate.export.mirc:MircExporter",
    "csv": "tfmigrate.export.tables:CsvExporter",
    "markdown": "tfmigrate.export.markdown:MarkdownExporter",
    "jsonl": "tfmigrate.export.jsonl:JsonlExporter",
}


@dataclass(frozen=True)
class ExportOptions:
    unknown: bool = False  # cases as unknowns: diagnosis and discussion held back for the answer view
    bom: bool = False  # a UTF-8 byte-order mark, for spreadsheet programs (csv)
    access: Literal["public", "owner"] = "public"  # who may read the cases on the platform (mirc)


@dataclass(frozen=True)
class ExportSummary:
    count: int  # cases exported
    notes: list[str] = field(default_factory=list)  # one line each: what was changed or left out, and why


@dataclass(frozen=True)
class MigratedOutput:
    """What ``migrate`` wrote: validated records, and their image files under ``root``."""

    root: Path

    def __post_init__(self) -> None:
        """Refused before any exporter writes a file."""
        self.record_files()

    def records(self) -> Iterator[Case]:
        for path in self.record_files():
            yield read_record(path)

    def record_files(self) -> list[Path]:
        return record_files(self.root)

    def check(self) -> None:
        """Every record reads, before an export writes anything: a damaged record once left a
        partial export behind a traceback."""
        for path in self.record_files():
            try:
                read_record(path)
            except (OSError, ValidationError) as exc:
                raise InputError(
                    f"{path.relative_to(self.root)} does not read ({quoted(exc, 80)}); nothing exported."
                    f" Check with tfmigrate doctor {self.root}, rebuild with tfmigrate migrate --reparse"
                    f" --out {self.root}"
                ) from exc

    def image_file(self, relative: str) -> Path | None:
        """A written image file, refusing paths that would leave the output folder."""
        path = (self.root / relative).resolve()
        root = self.root.resolve()
        return path if path.is_relative_to(root) and path.is_file() else None


class Exporter(Protocol):
    name: ClassVar[str]
    description: ClassVar[str]
    supports_unknown: ClassVar[bool]

    def export(self, source: MigratedOutput, out_dir: Path, options: ExportOptions) -> int | ExportSummary:
        """Write the format into ``out_dir``; the number of cases exported (with notes, if any)."""
        ...


def available_exporters() -> dict[str, str]:
    """Format name -> "module:Class", built-ins first, then entry points (which cannot shadow them)."""
    found = dict(BUILTIN)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry.name, entry.value)
    return found


def load_exporter(name: str) -> Exporter:
    target = available_exporters().get(name)
    if target is None:
        raise InputError(f"unknown format {name!r}; known: {', '.join(sorted(available_exporters()))}")
    module_name, _, class_name = target.partition(":")
    try:
        exporter_class = getattr(import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise InputError(f"format {name!r} ({target}) cannot be loaded: {exc}") from exc
    exporter: Exporter = exporter_class()
    return exporter


def check_destination(source: Path, out_dir: Path) -> None:
    """Refuse to export into the migrated folder itself or into its published run: ``--out
    DIR/cases`` once wrote into the live generation (doctor then failed it), ``--out DIR`` failed
    on copying images onto themselves."""
    target = out_dir.resolve()
    if target == source.resolve() or target.is_relative_to((source / STATE_DIR).resolve()):
        raise OutputError(
            f"{out_dir} is {source} or inside the run it publishes; export into a folder of its own"
        )


def describe(name: str) -> str:
    try:
        return load_exporter(name).description
    except InputError as exc:
        return str(exc)


def export(name: str, source: Path, out_dir: Path, options: ExportOptions) -> ExportSummary:
    exporter = load_exporter(name)
    if options.unknown and not exporter.supports_unknown:
        raise InputError(f"format {name!r} has no unknown-case form")
    check_destination(source, out_dir)
    migrated = MigratedOutput(source)
    migrated.check()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        result = exporter.export(migrated, out_dir, options)
    except OSError as exc:
        raise OutputError(f"cannot write {out_dir}: {exc.strerror or exc}") from exc
    return result if isinstance(result, ExportSummary) else ExportSummary(result)
