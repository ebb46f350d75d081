"""Benchmark: building digests for 10,000 subscriptions over 100,000 postings, then sending.

The data are SYNTHETIC (fixed seed): postings with tags, places, deadlines and first-seen times
spread over two weeks, from 2,000 organisations; subscriptions whose profile documents are drawn
from ``--profiles`` distinct templates (subscribers with identical profiles share one ranking);
half the subscriptions already had a digest yesterday, so "new since the last digest" applies.

Reported:
- build, cold: the whole planning run (history, one matcher.fit ranking per distinct profile,
  selection per subscriber) including the matcher's one-off corpus build (TF-IDF fit);
- build, warm: the same with the corpus cached, as in the long-running scheduler between crawls;
- render: the text and HTML parts of every digest that would be sent (and, separately, the
  MIME assembly and encoding, which the send figure also includes);
- send: ``send_due_digests`` (the exactly-once state machine, one SMTP connection per message)
  to a local aiosmtpd server in a separate process, for ``--send`` subscriptions, messages/s.

Times are wall-clock and, where the machine is shared, also CPU seconds of this process (the
load average at the end is recorded too).

Run: .venv/bin/python bench/bench_digest.py [--postings 100000] [--subscriptions 10000]
     [--profiles 500] [--send 1000]
Figures are printed and written to bench/results/bench_digest.json.
"""

import argparse
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "bench_digest.json"
TARGET_BUILD_S = 60.0
WORDS = (
    "python pytorch jax gpu training evaluation evals benchmark fine-tuning interpretability "
    "sparse autoencoder circuits features red-teaming robustness monitoring control oversight "
    "debate reward model alignment theory proof formal decision agent forecasting security "
    "infrastructure distributed data pipeline policy governance compute standards regulation "
    "operations recruiting finance events community course mentor research engineer scientist "
    "team experiments transformer language reinforcement statistics mathematics writing"
).split()
TITLES = ["Research Engineer", "Research Scientist", "Software Engineer", "Policy Analyst",
          "Operations Manager", "Research Fellow", "Intern", "Security Engineer"]  # fmt: skip
PLACES = [["London, UK"], ["San Francisco, CA"], ["Berkeley, CA"], ["Oxford, UK"], ["Remote"],
          ["New York, NY"], ["Berlin, Germany"], [], ["London, UK", "Remote"]]  # fmt: skip
KINDS = ["job"] * 6 + ["internship", "fellowship", "phd", "postdoc"]
TRACKS = ["technical"] * 3 + ["governance", "operations"]
AREAS = ["interpretability", "oversight", "evals", "control", "robustness", "theory",
         "security", "governance"]  # fmt: skip


def posting_rows(n: int, rng: random.Random) -> list[dict[str, Any]]:
    """``n`` tagged synthetic postings as dicts for a bulk insert."""
    from store.clock import utcnow

    now = utcnow()
    rows = []
    for i in range(n):
        low = rng.choice([None, None, 50000, 80000, 120000])
        seen = now - timedelta(hours=rng.uniform(0, 24 * 14))
        rows.append({
            "source_id": "bench", "external_id": str(i), "url": f"https://jobs.example/{i}",
            "title": f"{rng.choice(TITLES)}, {rng.choice(WORDS).title()}",
            "organisation_id": i % 2000 + 1, "organisation_name": f"Org {i % 2000}",
            "locations": rng.choice(PLACES), "remote": rng.choice(["unknown", "onsite", "remote"]),
            "employment_type": "full_time",
            "deadline": rng.choice([None, None, (now + timedelta(days=rng.randint(1, 90))).date()]),
            "salary_min": low, "salary_max": low * 1.2 if low else None,
            "salary_currency": "GBP" if low else None, "salary_period": "year" if low else None,
            "visa_sponsorship": rng.choice(["unknown", "yes", "no"]), "description_html": "",
            "description_text": " ".join(rng.choices(WORDS, k=rng.randint(60, 140))),
            "content_hash": str(i), "first_seen_at": seen, "last_seen_at": now,
            "missing_count": 0, "closed_at": None,
            "kind": rng.choice(KINDS), "kind_p": 0.9, "track": rng.choice(TRACKS), "track_p": 0.9,
            "style": rng.choice(["empirical", "theoretical"]), "style_p": 0.8,
            "level": rng.choice(["contributor", "lead"]), "level_p": 0.8,
            "areas": rng.sample(AREAS, k=rng.randint(0, 3)), "tag_probabilities": {},
            "tag_evidence": {}, "extras": {}, "tagged_at": now, "model_version": "bench",
        })  # fmt: skip
    return rows


