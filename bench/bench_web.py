"""Benchmark the openings page: 100,000 synthetic postings in SQLite, 20 concurrent clients.

The postings are SYNTHETIC (random combinations of invented titles, organisations, places and
sentences; tags drawn at random), made only to give the database a realistic size. The server
runs in its own process (uvicorn, ``--workers`` processes, default 2); the load comes from this
process: ``--clients`` threads, each with its own httpx client, requesting the openings page with
three filters and a search term as fast as they can for ``--duration`` seconds (after a warm-up).
``wrk`` is used as well when installed (less client overhead on a small machine).

Scenarios:
- ``same``: the issue's query over and over;
- ``varied``: every request a different combination of search term, remote filter and page;
- ``checking``: as ``same``, but the server checks the database for changes on every request
  (``index_check_seconds=0``) instead of every 2 s.

Run: .venv/bin/python bench/bench_web.py [--postings 100000] [--clients 20] [--duration 20]
Figures print as a table and go to bench/results/web.json. ``--postgres`` runs the same against
a PostgreSQL server started for the run (figures in bench/results/web_postgres.json).
"""

import argparse
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERY = "/postings?kind=job&track=technical&remote=remote&q=evaluation"
TERMS = [
    "evaluation",
    "interpretability",
    "policy",
    "robustness",
    "theory",
    "engineer",
    "oversight",
    "security",
    "fellowship",
    "research",
    "control",
    "benchmarks",
]

ORG_WORDS = [
    "Larch",
    "Meridian",
    "Quill",
    "Fenwick",
    "Harbor",
    "Cobalt",
    "Juniper",
    "Northgate",
    "Saltmarsh",
    "Tessellate",
    "Wayfarer",
    "Ashgrove",
    "Beacon",
    "Corvid",
    "Driftwood",
]
ORG_SUFFIX = ["Labs", "Institute", "Foundation", "Centre", "University", "Collective", "Group"]
ORG_TYPES = ["frontier-lab", "nonprofit", "academic", "government", "program", "funder"]
ROLES = [
    "Research Engineer",
    "Research Scientist",
    "Policy Analyst",
    "Operations Lead",
    "Software Engineer",
    "Fellow",
    "Research Intern",
    "Program Manager",
    "Postdoc",
    "PhD Student",
]
TOPICS = [
    "Interpretability",
    "Evaluations",
    "Alignment Theory",
    "AI Governance",
    "Robustness",
    "Model Organisms",
    "Security",
    "Scalable Oversight",
    "Control",
    "Field Building",
]
PLACES = [
    "London, UK",
    "San Francisco, CA, USA",
    "Oxford, UK",
    "Berkeley, CA, USA",
    "Remote",
    "New York, NY, USA",
    "Cambridge, UK",
    "Toronto, Canada",
    "Berlin, Germany",
    "Paris, France",
    "Zurich, Switzerland",
    "Washington, DC, USA",
    "Boston, MA, USA",
]
SENTENCES = [
    "You will design evaluation suites that measure dangerous capabilities in frontier models.",
    "The team studies the internal mechanisms of neural networks with sparse dictionaries.",
    "We write policy briefs for legislators on compute governance and model reporting.",
    "Our group proves theorems about learning dynamics and the limits of oversight.",
    "You will run experiments on large clusters and turn the results into clear reports.",
    "We support researchers with operations, hiring, finances and events.",
    "Applicants should have strong Python skills and experience with deep learning frameworks.",
    "The programme pays a stipend and includes mentorship from senior researchers.",
    "We red-team deployed systems and build monitoring for misuse and security incidents.",
    "This role sets the research agenda and mentors a small group of engineers.",
    "We sponsor visas where possible and welcome applicants from any background.",
    "Robustness work here covers adversarial training, jailbreaks and distribution shift.",
]
KINDS = (["job"] * 12) + [
    "internship",
    "fellowship",
    "fellowship",
    "course",
    "phd",
    "postdoc",
    "grant",
    "other",
]
AREAS = [
    "interpretability",
    "oversight",
    "evals",
    "control",
    "robustness",
    "model-organisms",
    "theory",
    "security",
    "governance",
    "field-building",
]


