"""The journal's pure parts and its router-side store, without a router."""

from __future__ import annotations

import queue
import sqlite3
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from wampgate.router.journal import db, rules
from wampgate.router.journal.store import JournalStore


def publish(store: JournalStore, topic: str, publication: int, *args: object) -> int | None:
    session = SimpleNamespace(_authid="alice", _authrole="user")
    store.store_event(
        session, publication, SimpleNamespace(topic=topic, args=list(args), kwargs={})
    )
    return store.seq_of(publication)


def stored(url: str, topic: str) -> list[int]:
    conn = db.open_journal(url)
    try:
        return [e["seq"] for e in db.history(conn, topic, limit=1000)]
    finally:
        conn.close()


def wait_written(store: JournalStore, count: int) -> None:
    deadline = time.monotonic() + 10
    while store.writer.written < count:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_rules_match_like_wamp_subscriptions() -> None:
    assert rules.TopicRule("demo.", "prefix").matches("demo.clock.tick")
    assert rules.TopicRule("demo..tick", "wildcard").matches("demo.clock.tick")
    assert not rules.TopicRule("demo..tick", "wildcard").matches("demo.tick")
    assert not rules.TopicRule("demo.clock", "exact").matches("demo.clock.tick")
    assert rules.from_json(None) == rules.DEFAULT_RULES
    with pytest.raises(ValueError, match="unknown keys"):
        rules.from_json([{"uri": "a.", "colour": "red"}])
    with pytest.raises(ValueError, match="match"):
        rules.TopicRule("a.", "regex")  # type: ignore[arg-type]


def test_seq_per_topic_continues_after_a_clean_stop(tmp_path: Path) -> None:
    url = str(tmp_path / "j.sqlite3")
    store = JournalStore(url, rules.DEFAULT_RULES)
    assert [publish(store, "demo.a", p) for p in (11, 12, 13)] == [1, 2, 3]
    assert publish(store, "demo.b", 14) == 1
    assert store.close()
    store = JournalStore(url, rules.DEFAULT_RULES)
    assert publish(store, "demo.a", 21) == 4
    assert store.close()
    assert stored(url, "demo.a") == [1, 2, 3, 4]


def test_after_a_crash_numbers_skip_what_may_have_been_handed_out(tmp_path: Path) -> None:
    url = str(tmp_path / "j.sqlite3")
    crashed = JournalStore(url, rules.DEFAULT_RULES, queue_size=50)
    publish(crashed, "demo.a", 1)
    wait_written(crashed, 1)  # and then no clean stop
    crashed._claim.release()  # as the end of its process would
    store = JournalStore(url, rules.DEFAULT_RULES, queue_size=50)
    assert publish(store, "demo.a", 2) == 52  # never 2: a client may have seen 2 live
    assert publish(store, "demo.new", 3) == 51  # a topic the journal never stored
    assert store.close()
    assert stored(url, "demo.a") == [1, 52]


def test_payloads_json_cannot_carry_are_kept_as_text(tmp_path: Path) -> None:
    url = str(tmp_path / "j.sqlite3")
    store = JournalStore(url, rules.DEFAULT_RULES)
    publish(store, "demo.a", 1, b"\x00\x01", "\ud800", {1, 2})
    assert store.close()
    conn = db.open_journal(url)
    (event,) = db.history(conn, "demo.a")
    assert event["args"][:2] == ["\0AAE=", "\ud800"] and "{1, 2}" in event["args"][2]


def test_prune_by_age_and_count(tmp_path: Path) -> None:
    conn = db.open_journal(str(tmp_path / "j.sqlite3"))
    now = time.time()
    db.write(conn, [db.Record("demo.a", i, i, now - 100 + i, None, None, [i], None)
                    for i in range(1, 11)])  # fmt: skip
    assert db.prune(conn, "demo.a", before=None, keep=7, chunk=2) == 2
    while db.prune(conn, "demo.a", before=None, keep=7):
        pass
    assert [e["seq"] for e in db.history(conn, "demo.a")] == [4, 5, 6, 7, 8, 9, 10]
    while db.prune(conn, "demo.a", before=now - 92.5, keep=None):
        pass
    assert [e["seq"] for e in db.history(conn, "demo.a")] == [8, 9, 10]
    assert db.next_seqs(conn) == {"demo.a": 11}


def test_an_event_stored_first_keeps_its_seq_when_it_is_published(tmp_path: Path) -> None:
    url = str(tmp_path / "j.sqlite3")
    store = JournalStore(url, rules.DEFAULT_RULES)
    store.owner = owner = SimpleNamespace(_authid=None, _authrole="trusted")
    outcome: queue.Queue[Exception | None] = queue.Queue()
    assert publish(store, "demo.a", 11) == 1
    seq = store.store_first("demo.a", ["x"], {}, ("backend", "backend"), outcome.put)
    assert seq == 2
    assert outcome.get(timeout=10) is None
    assert stored(url, "demo.a") == [1, 2]  # in the journal before anyone sees it
    store.publishing("demo.a", seq)
    store.store_event(owner, 12, SimpleNamespace(topic="demo.a", args=["x"], kwargs={}))
    assert store.seq_of(12) == 2
    # A publish that failed before the broker saw it leaves no seq waiting.
    store.publishing("demo.a", 99)
    store.not_publishing("demo.a", 99)
    store.store_event(owner, 13, SimpleNamespace(topic="demo.a", args=["y"], kwargs={}))
    assert store.seq_of(13) == 3
    assert store.close()
    conn = db.open_journal(url)
    try:
        events = db.history(conn, "demo.a", limit=10)
    finally:
        conn.close()
    assert [(e["seq"], e["publication"], e["args"]) for e in events] == [
        (1, 11, []),
        (2, 12, ["x"]),
        (3, 13, ["y"]),
    ]


def test_storing_first_takes_no_seq_when_the_writer_is_full(tmp_path: Path) -> None:
    url = str(tmp_path / "j.sqlite3")
    store = JournalStore(url, rules.DEFAULT_RULES, queue_size=1)
    lock = sqlite3.connect(url, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # the writer blocks on its first batch
    try:
        publish(store, "demo.a", 1)
        # Once the writer holds the first record, this one fills the queue.
        store._records.put(db.Record("demo.b", 1, 2, 0.0, None, None, [], {}), timeout=10)
        with pytest.raises(queue.Full):
            store.store_first("demo.a", [], {}, (None, None), lambda error: None)
        assert store._next == {"demo.a": 2}
    finally:
        lock.rollback()
        lock.close()
    assert store.close()


def test_one_writer_per_sqlite_journal(tmp_path: Path) -> None:
    url = str(tmp_path / "j.sqlite3")
    first = JournalStore(url, rules.DEFAULT_RULES)
    with pytest.raises(db.JournalBusy, match="written by another running gateway"):
        db.Claim(url)
    assert first.close()
    JournalStore(url, rules.DEFAULT_RULES).close()  # free again once the first stopped
