"""``tfmigrate migrate``: a site (or its archive) into records, image files and a report, written as
a new generation of DIR and switched in at once.

The modules, in the order the data passes through them: ``source`` (SOURCE -> the archive, crawled
or read as it is; which URLs are pages), ``previous`` and ``state`` (the last run: what each page
gave, its records, its manifest), ``decide`` (each page: parse it, or reuse what the last run got
from the same bytes), ``pages`` (the pages to parse, parsed on the pool), ``choose`` (one page per
case id: twins, duplicates, collisions), ``cases`` (each case made on the pool: its record,
``images``, the comparison with the last run in ``changes``, its files), ``report`` and
``report_html``, ``manifest``, and ``generation`` (the atomic switch). ``run`` orders them.
"""