def build_database(url: str, n: int, seed: int = 7) -> float:
    """Write ``n`` synthetic postings (and their search index) into an empty database."""
    from sqlalchemy import insert

    from store.clock import utcnow
    from store.db import make_engine
    from store.migrate import upgrade
    from store.models import Organisation, Posting, Source

    rng = random.Random(seed)
    started = time.perf_counter()
    engine = make_engine(url)
    upgrade(engine)
    now = utcnow()
    orgs = []
    for i in range(300):
        name = f"{rng.choice(ORG_WORDS)} {rng.choice(ORG_SUFFIX)} {i}"
        orgs.append({"id": i + 1, "name": name, "org_type": rng.choice(ORG_TYPES)})
    with engine.begin() as conn:
        conn.execute(insert(Organisation), orgs)
        conn.execute(
            insert(Source),
            [
                {"id": f"board-{i}", "platform": "greenhouse", "endpoint": f"b{i}", "config": {}}
                for i in range(50)
            ],
        )
        batch = []
        for i in range(n):
            org = orgs[rng.randrange(len(orgs))]
            kind = rng.choice(KINDS)
            track = rng.choices(["technical", "governance", "operations"], [6, 2, 2])[0]
            text = " ".join(rng.sample(SENTENCES, 5))
            title = f"{rng.choice(ROLES)}, {rng.choice(TOPICS)}"
            deadline = (
                (now + timedelta(days=rng.randint(1, 150))).date() if rng.random() < 0.4 else None
            )
            batch.append(
                {
                    "source_id": f"board-{i % 50}",
                    "external_id": f"syn-{i}",
                    "url": f"https://jobs.example.org/{i}",
                    "title": title,
                    "organisation_id": org["id"],
                    "organisation_name": org["name"],
                    "locations": rng.sample(PLACES, rng.randint(1, 2)),
                    "remote": rng.choice(["remote", "hybrid", "onsite", "unknown"]),
                    "employment_type": "full_time",
                    "visa_sponsorship": rng.choice(["yes", "no", "unknown"]),
                    "posted_at": now
                    - timedelta(days=rng.randint(0, 240), minutes=rng.randint(0, 1440)),
                    "deadline": deadline,
                    "description_html": f"<p>{text}</p>",
                    "description_text": text,
                    "content_hash": str(i),
                    "first_seen_at": now,
                    "last_seen_at": now,
                    "missing_count": 0,
                    "closed_at": now if rng.random() < 0.1 else None,
                    "kind": kind,
                    "kind_p": 0.9,
                    "track": track,
                    "track_p": 0.85,
                    "style": rng.choices(["empirical", "theoretical"], [4, 1])[0],
                    "style_p": 0.8,
                    "level": rng.choice(["lead", "contributor"]),
                    "level_p": 0.7,
                    "areas": rng.sample(AREAS, rng.randint(0, 3)),
                    "tag_probabilities": {},
                    "tag_evidence": {},
                    "extras": {},
                    "model_version": "synthetic",
                }
            )
            if len(batch) == 5000:
                conn.execute(insert(Posting), batch)
                batch = []
        if batch:
            conn.execute(insert(Posting), batch)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("INSERT INTO posting_fts(posting_fts) VALUES ('optimize')")
    engine.dispose()
    return time.perf_counter() - started