def profile_doc(i: int, rng: random.Random) -> dict[str, Any]:
    """One distinct profile document (valid for matcher.profile)."""
    return {
        "name": f"Profile {i}",
        "kinds": rng.sample(["job", "internship", "fellowship", "phd"], k=rng.randint(0, 2)),
        "tracks": rng.sample(["technical", "governance", "operations"], k=rng.randint(0, 1)),
        "areas": rng.sample(AREAS, k=rng.randint(1, 3)),
        "style": {"prefer": rng.choice(["empirical", "theoretical", "either"]), "strength": 0.6},
        "location": {"places": rng.choice([["London"], ["United States"], ["Berlin"], []]),
                     "remote_ok": rng.random() < 0.7},
        "salary": {"minimum": rng.choice([0, 50000, 90000]), "currency": "GBP"},
        "skills": rng.sample(WORDS, k=5),
        "bio": " ".join(rng.sample(WORDS, k=25)),
    }  # fmt: skip


def fill(url: str, postings: int, subscriptions: int, profiles: int) -> float:
    """Create the schema and the synthetic data; return seconds taken."""
    from sqlalchemy import insert

    from store.clock import utcnow
    from store.db import make_engine, session_scope
    from store.migrate import upgrade
    from store.models import DigestSend, Organisation, Posting, Profile, Source, Subscription

    started, rng, now = time.perf_counter(), random.Random(11), utcnow()
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        session.add(Source(id="bench", platform="bench"))
        for j in range(2000):
            session.add(Organisation(name=f"Org {j}", org_type="nonprofit"))
    templates = [profile_doc(i, rng) for i in range(profiles)]
    table = lambda model: model.__table__  # noqa: E731
    with engine.begin() as conn:
        rows = posting_rows(postings, rng)
        for start in range(0, len(rows), 5000):
            conn.execute(insert(table(Posting)), rows[start : start + 5000])
        docs = [{"name": f"s{i}", "document": templates[i % profiles], "created_at": now,
                 "updated_at": now} for i in range(subscriptions)]  # fmt: skip
        conn.execute(insert(table(Profile)), docs)
        subs = [{"profile_id": i + 1, "email": f"s{i}@example.org", "frequency": "daily",
                 "min_score": rng.choice([0.0, 0.3, 0.5]), "min_matches": rng.randint(1, 3),
                 "active": True, "created_at": now} for i in range(subscriptions)]  # fmt: skip
        conn.execute(insert(table(Subscription)), subs)
        yesterday = now - timedelta(days=1)
        sends = [{"subscription_id": i + 1, "period_key": f"d:{yesterday.date()}",
                  "status": "sent", "created_at": yesterday, "sent_at": yesterday, "attempts": 1,
                  "posting_ids": rng.sample(range(1, postings + 1), k=10)}
                 for i in range(0, subscriptions, 2)]  # fmt: skip
        conn.execute(insert(table(DigestSend)), sends)
    engine.dispose()
    return time.perf_counter() - started


def plan(url: str, memo: dict[str, Any]) -> dict[str, Any]:
    """One planning run (what ``rolefit digest --dry-run`` does), timed by part.

    Rankings are kept in ``memo`` so the send measurement can leave ranking out.
    """
    from scheduler.planning import plan_due_digests
    from scheduler.selection import fit_ranker, profile_key
    from store.db import make_engine

    spent = {"rank_s": 0.0, "rankings": 0}

    def timed(session: Any, document: dict[str, Any], now: Any) -> Any:
        started = time.perf_counter()
        out = memo[profile_key(document)] = fit_ranker(session, document, now)
        spent["rank_s"] += time.perf_counter() - started
        spent["rankings"] += 1
        return out

    engine = make_engine(url)
    started, cpu = time.perf_counter(), time.process_time()
    report = plan_due_digests(engine, ranker=timed)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    digests = [i for i in report.items if i.digest is not None]
    return {"total_s": total, "cpu_s": cpu, **spent, "report": report, "digests": len(digests)}


