"""tfmigrate: rescue legacy radiology teaching-file sites into validated JSON records."""

__version__ = "0.1.0"

from tfmigrate.errors import NotACasePageError, ParseError, TfMigrateError
from tfmigrate.models import Case
from tfmigrate.parse import parse_page

__all__ = [
    "Case",
    "NotACasePageError",
    "ParseError",
    "TfMigrateError",
    "__version__",
    "parse_page",
]