def bench_app() -> Any:
    """uvicorn --factory entry point: the rolefit app over the benchmark database."""
    from web.app import create_app
    from web.config import WebConfig

    url = os.environ["ROLEFIT_BENCH_DB_URL"]
    check = float(os.environ.get("ROLEFIT_BENCH_INDEX_CHECK", "2"))
    config = WebConfig(database_url=url, secret_key="bench-" + "k" * 40, index_check_seconds=check)
    return create_app(config)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    url: str, workers: int, check_seconds: float
) -> tuple[subprocess.Popen[bytes], str]:
    """Start uvicorn in a subprocess and wait until it answers."""
    import httpx

    port = _free_port()
    env = {
        **os.environ,
        "ROLEFIT_BENCH_DB_URL": url,
        "ROLEFIT_BENCH_INDEX_CHECK": str(check_seconds),
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bench.bench_web:bench_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("bench server did not start")


def _paths(varied: bool, rng: random.Random) -> str:
    if not varied:
        return QUERY
    term = rng.choice(TERMS)
    return f"/postings?kind=job&track=technical&remote={rng.choice(['remote', 'hybrid', 'onsite'])}&q={term}&page={rng.randint(1, 5)}"


def load(
    base: str, clients: int, duration: float, *, varied: bool = False, warmup: float = 3.0
) -> dict[str, Any]:
    """Closed-loop load from ``clients`` threads; latency percentiles and throughput."""
    import httpx

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start_at = time.perf_counter() + warmup
    stop_at = start_at + duration

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        failed = 0
        with httpx.Client(base_url=base, timeout=30) as client:
            while True:
                t0 = time.perf_counter()
                if t0 >= stop_at:
                    break
                try:
                    ok = client.get(_paths(varied, rng)).status_code == 200
                except httpx.HTTPError:
                    ok = False
                t1 = time.perf_counter()
                if t0 >= start_at:
                    mine.append(t1 - t0)
                    failed += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    if len(latencies) < 2:
        raise SystemExit(
            f"only {len(latencies)} requests finished in {duration} s: server too slow"
        )
    q = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "throughput_rps": round(len(latencies) / duration, 1),
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
    }


WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.1f %.1f %.1f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def load_wrk(base: str, clients: int, duration: float) -> dict[str, Any] | None:
    """The same closed-loop load with wrk (one thread per core, ``clients`` connections)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    subprocess.run(
        [wrk, "-t2", f"-c{clients}", "-d3s", base + QUERY], capture_output=True
    )  # warm-up
    out = subprocess.run(
        [wrk, "-t2", f"-c{clients}", f"-d{int(duration)}s", "-s", script.name, base + QUERY],
        capture_output=True,
        text=True,
    ).stdout
    Path(script.name).unlink()
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    n, err, p50, p95, p99 = line.split()[1:]
    return {
        "requests": int(n),
        "errors": int(err),
        "throughput_rps": round(int(n) / duration, 1),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
    }


def _tree_rss_mb(pid: int) -> float | None:
    """Resident memory of a process and its children, from /proc (None where there is none)."""
    proc = Path("/proc")
    if not proc.exists():
        return None
    parents = {}
    for status in proc.glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        rss = int(fields.get("VmRSS", "0 kB").split()[0])
        parents[int(status.parent.name)] = (int(fields["PPid"]), rss)
    tree = {pid}
    for _ in range(3):
        tree |= {child for child, (parent, _) in parents.items() if parent in tree}
    return round(sum(parents[p][1] for p in tree if p in parents) / 1024, 1)


def _median_ms(work: Any, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        work()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 2)


def in_process(url: str, rounds: int = 50) -> dict[str, float]:
    """One request's parts without HTTP: index build and check, the query, the rendering."""
    from dataclasses import replace

    from sqlmodel import Session
    from starlette.datastructures import QueryParams

    from matcher.fit.load import fingerprints
    from store.clock import utcnow
    from store.db import make_engine
    from web.filters import parse_query
    from web.openindex import build_index
    from web.queries import find_openings
    from web.routes.openings import _chips, _sorts
    from web.templating import make_templates

    engine = make_engine(url)
    query = parse_query(QueryParams(QUERY.split("?", 1)[1]))
    template = make_templates().env.get_template("openings.html")
    today = utcnow().date()
    with Session(engine) as session:
        t0 = time.perf_counter()
        index = build_index(session)
        build_ms = (time.perf_counter() - t0) * 1000
        check_ms = _median_ms(lambda: fingerprints(session, today), 10)
        t0 = time.perf_counter()
        result = find_openings(session, index, query)  # the first search for this term
        first_ms = (time.perf_counter() - t0) * 1000
        query_ms = _median_ms(lambda: find_openings(session, index, query), rounds)
        closing = replace(query, sort="closing", page=3)
        closing_ms = _median_ms(lambda: find_openings(session, index, closing), rounds)
        no_search = replace(query, q="")
        no_search_ms = _median_ms(lambda: find_openings(session, index, no_search), rounds)

    def render() -> None:
        template.render(
            query=query,
            result=result,
            chips=_chips(query, result),
            sorts=_sorts(query, False),
            feeds=[("rss", "/feeds/postings.rss")] * 5,
            json_url="/api/postings",
            demo=False,
            user=None,
            path="/postings",
        )

    render_ms = _median_ms(render, rounds)
    engine.dispose()
    return {
        "open_postings_indexed": len(index),
        "index_build_ms": round(build_ms, 1),
        "change_check_ms": check_ms,
        "first_query_ms": round(first_ms, 1),
        "query_ms_median": query_ms,
        "closing_sort_page3_ms_median": closing_ms,
        "no_search_ms_median": no_search_ms,
        "render_ms_median": render_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--db", type=Path, default=None, help="reuse (or create) this SQLite database file"
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="run against a PostgreSQL server started for the run (needs postgresql installed)",
    )
    parser.add_argument("--only", default=None, help="one scenario: same, varied or checking")
    args = parser.parse_args()
    if args.postgres:
        from tests.support.postgres import postgres_server

        with postgres_server() as url:
            bench(url, args, build=True, out_name="web_postgres.json")
        return
    folder = Path(tempfile.mkdtemp(prefix="rolefit-bench-"))
    db = args.db or folder / "bench.db"
    bench(f"sqlite:///{db}", args, build=not db.exists(), out_name="web.json")
    if args.db is None:
        shutil.rmtree(folder, ignore_errors=True)


