"""Benchmark what accounts add to a request: session and API-token lookups, CSRF checks.

The app runs in-process under uvicorn on a local port over a temp SQLite database with the demo
sample; one httpx client sends ``--requests`` sequential requests per scenario (after a warm-up):
- ``anonymous``: GET /api/me without a cookie (no database work for the user);
- ``session``: GET /api/me with a signed session cookie (one user lookup per request);
- ``token``: GET /api/me with ``Authorization: Bearer`` (hash + token lookup per request);
- ``form-post``: POST a profile form with its CSRF token (body buffered, checked, replayed).

Run: .venv/bin/python bench/bench_accounts.py [--requests 500]
Figures print as a table and go to bench/results/accounts.json.
"""

import argparse
import json
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _timed(count: int, call: Any) -> dict[str, float]:
    for _ in range(20):
        call()
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
        "requests": count,
    }


def main() -> None:
    """Serve the app, measure each scenario, print and save the figures."""
    import httpx
    import uvicorn
    from sqlmodel import Session

    from rolefit.demo_data import load_demo
    from store.db import make_engine
    from store.migrate import upgrade
    from store.models import ApiToken, User
    from web.accounts.identity import hash_token, new_api_token
    from web.app import create_app
    from web.config import WebConfig

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="rolefit-bench-accounts-"))
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade(engine)
    load_demo(engine)
    token = new_api_token()
    with Session(engine) as session:
        user = User(email="bench@example.org")
        session.add(user)
        session.flush()
        session.add(ApiToken(user_id=user.id or 0, name="bench", token_hash=hash_token(token)))
        session.commit()
    port = _free_port()
    config = WebConfig(
        database_url=str(engine.url),
        secret_key="b" * 40,
        public_url=f"http://127.0.0.1:{port}",
        smtp_url="smtp://127.0.0.1:1",
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config, engine=engine),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, Any] = {}
    try:
        with httpx.Client(base_url=base) as anonymous:
            results["anonymous"] = _timed(args.requests, lambda: anonymous.get("/api/me"))
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as script:
            assert script.get("/api/me").json()["via"] == "token"
            results["token"] = _timed(args.requests, lambda: script.get("/api/me"))
            # A session for the same user: made by signing a cookie the way the server does.
            import base64

            from itsdangerous import TimestampSigner

            payload = base64.b64encode(json.dumps({"uid": 1, "csrf": "c" * 43}).encode())
            cookie = TimestampSigner("b" * 40).sign(payload).decode()
        with httpx.Client(base_url=base, cookies={"rolefit_session": cookie}) as browser:
            assert browser.get("/api/me").json()["via"] == "session"
            results["session"] = _timed(args.requests, lambda: browser.get("/api/me"))
            page = browser.get("/profiles/new").text
            csrf = re.findall(r'name="csrf_token" value="([^"]+)"', page)[0]
            form = {"csrf_token": csrf, "name": "Bench", "kinds": "job", "areas": "evals"}
            results["form-post"] = _timed(
                args.requests // 5, lambda: browser.post("/profiles/new", data=form)
            )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    print(f"{'scenario':<12} {'p50 ms':>8} {'p95 ms':>8} {'requests':>9}")
    for name, row in results.items():
        print(f"{name:<12} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['requests']:>9}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "accounts.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
