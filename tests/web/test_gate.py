"""web.gate: list pages run a few at a time; a slow reader holds no slot; other pages pass."""

from typing import Any

import anyio

from web.gate import ListingGate, is_listing


def _app(active: list[int], peak: list[int]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        active[0] += 1
        peak[0] = max(peak[0], active[0])
        await anyio.sleep(0.02)
        active[0] -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


async def _ignore(message: Any) -> None:
    return None


def _peak(path: str, slots: int, requests: int) -> int:
    active, peak = [0], [0]
    gate = ListingGate(_app(active, peak), slots=slots)

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(requests):
                group.start_soon(gate, {"type": "http", "path": path}, None, _ignore)

    anyio.run(main)
    return peak[0]


def test_list_pages_run_two_at_a_time_and_others_are_not_held() -> None:
    assert _peak("/postings", slots=2, requests=6) == 2
    assert _peak("/feeds/postings.rss", slots=1, requests=4) == 1
    assert _peak("/account", slots=1, requests=4) == 4
    assert is_listing("/") and is_listing("/api/deadlines") and not is_listing("/postings/7")
    assert not is_listing("/postings", b"q=evals&sort=fit")  # a personal ranking: not held
    assert is_listing("/postings", b"q=resort=fit")  # a search that merely contains the text


def test_a_slow_reader_holds_no_slot() -> None:
    gate = ListingGate(_app([0], [0]), slots=1)
    scope = {"type": "http", "path": "/postings"}
    received: list[Any] = []

    async def main() -> None:
        stuck = anyio.Event()

        async def slow_send(message: Any) -> None:
            await stuck.wait()  # a client that never reads

        async def fast_send(message: Any) -> None:
            received.append(message)

        async with anyio.create_task_group() as group:
            group.start_soon(gate, scope, None, slow_send)
            await anyio.sleep(0.1)  # the first request has its answer and is stuck sending it
            with anyio.fail_after(2):
                await gate(scope, None, fast_send)
            stuck.set()

    anyio.run(main)
    assert [m["type"] for m in received] == ["http.response.start", "http.response.body"]