def bench(url: str, args: argparse.Namespace, *, build: bool, out_name: str) -> None:
    """Fill the database if asked, then run every scenario against it and write the figures."""
    build_s = None
    if build:
        print(f"building {args.postings:,} synthetic postings ...", flush=True)
        build_s = build_database(url, args.postings)
        print(f"  built in {build_s:.1f} s", flush=True)
    results: dict[str, Any] = {
        "postings": args.postings,
        "synthetic": True,
        "database": url.split(":", 1)[0],
        "clients": args.clients,
        "duration_s": args.duration,
        "server_workers": args.workers,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "query": QUERY,
        "build_s": build_s,
        "load_average_before": os.getloadavg(),
        "scenarios": {},
    }
    results["in_process"] = in_process(url)
    print(f"in process, one request: {results['in_process']}", flush=True)
    for name, check, varied in (
        ("same", 2.0, False),
        ("checking", 0.0, False),
        ("varied", 2.0, True),
    ):
        if args.only and name != args.only:
            continue
        proc, base = start_server(url, args.workers, check)
        try:
            first = time.perf_counter()
            import httpx

            status = httpx.get(base + QUERY, timeout=60).status_code
            cold_ms = round((time.perf_counter() - first) * 1000, 1)
            figures = load(base, args.clients, args.duration, varied=varied)
            figures["cold_first_request_ms"] = cold_ms
            figures["first_status"] = status
            if name == "same":
                wrk = load_wrk(base, args.clients, args.duration)
                if wrk:
                    results["scenarios"]["same_wrk"] = wrk
            figures["server_rss_mb"] = _tree_rss_mb(proc.pid)
            results["scenarios"][name] = figures
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    print(
        f"\n{args.postings:,} synthetic postings, {args.clients} clients, {args.workers} server workers, "
        f"{os.cpu_count()} CPUs; query {QUERY}"
    )
    print(
        f"{'scenario':<12}{'requests':>10}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    )
    for name, f in results["scenarios"].items():
        print(
            f"{name:<12}{f['requests']:>10}{f['errors']:>8}{f['throughput_rps']:>9}{f['p50_ms']:>9}"
            f"{f['p95_ms']:>9}{f['p99_ms']:>9}"
        )
    results["load_average_after"] = os.getloadavg()
    print(
        f"load average before/after: {results['load_average_before']} / {results['load_average_after']}"
    )
    out = ROOT / "bench" / "results" / out_name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