def render_all(report: Any) -> tuple[float, float]:
    """CPU seconds to render both parts of every digest, and to assemble the MIME messages."""
    from scheduler.compose import build_message, new_message_id
    from scheduler.digests import DigestLinks, render_html, render_text
    from scheduler.tokens import make_token, unsubscribe_url

    digests = [item for item in report.items if item.digest is not None]
    cpu = time.process_time()
    for item in digests:
        token = make_token("bench-secret", item.subscription_id, item.email)
        links = DigestLinks(unsubscribe_url("https://r.example", token), "https://r.example/s",
                            "https://r.example")  # fmt: skip
        render_text(item.digest, links)
        render_html(item.digest, links)
    parts = time.process_time() - cpu
    cpu = time.process_time()
    for item in digests:  # renders again inside: subtract ``parts`` for assembly alone
        message = build_message(item.digest, to=item.email, mail_from="bench <b@r.example>",
                                links=links, message_id=new_message_id("r.example"))  # fmt: skip
        message.as_bytes()
    return parts, time.process_time() - cpu - parts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def send(url: str, count: int, memo: dict[str, Any]) -> dict[str, Any]:
    """Send the due digests of ``count`` subscriptions through aiosmtpd in another process.

    The rankings come from ``memo`` (measured above), so this is selection, rendering, the
    exactly-once bookkeeping and SMTP.
    """
    from sqlalchemy import text

    from scheduler.config import SchedulerConfig
    from scheduler.mailer import SmtpConfig
    from scheduler.selection import profile_key
    from scheduler.sending import send_due_digests
    from store.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:  # only the first ``count`` subscriptions take part
        conn.execute(text("UPDATE subscription SET active = (id <= :n)"), {"n": count})
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l",
         f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        config = SchedulerConfig(
            database_url=url, model_dir=Path(tempfile.gettempdir()), secret_key="bench-secret",
            public_url="https://r.example", smtp=SmtpConfig.from_url(f"smtp://127.0.0.1:{port}"),
            digest_hour_utc=0,
        )  # fmt: skip
        started, cpu = time.perf_counter(), time.process_time()
        report = send_due_digests(
            engine, config, ranker=lambda session, doc, now: memo[profile_key(doc)]
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        server.terminate()
        server.wait(10)
    sent = report.count("sent")
    return {"subscriptions": count, "sent": sent, "totals": report.totals(),
            "seconds": round(seconds, 2), "cpu_s": round(cpu, 2),
            "messages_per_s": round(sent / seconds, 1),
            "messages_per_cpu_s": round(sent / max(cpu, 1e-9), 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--profiles", type=int, default=500, help="distinct profile documents")
    parser.add_argument("--send", type=int, default=1000, help="subscriptions to send to")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        fill_s = fill(url, args.postings, args.subscriptions, args.profiles)
        print(f"filled {args.postings} postings, {args.subscriptions} subscriptions "
              f"({args.profiles} distinct profiles) in {fill_s:.1f} s")  # fmt: skip
        memo: dict[str, Any] = {}
        cold = plan(url, memo)
        print(f"build, cold: {cold['total_s']:.1f} s wall, {cold['cpu_s']:.1f} s CPU "
              f"({cold['rankings']} rankings, "
              f"{cold['rank_s']:.1f} s ranking incl. corpus build), {cold['digests']} digests")  # fmt: skip
        warm = plan(url, memo)
        print(f"build, warm: {warm['total_s']:.1f} s wall, {warm['cpu_s']:.1f} s CPU "
              f"({warm['rank_s']:.1f} s ranking, "
              f"{1000 * warm['rank_s'] / max(1, warm['rankings']):.0f} ms per distinct profile)")  # fmt: skip
        render_s, mime_s = render_all(warm["report"])
        print(f"render text+HTML: {render_s:.1f} s CPU for {warm['digests']} digests "
              f"({1000 * render_s / max(1, warm['digests']):.2f} ms each); MIME assembly "
              f"{mime_s:.1f} s more")  # fmt: skip
        sent = send(url, args.send, memo)
        print(f"send: {sent['sent']} digests in {sent['seconds']} s = "
              f"{sent['messages_per_s']} messages/s, {sent['messages_per_cpu_s']} per CPU second "
              f"of the sender ({sent['totals']})")  # fmt: skip
    figures = {
        "data": "synthetic postings and subscriptions (bench/bench_digest.py, seed 11)",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        "postings": args.postings, "subscriptions": args.subscriptions,
        "distinct_profiles": args.profiles, "fill_s": round(fill_s, 1),
        "build_cold_s": round(cold["total_s"], 1), "build_cold_rank_s": round(cold["rank_s"], 1),
        "build_warm_s": round(warm["total_s"], 1), "build_warm_rank_s": round(warm["rank_s"], 1),
        "build_cold_cpu_s": round(cold["cpu_s"], 1), "build_warm_cpu_s": round(warm["cpu_s"], 1),
        "digests": warm["digests"], "render_s": round(render_s, 1), "mime_s": round(mime_s, 1),
        "build_and_render_warm_cpu_s": round(warm["cpu_s"] + render_s, 1),
        "target_build_s": TARGET_BUILD_S, "send": sent,
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
