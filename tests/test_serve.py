"""`rolefit serve` really serves: start it on a free port and read the home page over HTTP."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(params=[1, 2], ids=["one-process", "two-workers"])
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "ROLEFIT_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from rolefit.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(request.param),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
            if proc.poll() is not None:
                output = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"server exited: {output}")
        if request.param > 1:
            _wait_for_workers(proc.pid, request.param)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _workers(pid: int) -> list[int]:
    """Worker processes uvicorn spawned under ``pid`` (not multiprocessing's resource tracker)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            command = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in text and b"spawn_main" in command:
            found.append(int(status.parent.name))
    return found


def _wait_for_workers(pid: int, count: int) -> None:
    """Wait until the server process runs ``count`` workers (Linux only)."""
    if not Path("/proc").exists():
        return
    deadline = time.monotonic() + 30
    while len(_workers(pid)) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(_workers(pid)) == count


def test_serve_answers_with_an_empty_home_page(served: str) -> None:
    page = httpx.get(served + "/", timeout=10)
    assert page.status_code == 200
    assert "rolefit" in page.text
    assert "<title>" in page.text


def test_serve_sends_security_headers_and_json_twins(served: str) -> None:
    page = httpx.get(served + "/postings?kind=job&q=%22unbalanced", timeout=10)
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    data = httpx.get(served + "/api/postings", timeout=10).json()
    assert data["total"] == 0 and data["items"] == []
    missing = httpx.get(served + "/postings/12345", timeout=10)
    assert missing.status_code == 404 and "<title>Not found" in missing.text
