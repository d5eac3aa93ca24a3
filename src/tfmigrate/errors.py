"""The project's exceptions: one base class, caught and reported at the CLI boundary.

TfMigrateError
├── InputError          an input file cannot be read as a page at all (empty, binary, too large)
├── NotACasePageError   a page that is not a case page (list, viewer, discussion page): skipped
├── ParseError          a case page whose record could not be built or validated
│   └── CaseLikePageError  a page that looks like a case page but carries too little of one to read
├── StartError          a command cannot start: unusable start URL, folder or DIR
├── StateError          an archive's state database is unreadable, locked, or from a newer version
├── ArchiveError        an archived record cannot be read: a damaged or missing WARC file
├── WaybackError        a web archive read with --wayback refuses this client or stops answering
└── OutputError         the output cannot be written: permissions, a full disk, names not ours
"""


class TfMigrateError(Exception):
    """Base class of every error tfmigrate raises on purpose."""


class InputError(TfMigrateError):
    """The input cannot be treated as a page: empty, binary, or over the size cap."""


class NotACasePageError(TfMigrateError):
    """The page is a real page of the site, but not a case page; callers skip it."""


class ParseError(TfMigrateError):
    """A case page whose record could not be built or did not validate."""


class CaseLikePageError(ParseError):
    """A page with some marks of a case page (a label, an image link) but too few to read as one:
    named as a failure, never skipped as a page that is not a case."""


class StartError(TfMigrateError):
    """A command cannot start: its start URL, folder or DIR is unusable."""


class StateError(TfMigrateError):
    """The archive's crawl state cannot be used."""


class ArchiveError(TfMigrateError):
    """An archived record cannot be read: a damaged or missing WARC file."""


class WaybackError(TfMigrateError):
    """A web archive read with --wayback refuses this client (429 after retries) or stops
    answering: the crawl stops, and the same command resumes it later."""


class OutputError(TfMigrateError):
    """The output folder cannot be written: permissions, a full disk, names that are not ours."""
