"""Benchmark: crawling 50 boards x 40 postings from a local server into SQLite.

The boards are SYNTHETIC Greenhouse-shaped payloads (entity-escaped HTML descriptions of
about 1.5 KB per posting) served by the threaded test server (tests/crawlers/board_server.py)
on 127.0.0.1, each with an ETag. Reported, all measured in the same run:

- raw server rate: requests/s the local server answers for one board payload to a client
  with 8 keep-alive connections in threads (no parsing, no storage);
- first crawl: wall time of ``crawlers.runner.crawl`` (subprocess start, robots.txt, fetch,
  parse, prose extraction, upsert, dedup, crawl state), and postings stored per second;
- all-304 re-crawl: wall time when every board answers 304, as a ratio of the first crawl;
- crawler request rate: requests the crawler made during the first crawl divided by its wall
  time (and by its fetch window, first to last request), as a ratio of the raw server rate.

The all-304 re-crawl is served by conditional GETs in the parent process (crawlers/revalidate.py)
and does not start Scrapy; a board that changed is parsed from that same response.

Crawl settings: no politeness delay (it is one local host standing in for 50), 16 requests in
flight, 16 per host, AutoThrottle on. Real crawls use ROLEFIT_CRAWL_DELAY_S (1 s by default).

CPU seconds of this process (which also runs the local server's threads) and of the crawl
subprocess are reported beside wall times, since
wall times on a shared machine move with its load (the load average is recorded too).

Run: .venv/bin/python bench/bench_crawl.py [--sources 50] [--postings 40]
Figures are printed and written to bench/results/bench_crawl.json.
"""

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawlers.fetch import make_client  # noqa: E402
from crawlers.registry import SourceConfig  # noqa: E402
from crawlers.runner import crawl  # noqa: E402
from crawlers.settings import CrawlOptions  # noqa: E402
from store.db import make_engine  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from tests.crawlers.board_server import BoardServer  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "bench_crawl.json"
TARGET_FIRST_S = 10.0
TARGET_RATIO = 0.10
PARAGRAPH = (
    "&lt;p&gt;You will design and run evaluations of frontier models, build tools that other "
    "researchers rely on, and write up what you find for a technical audience. We work in small "
    "teams with a lot of autonomy and care about careful, honest research.&lt;/p&gt;"
    "&lt;ul&gt;&lt;li&gt;Strong Python and experience with PyTorch or JAX&lt;/li&gt;"
    "&lt;li&gt;Experience running experiments on large models&lt;/li&gt;&lt;/ul&gt;"
    "&lt;p&gt;The annual salary for this role is $160,000 - $210,000. Applications are reviewed "
    "on a rolling basis. We are able to sponsor visas.&lt;/p&gt;"
)


def board_payload(board: int, postings: int) -> bytes:
    """A Greenhouse-shaped board with distinct job ids and titles."""
    jobs = []
    for n in range(postings):
        job_id = 9_000_000 + board * 1000 + n
        jobs.append(
            {
                "id": job_id,
                "internal_job_id": job_id + 7,
                "title": f"Research Engineer {n}, Team {board}",
                "updated_at": "2026-10-01T09:00:00-04:00",
                "first_published": "2026-09-01T09:00:00-04:00",
                "requisition_id": f"R-{job_id}",
                "location": {"name": "London, UK | San Francisco, CA | Remote-Friendly"},
                "absolute_url": f"https://job-boards.greenhouse.io/bench{board}/jobs/{job_id}",
                "company_name": f"Bench Org {board}",
                "metadata": [
                    {
                        "id": 1,
                        "name": "Location Type",
                        "value": "Hybrid",
                        "value_type": "single_select",
                    }
                ],
                "content": PARAGRAPH * 2,
                "departments": [{"id": 1, "name": "Research", "parent_id": None, "child_ids": []}],
                "offices": [
                    {
                        "id": 2,
                        "name": "London",
                        "location": "London, UK",
                        "parent_id": None,
                        "child_ids": [],
                    }
                ],
            }
        )
    return json.dumps({"jobs": jobs, "meta": {"total": postings}}).encode()


