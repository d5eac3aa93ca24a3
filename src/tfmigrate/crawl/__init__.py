"""Crawling a legacy site politely into WARC files: the only package that talks HTTP.

Nothing is imported here: a migrate worker reads the archive (``archive``, ``index``) without
loading the HTTP stack the crawler needs."""
