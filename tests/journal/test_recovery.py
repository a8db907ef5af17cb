"""Recovery against real gateways: cut connections, a restarted gateway, retention.

A subscriber with ``recover=True`` reaches the gateway through a proxy that
cuts its connection on demand; a named user publishes 1,000 events at a steady
rate meanwhile, and the gateway is restarted once between two publications.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from wampgate.clients import CallError, Event, Session, connect, connect_sync
from wampgate.contract import uris
from wampgate.router.errors import GatewayError
from wampgate.router.launcher import Gateway

from tests.conftest import ADMIN, ADMIN_PASSWORD, TEST_PASSWORD, TEST_USER
from tests.helpers import CuttableProxy
from tests.journal.conftest import Restartable, journal_settings

N = 1000
RATE = 400.0  # events per second
CUTS, RESTART = (200, 450), 700


async def all_history(session: Session, topic: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while page := await session.call(
        uris.HISTORY_GET, topic, after=found[-1]["seq"] if found else None, limit=1000
    ):
        found.extend(page)
    return found


async def joined(session: Session, joins: int) -> None:
    """Until ``session`` has joined ``joins`` times (its reconnects after a cut)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while session.joins < joins or not session.connected:
        assert loop.time() < deadline, f"no join {joins} within 60 s"
        await asyncio.sleep(0.01)


async def publish_steadily(
    gw: Restartable, topic: str, proxy: CuttableProxy, subscriber: Session
) -> None:
    loop = asyncio.get_running_loop()
    async with connect(gw.url, authid=TEST_USER, password=TEST_PASSWORD,
                       connect_timeout=90) as publisher:  # fmt: skip
        start = loop.time()
        for i in range(1, N + 1):
            if i in CUTS:
                await joined(subscriber, CUTS.index(i) + 1)  # connected again since the last cut
                assert proxy.cut() > 0
            if i == RESTART:
                await asyncio.to_thread(gw.restart)
                start = loop.time() - i / RATE
            await publisher.publish(topic, i)
            await asyncio.sleep(max(0.0, start + i / RATE - loop.time()))  # pacing, not waiting


async def test_recovery_on_sqlite(sqlite_gateway: Restartable) -> None:
    await loses_and_repeats_nothing(sqlite_gateway)


async def test_recovery_on_postgresql(postgres_gateway: Restartable) -> None:
    await loses_and_repeats_nothing(postgres_gateway)


async def loses_and_repeats_nothing(gw: Restartable) -> None:
    topic = f"demo.recovery.{uuid.uuid4().hex[:8]}"
    proxy = await CuttableProxy(gw.settings.port).start()
    received: list[Event] = []
    try:
        async with connect(f"ws://127.0.0.1:{proxy.port}/ws", connect_timeout=90) as subscriber:
            async with subscriber.subscribe(topic, recover=True) as events:
                publishing = asyncio.ensure_future(publish_steadily(gw, topic, proxy, subscriber))
                while not received or received[-1].args != (N,):
                    receiving = asyncio.ensure_future(events.next(timeout=120))
                    await asyncio.wait({receiving, publishing}, return_when=asyncio.FIRST_COMPLETED)
                    if publishing.done() and publishing.exception() is not None:
                        receiving.cancel()
                        raise publishing.exception()  # type: ignore[misc]
                    received.append(await receiving)
                await publishing
                lost = events.lost
            async with connect(gw.url) as reader:
                stored = await all_history(reader, topic)
    finally:
        await proxy.close()
    assert [e.args[0] for e in received] == list(range(1, N + 1))  # none lost, none twice, in order
    assert [e.seq for e in received] == list(range(1, N + 1))
    assert lost == 0 and not any(e.lost for e in received)
    recovered = [e.args[0] for e in received if e.recovered]
    assert len(recovered) > 0
    assert any(CUTS[0] <= i < CUTS[1] for i in recovered)  # each cut left events to recover
    assert any(CUTS[1] <= i for i in recovered)
    # The journal survived the restart: numbering went on, every event is stored once.
    assert [e["seq"] for e in stored] == list(range(1, N + 1))
    assert [e["args"] for e in stored] == [[i] for i in range(1, N + 1)]


async def wait_for_history(session: Session, topic: str, want: list[int]) -> list[int]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while True:
        seqs = [e["seq"] for e in await all_history(session, topic)]
        if seqs == want or loop.time() > deadline:
            return seqs
        await asyncio.sleep(0.1)  # the retention pass runs every 0.2 s


async def test_retention_by_age_and_count_on_a_running_gateway(sqlite_gateway: Restartable) -> None:
    async with connect(sqlite_gateway.url, authid=ADMIN, password=ADMIN_PASSWORD) as session:
        aged, kept = "demo.aged.readings", "demo.kept.readings"
        for i in range(3):
            assert await session.call(uris.JOURNAL_PUBLISH, aged, [i]) == i + 1
        for i in range(8):
            await session.call(uris.JOURNAL_PUBLISH, kept, [i])
        assert await wait_for_history(session, kept, [4, 5, 6, 7, 8]) == [4, 5, 6, 7, 8]
        assert await wait_for_history(session, aged, []) == []
        # Numbering goes on after everything was pruned.
        assert await session.call(uris.JOURNAL_PUBLISH, aged, ["later"]) == 4


