"""Coverage-guided fuzzing of the parser with atheris, for long local runs (not part of the suite).

    pip install atheris
    python tests/hostile/atheris_harness.py -max_total_time=3600 fixtures/html

The property is the test suite's: any bytes give a record or one of tfmigrate's own errors.
Corpus arguments (folders of pages) seed the fuzzer with the fixture site.
"""

from __future__ import annotations

import contextlib
import sys

import atheris  # type: ignore[import-not-found]

with atheris.instrument_imports():
    from tfmigrate.errors import TfMigrateError
    from tfmigrate.parse import parse_page
    from tfmigrate.records import case_to_json

URL = "http://gamma.wustl.edu/bs125te148.html"


def one_input(data: bytes) -> None:
    with contextlib.suppress(TfMigrateError):
        case_to_json(parse_page(data, URL))


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
