"""Pure helpers that turn printed strings into field values: no HTML, no I/O."""