async def test_journal_publish_stores_publishes_and_returns_the_seq(
    sqlite_gateway: Restartable,
) -> None:
    topic = "demo.journal.publish_test"
    async with (
        connect(sqlite_gateway.url, authid=ADMIN, password=ADMIN_PASSWORD) as operator,
        operator.subscribe(topic) as events,
    ):
        seq = await operator.call(uris.JOURNAL_PUBLISH, topic, [1, "two"], {"three": 3})
        event = await events.next(timeout=10)
        assert await operator.call(uris.JOURNAL_PUBLISH, topic, [2]) == seq + 1
        # The writer commits in order: the first event's publication id is in by now.
        stored = await operator.call(uris.HISTORY_GET, topic, after=seq - 1, limit=1)
        with pytest.raises(CallError) as caught:
            await operator.call(uris.JOURNAL_PUBLISH, "other.topic")
        refused = []
        for bad_topic, bad_kwargs in (("demo..x", {}), (topic, {"options": 1})):
            with pytest.raises(CallError) as bad:
                await operator.call(uris.JOURNAL_PUBLISH, bad_topic, [], bad_kwargs)
            refused.append(bad.value)
        journaled = {t["topic"] for t in await operator.call(uris.HISTORY_TOPICS)}
    assert event.seq == seq and event.args == (1, "two") and event.kwargs == {"three": 3}
    assert [(e["seq"], e["args"], e["kwargs"]) for e in stored] == [(seq, [1, "two"], {"three": 3})]
    # Stored before it had a publication id; the id is added once it is published.
    assert stored[0]["publication"] == event.publication
    assert caught.value.uri == "wampgate.error.not_journaled"
    # Refused before anything is stored, with the reason said once.
    assert [e.uri for e in refused] == [uris.ERROR_INVALID_ARGUMENT] * 2
    assert "'demo..x' is not a valid topic URI" in str(refused[0])
    assert "keyword argument named 'options'" in str(refused[1])
    assert all(str(e).count(uris.ERROR_INVALID_ARGUMENT) <= 1 for e in refused), refused
    assert "demo..x" not in journaled


async def test_journal_publish_stores_before_it_sends(sqlite_gateway: Restartable) -> None:
    """An event published through the journal reaches nobody until it is stored.

    The test holds SQLite's write lock, so the router's writer cannot store it
    and gives up after its busy timeout: the call fails and nothing is sent.
    """
    topic = f"demo.journal.stored{uuid.uuid4().hex[:8]}"
    journal_file = sqlite_gateway.settings.journal_url
    assert journal_file is not None
    async with (
        connect(sqlite_gateway.url, authid=ADMIN, password=ADMIN_PASSWORD) as operator,
        operator.subscribe(topic) as events,
    ):
        first = await operator.call(uris.JOURNAL_PUBLISH, topic, ["first"])
        assert (await events.next(timeout=10)).seq == first
        lock = sqlite3.connect(journal_file, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
        try:
            publishing = asyncio.ensure_future(
                operator.call(uris.JOURNAL_PUBLISH, topic, ["unstored"])
            )
            arriving = asyncio.ensure_future(events.next(timeout=90))
            done, _ = await asyncio.wait(
                {publishing, arriving}, timeout=60, return_when=asyncio.FIRST_COMPLETED
            )
            assert done == {publishing}, "the event was sent before it was stored"
            with pytest.raises(CallError) as caught:
                await publishing
        finally:
            lock.rollback()
            lock.close()
        later = await operator.call(uris.JOURNAL_PUBLISH, topic, ["later"])
        event = await arriving
        stored = await all_history(operator, topic)
    assert caught.value.uri == "wampgate.error.unavailable"
    assert "not published" in str(caught.value)
    # The one that could not be stored was never sent; its seq stays a gap.
    assert event.args == ("later",) and event.seq == later == first + 2
    assert [(e["seq"], e["args"]) for e in stored] == [(first, ["first"]), (later, ["later"])]


async def test_a_second_gateway_on_the_same_journal_is_refused(
    sqlite_gateway: Restartable, postgres_gateway: Restartable, tmp_path: Path
) -> None:
    # Each router numbers its own topics: two writing one journal would collide.
    for running in (sqlite_gateway, postgres_gateway):
        journal = running.settings.journal_url
        second = Gateway(journal_settings(tmp_path / str(running.settings.port), journal))
        try:
            with pytest.raises(GatewayError, match="written by another running gateway") as e:
                await asyncio.to_thread(second.start)
        finally:
            await asyncio.to_thread(second.stop)
        assert "give each gateway its own journal" in str(e.value)
        assert second.pid is None  # refused before Crossbar started


async def test_sync_subscribe_recovers_what_a_cut_missed(sqlite_gateway: Restartable) -> None:
    """The blocking facade's ``subscribe(recover=True)``: a cut leaves nothing missing."""
    topic = f"demo.recovery.sync{uuid.uuid4().hex[:8]}"
    proxy = await CuttableProxy(sqlite_gateway.settings.port).start()
    received: queue.Queue[Event] = queue.Queue()
    stop = threading.Event()

    def subscriber() -> None:
        with connect_sync(f"ws://127.0.0.1:{proxy.port}/ws", connect_timeout=30) as s:
            for event in s.subscribe(topic, recover=True, timeout=30):
                received.put(event)
                if stop.is_set() and event.args == ("last",):
                    return

    thread = asyncio.ensure_future(asyncio.to_thread(subscriber))
    try:
        async with connect(sqlite_gateway.url, authid=TEST_USER, password=TEST_PASSWORD) as pub:
            while received.empty():  # until the subscription is in place
                await pub.publish(topic, "probe")
                await asyncio.sleep(0.05)
            assert proxy.cut() > 0
            for i in range(5):  # published while the subscriber is away (retry after 0.5 s)
                await pub.publish(topic, i)
            stop.set()
            await pub.publish(topic, "last")
            await asyncio.wait_for(thread, 60)
    finally:
        thread.cancel()
        await proxy.close()
    events = list(received.queue)
    seqs = [e.seq for e in events]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # no gap, no duplicate
    assert [e.args[0] for e in events[-6:]] == [0, 1, 2, 3, 4, "last"]
    assert any(e.recovered for e in events[-6:])
