"""Crawling a legacy site politely into WARC files: the only package that talks HTTP."""

from tfmigrate.crawl.crawler import STATE_FILE, WARC_DIR, Crawler, CrawlEvent, CrawlSummary

__all__ = ["STATE_FILE", "WARC_DIR", "CrawlEvent", "CrawlSummary", "Crawler"]
