"""Entry point of the crawl subprocess: ``python -m crawlers.crawl_process`` (JSON on stdin).

Scrapy's Twisted reactor cannot be restarted within a process, so every crawl runs here, in a
fresh process. Input (stdin): ``{"options": CrawlOptions, "sources": [SourceJob JSON]}``.
Output (stdout): one JSON line per finished source, then ``{"event": "finished"}``. Scrapy
logs go to stderr.
"""

import json
import os
import sys
from typing import Any

from crawlers.settings import CrawlOptions, scrapy_settings


def _emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def main() -> int:
    """Run one crawl described on stdin."""
    from scrapy.crawler import CrawlerProcess

    from crawlers.jobs import SourceJob
    from crawlers.spider import BoardSpider

    args = json.load(sys.stdin)
    options = CrawlOptions(**args.get("options", {}))
    jobs = [SourceJob.from_json(item) for item in args["sources"]]
    process = CrawlerProcess(settings=scrapy_settings(options))
    process.crawl(BoardSpider, jobs=jobs, emit=_emit)
    process.start()
    _emit({"event": "finished"})
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown (half a second with Scrapy and Twisted loaded): all output is
    # flushed and the parent has stored nothing that depends on this process's cleanup.
    os._exit(code)
