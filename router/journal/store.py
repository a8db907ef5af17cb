"""The router side of the journal: a seq for every journaled event, stored from a thread.

:class:`JournalStore` sits in Crossbar's event-store slot: the broker calls
:meth:`~JournalStore.store_event` once per publication on a journaled topic,
before it dispatches the EVENTs. The seq is assigned there, on the reactor
thread, from a per-topic counter; the record goes into a bounded queue that
:class:`Writer` drains in batches (one transaction per batch, however many
events arrived meanwhile), so the reactor never waits for the disk or the
database.

:meth:`JournalStore.store_first` is the other way in, for
``wampgate.journal.publish``: the event is queued with a seq before it is
published, and its publisher is told when the writer has committed it.

Numbers are never handed out twice:

- the next free seq of each topic is stored with every batch;
- a record that cannot be stored (the queue is full, the database fails) is
  counted and logged, its seq stays used: readers see a gap;
- ``journal_meta.clean`` is ``0`` while a router writes. A router that finds it
  ``0`` (the last one crashed with up to ``queue_size`` records unwritten)
  starts every topic ``queue_size`` further on, so a seq some client saw live
  is never given to another event.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from wampgate.router.journal import db
from wampgate.router.journal.rules import TopicRule

log = logging.getLogger("wampgate.router.journal")

#: Records waiting for the writer at most (a crash can lose that many).
QUEUE_SIZE = 10_000
#: Records in one transaction at most.
BATCH = 2_000
#: Publications whose seq the EVENT serializer can still look up.
RECENT = 4_096


class _Stop:
    def __init__(self, next_seqs: dict[str, int]) -> None:
        self.next_seqs = next_seqs


@dataclass(frozen=True)
class _Stored:
    """A record its publisher waits for: ``done`` runs on the writer thread after the
    batch is committed (with ``None``) or has failed (with the exception)."""

    record: db.Record
    done: Callable[[Exception | None], None]


@dataclass(frozen=True)
class _Published:
    """The publication id of an event stored before it was published."""

    topic: str
    seq: int
    publication: int


class Writer(threading.Thread):
    """Drains the queue into the database in batches; reconnects after a failure."""

    def __init__(self, url: str, conn: db.Connection, records: queue.Queue[Any]) -> None:
        super().__init__(name="wampgate-journal-writer", daemon=True)
        self.url = url
        self._conn: db.Connection | None = conn
        self._records = records
        self.written = 0
        self.lost = 0
        self.clean = False

    def _connection(self) -> db.Connection:
        while self._conn is None:
            try:
                self._conn = db.open_journal(self.url)
                log.info("journal database %s reachable again", db.describe(self.url))
            except Exception as exc:
                log.error("journal database %s: %s; retrying", db.describe(self.url), exc)
                time.sleep(1.0)
        return self._conn

    def _write(self, batch: list[Any]) -> None:
        records = [i.record if isinstance(i, _Stored) else i for i in batch
                   if not isinstance(i, _Published)]  # fmt: skip
        published = [(i.topic, i.seq, i.publication) for i in batch if isinstance(i, _Published)]
        waiting = [i.done for i in batch if isinstance(i, _Stored)]
        conn = self._connection()
        try:
            db.write(conn, records, published)
            self.written += len(records)
        except Exception as exc:  # any driver error: the batch is a gap, the writer goes on
            self.lost += len(records)
            log.error("journal: %d event(s) not stored (%s)", len(records), exc)
            self._conn = None
            try:
                conn.close()
            except Exception:
                log.debug("closing a failed journal connection failed too")
            for done in waiting:
                done(exc)
            return
        for done in waiting:
            done(None)

    def run(self) -> None:
        while True:
            item = self._records.get()
            batch: list[Any] = []
            while not isinstance(item, _Stop):
                batch.append(item)
                if len(batch) >= BATCH:
                    break
                try:
                    item = self._records.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._write(batch)
            if isinstance(item, _Stop):
                self._finish(item.next_seqs)
                return

    def _finish(self, next_seqs: dict[str, int]) -> None:
        try:
            conn = self._connection()
            db.set_next_seqs(conn, next_seqs)
            db.set_meta(conn, "clean", "1")
            conn.commit()
            conn.close()
            self.clean = True
        except Exception as exc:
            log.error("journal: could not record a clean stop (%s)", exc)


class JournalStore:
    """What Crossbar's broker calls for journaled topics (duck-types its ``IRealmStore``)."""

    # The broker treats the store as one more observer of the journaled topics.
    _session_id = None
    _authid = None
    _authrole = None
    _transport = None

    def __init__(self, url: str, rules: Iterable[TopicRule], queue_size: int = QUEUE_SIZE) -> None:
        self.url = url
        self.rules = tuple(rules)
        self._claim = db.claim(url)
        try:
            conn = db.open_journal(url)
        except BaseException:
            self._claim.release()
            raise
        clean = db.get_meta(conn, "clean") != "0"
        self._next = db.next_seqs(conn)
        #: The seq of a topic's first event (further on after a crash: see the module doc).
        self._first = 1 if clean else queue_size + 1
        if not clean:
            self._next = {topic: seq + queue_size for topic, seq in self._next.items()}
            db.set_next_seqs(conn, self._next)
            log.warning("journal: the last stop was not clean; seq skips %d", queue_size)
        db.set_meta(conn, "clean", "0")
        conn.commit()
        self.skipped = 0
        #: The session that publishes events it stored first (see :meth:`store_first`).
        self.owner: Any = None
        self._stored_first: dict[str, deque[int]] = {}
        self.recent: OrderedDict[int, int] = OrderedDict()
        self._records: queue.Queue[Any] = queue.Queue(queue_size)
        self.writer = Writer(url, conn, self._records)
        self.writer.start()

    def attach_subscription_map(self, subscription_map: Any) -> None:
        for rule in self.rules:
            subscription_map.add_observer(self, uri=rule.uri, match=rule.match)

    def _take_seq(self, topic: str) -> int:
        seq = self._next.get(topic, self._first)
        self._next[topic] = seq + 1
        return seq

    def _remember(self, publication_id: int, seq: int) -> None:
        self.recent[publication_id] = seq
        if len(self.recent) > RECENT:
            self.recent.popitem(last=False)

    def store_event(self, session: Any, publication_id: int, publish: Any) -> None:
        topic = publish.topic
        first = self._stored_first.get(topic) if session is self.owner else None
        if first:  # stored already: it only needs its publication id
            seq = first.popleft()
            self._remember(publication_id, seq)
            self._put(_Published(topic, seq, publication_id))
            return
        seq = self._take_seq(topic)
        self._remember(publication_id, seq)
        record = db.Record(topic, seq, publication_id, round(time.time(), 6), session._authid,
                           session._authrole, publish.args, publish.kwargs)  # fmt: skip
        self._put(record)

    def _put(self, item: Any) -> None:
        try:
            self._records.put_nowait(item)
        except queue.Full:
            self.skipped += 1
            if self.skipped in (1, 10, 100) or self.skipped % 1000 == 0:
                log.error("journal: writer behind, %d event(s) not stored", self.skipped)

    def store_first(
        self,
        topic: str,
        args: Any,
        kwargs: Any,
        publisher: tuple[str | None, str | None],
        done: Callable[[Exception | None], None],
    ) -> int:
        """Give ``topic``'s next seq to an event and store it before anyone sees it.

        ``done`` runs on the writer thread once the event is stored (``None``)
        or could not be (the exception); the seq is used either way. When the
        :attr:`owner` then publishes the event, :meth:`store_event` gives that
        publication the same seq instead of a new one. Raises ``queue.Full``
        (and takes no seq) when the writer is that far behind.
        """
        if self._records.full():
            raise queue.Full
        seq = self._take_seq(topic)
        authid, authrole = publisher
        record = db.Record(topic, seq, None, round(time.time(), 6), authid, authrole, args, kwargs)
        self._records.put_nowait(_Stored(record, done))
        return seq

    def publishing(self, topic: str, seq: int) -> None:
        """The :attr:`owner`'s next publication on ``topic`` is the stored event ``seq``."""
        self._stored_first.setdefault(topic, deque()).append(seq)

    def not_publishing(self, topic: str, seq: int) -> None:
        """The stored event ``seq`` was not published after all (its PUBLISH failed)."""
        with contextlib.suppress(KeyError, ValueError):
            self._stored_first[topic].remove(seq)

    def seq_of(self, publication_id: int) -> int | None:
        return self.recent.get(publication_id)

    def store_event_history(self, publication_id: int, subscription_id: int, receiver: Any) -> None:
        """Called for every delivery; the journal keeps events, not deliveries."""

    def store_session_joined(self, session: Any, details: Any) -> None:
        """Sessions are not journaled."""

    def store_session_left(self, session: Any, details: Any) -> None:
        """Sessions are not journaled."""

    def close(self, timeout: float = 10.0) -> bool:
        """Write what is queued and record a clean stop; whether that finished in time."""
        self._records.put(_Stop(dict(self._next)), timeout=timeout)
        self.writer.join(timeout)
        if not self.writer.is_alive():
            self._claim.release()
        return self.writer.clean
