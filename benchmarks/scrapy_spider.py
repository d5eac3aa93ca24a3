"""The Scrapy side of the crawl comparison: follow every in-scope link, save nothing.

Run by run.py as:
  .venv-scrapy/bin/scrapy runspider scrapy_spider.py -a start=URL -a countfile=FILE -s CONCURRENT_REQUESTS=4 ...
"""

from urllib.parse import urlsplit

import scrapy
from scrapy.linkextractors import LinkExtractor


class SiteSpider(scrapy.Spider):
    name = "site"

    def __init__(self, start: str, countfile: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start]
        parts = urlsplit(start)
        self.prefix = f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/', 1)[0]}/"
        # tags/attrs like a site mirror: links, images, applets; no extension filter (images too)
        self.links = LinkExtractor(tags=("a", "img", "area"), attrs=("href", "src"), deny_extensions=())
        self.countfile = countfile
        self.responses = 0

    def parse(self, response):
        self.responses += 1
        if not isinstance(response, scrapy.http.HtmlResponse):
            return
        for link in self.links.extract_links(response):
            if link.url.startswith(self.prefix):
                yield response.follow(link.url, callback=self.parse)

    def closed(self, reason):
        with open(self.countfile, "w") as handle:
            handle.write(str(self.responses))
