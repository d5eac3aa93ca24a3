"""Writers of migrated records; the only package besides crawl/ that writes the output folder."""
