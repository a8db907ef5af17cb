"""The journal on the session gateway: x_seq on live events, the history procedures, the CLI."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from autobahn.asyncio.component import Component
from wampgate.clients import CallError, Session, connect
from wampgate.contract import uris
from wampgate.router.launcher import Gateway

from tests.clients.test_cli import run
from tests.conftest import TEST_PASSWORD, TEST_USER


async def history(session: Session, topic: str, **kw: object) -> list[dict[str, object]]:
    found: list[dict[str, object]] = await session.call(uris.HISTORY_GET, topic, **kw)
    return found


async def test_live_ticks_carry_consecutive_seqs_that_the_history_holds(session: Session) -> None:
    async with session.subscribe(uris.CLOCK_TICK) as ticks:
        events = [await ticks.next(timeout=10) for _ in range(3)]
    seqs = [e.seq for e in events]
    assert all(isinstance(s, int) for s in seqs)
    assert seqs == list(range(seqs[0], seqs[0] + 3)) and not any(e.recovered for e in events)
    stored = await history(session, uris.CLOCK_TICK, after=seqs[0] - 1, limit=3)
    assert [e["seq"] for e in stored] == seqs
    assert [e["publication"] for e in stored] == [e.publication for e in events]
    assert [e["args"] for e in stored] == [list(e.args) for e in events]
    assert set(stored[0]) == {"topic", "seq", "publication", "time", "args", "kwargs"}


async def test_a_stock_autobahn_subscriber_still_gets_the_events(url: str) -> None:
    got: asyncio.Future[tuple[object, ...]] = asyncio.get_running_loop().create_future()
    component = Component(transports=url, realm="realm1")

    @component.on_join  # type: ignore[misc]
    async def joined(session: object, details: object) -> None:
        def on_tick(*args: object) -> None:
            if not got.done():
                got.set_result(args)

        await session.subscribe(on_tick, uris.CLOCK_TICK)  # type: ignore[attr-defined]

    done = asyncio.ensure_future(component.start(loop=asyncio.get_running_loop()))
    try:
        args = await asyncio.wait_for(got, 10)
        assert isinstance(args[0], dict) and "seq" in args[0]
    finally:
        await component.stop()
        await asyncio.wait({done}, timeout=5)


async def test_history_filters_and_topics_stats(session: Session) -> None:
    first = await history(session, uris.CLOCK_TICK, limit=5)
    assert [e["seq"] for e in first] == sorted(e["seq"] for e in first)  # type: ignore[type-var]
    assert len(first) == 5
    later = await history(session, uris.CLOCK_TICK, since=first[2]["time"], limit=2)
    assert [e["seq"] for e in later] == [first[2]["seq"], first[3]["seq"]]
    before = await history(session, uris.CLOCK_TICK, until=first[1]["time"])
    assert [e["seq"] for e in before] == [first[0]["seq"]]
    stats = {t["topic"]: t for t in await session.call(uris.HISTORY_TOPICS)}
    tick = stats[uris.CLOCK_TICK]
    assert tick["first_seq"] == first[0]["seq"] and tick["last_seq"] >= first[-1]["seq"]
    assert tick["count"] == tick["last_seq"] - tick["first_seq"] + 1


async def test_a_topic_outside_the_journal_is_refused(session: Session) -> None:
    with pytest.raises(CallError) as caught:
        await session.call(uris.HISTORY_GET, "other.topic")
    assert caught.value.uri == "wampgate.error.not_journaled"


@pytest.mark.parametrize("login", [{}, {"authid": TEST_USER, "password": TEST_PASSWORD}])
async def test_only_operators_publish_through_the_journal(url: str, login: dict[str, str]) -> None:
    async with connect(url, **login) as someone:  # type: ignore[arg-type]
        with pytest.raises(CallError) as caught:
            await someone.call(uris.JOURNAL_PUBLISH, "demo.clock.tick", [{"seq": 0}])
    assert caught.value.uri == "wamp.error.not_authorized"


async def test_any_publisher_is_journaled_with_its_identity(url: str, session: Session) -> None:
    topic = "demo.journal.by_user"
    async with connect(url, authid=TEST_USER, password=TEST_PASSWORD) as user:
        await user.publish(topic, "hello")
    found = await history(session, topic)
    assert [e["args"] for e in found] == [["hello"]]


async def test_history_cli_and_stats(gateway: Gateway, session: Session, tmp_path: Path) -> None:
    code, out, err = await run(gateway, "history", uris.CLOCK_TICK, "--limit", "3")
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 3 and lines[1]["seq"] == lines[0]["seq"] + 1
    jsonl = tmp_path / "h.jsonl"
    code, _, err = await run(gateway, "history", uris.CLOCK_TICK, "--after", str(lines[0]["seq"]),
                             "--limit", "2", "--jsonl", str(jsonl))  # fmt: skip
    assert code == 0, err
    assert [json.loads(x)["seq"] for x in jsonl.read_text().splitlines()] == [
        lines[1]["seq"], lines[2]["seq"]]  # fmt: skip
    code, out, err = await run(gateway, "history", "--stats")
    assert code == 0 and uris.CLOCK_TICK in out and "bytes" in out, err
    code, _, err = await run(gateway, "history")
    assert code == 2 and "--stats" in err


async def test_subscribe_recover_writes_seq_and_recovered(gateway: Gateway, tmp_path: Path) -> None:
    jsonl = tmp_path / "t.jsonl"
    code, _, err = await run(gateway, "subscribe", uris.CLOCK_TICK, "--recover", "--count", "2",
                             "--jsonl", str(jsonl))  # fmt: skip
    assert code == 0, err
    records = [json.loads(x) for x in jsonl.read_text().splitlines()]
    assert [r["recovered"] for r in records] == [False, False]
    assert records[1]["seq"] == records[0]["seq"] + 1