def raw_rate(server: BoardServer, path: str, requests: int = 1000, threads: int = 8) -> float:
    """Requests/s the server answers with keep-alive clients in threads."""
    per_thread = requests // threads

    def worker() -> None:
        with make_client("bench", 10) as client:
            for _ in range(per_thread):
                client.get(server.url + path).raise_for_status()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    start = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return per_thread * threads / (time.perf_counter() - start)


def _cpu() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def timed_crawl(
    url: str, engine: Any, sources: list[SourceConfig], options: CrawlOptions
) -> tuple[float, tuple[float, float], list[Any]]:
    """Wall time of one crawl, CPU seconds (this process, the crawl subprocess), outcomes."""
    cpu_before = _cpu()
    start = time.perf_counter()
    with make_client(options.user_agent, 10) as client:
        outcomes = crawl(url, sources, options=options, engine=engine, client=client)
    wall = time.perf_counter() - start
    cpu_after = _cpu()
    return wall, (cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1]), outcomes


def main() -> None:
    """Run the benchmark and write its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--postings", type=int, default=40)
    args = parser.parse_args()
    load_before = os.getloadavg()
    options = CrawlOptions(delay_s=0, concurrency=16, per_host=16, timeout_s=30, log_level="ERROR")
    with tempfile.TemporaryDirectory() as folder, BoardServer() as server:
        url = f"sqlite:///{folder}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        sources = []
        for board in range(args.sources):
            path = f"/v1/boards/bench{board}/jobs"
            server.serve(path, board_payload(board, args.postings))
            sources.append(
                SourceConfig(
                    id=f"bench_{board}", platform="greenhouse", token=f"bench{board}",
                    url=f"{server.url}{path}?content=true", organisation=f"Bench Org {board}",
                )
            )  # fmt: skip
        raw = raw_rate(server, "/v1/boards/bench0/jobs?content=true")
        server.hits.clear()
        first_s, first_cpu, first = timed_crawl(url, engine, sources, options)
        first_hits = list(server.hits)
        server.hits.clear()
        second_s, second_cpu, second = timed_crawl(url, engine, sources, options)
        stored = sum(o.new for o in first)
        statuses = sorted({o.status for o in second})
        window = max(first_hits[-1].at - first_hits[0].at, 1e-6)
        crawler_rate = len(first_hits) / first_s
        figures = {
            "sources": args.sources,
            "postings_per_source": args.postings,
            "postings_stored": stored,
            "first_crawl_s": round(first_s, 3),
            "postings_stored_per_s": round(stored / first_s, 1),
            "first_crawl_cpu_s": {
                "parent": round(first_cpu[0], 2),
                "crawl_process": round(first_cpu[1], 2),
            },
            "recrawl_all_304_s": round(second_s, 3),
            "recrawl_cpu_s": {
                "parent": round(second_cpu[0], 2),
                "crawl_process": round(second_cpu[1], 2),
            },
            "recrawl_statuses": statuses,
            "recrawl_ratio": round(second_s / first_s, 3),
            "raw_server_requests_per_s": round(raw, 1),
            "crawler_requests": len(first_hits),
            "crawler_requests_per_s": round(crawler_rate, 1),
            "crawler_rate_ratio": round(crawler_rate / raw, 3),
            "crawler_fetch_window_s": round(window, 3),
            "crawler_requests_per_s_in_window": round(len(first_hits) / window, 1),
            "crawler_window_rate_ratio": round(len(first_hits) / window / raw, 3),
            "targets": {"first_crawl_s": TARGET_FIRST_S, "recrawl_ratio": TARGET_RATIO},
            "met": {
                "first_crawl": first_s < TARGET_FIRST_S and stored == args.sources * args.postings,
                "recrawl": second_s / first_s < TARGET_RATIO,
            },
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_before": load_before,
                "load_after": os.getloadavg(),
            },
        }
    print(json.dumps(figures, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
