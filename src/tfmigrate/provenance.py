"""Where each value of a record came from on its page, and by which rule it was placed there.

Kept beside the record, not in it: a reviewer needs it, an importing platform does not. Lines are the
page's lines as drawn (the block stream, see blocks.py), so the same place can be shown on an HTML
page (by the element path of the line's box) and on a text rendering (by its line number).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tfmigrate.models import Record

# label: a printed label named it; marker: a fixed line of the template (the byline, the case number,
# an image link, the general discussion line, the footer); position: page order (a section's slot, the
# text before an image link); content: what the text reads as (a procedure by its dose and agent, a
# history by the patient it introduces, a citation by its form); unplaced: kept in ``unassigned``.
Rule = Literal["label", "marker", "position", "content", "unplaced"]


class Placement(Record):
    field: str = Field(
        description="The record's field: diagnosis, authors, images[1].caption, references[0] ..."
    )
    rule: Rule
    lines: tuple[int, int] = Field(description="First and last line of the page as drawn (0-based).")
    where: str | None = Field(
        default=None, description="Where the first line stands in the source: an element path, or 'line N'."
    )


class Provenance(Record):
    case_id: str
    url: str
    input_format: Literal["html", "text"]
    placements: list[Placement] = Field(default_factory=list)
    line_places: list[str | None] = Field(
        default_factory=list, description="Where each line of the page as drawn stands in the source."
    )
