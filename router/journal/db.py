"""The journal's tables on SQLite (a file, WAL) or PostgreSQL (a URL), and its queries.

Everything here is synchronous DB-API code: the router runs it in its writer
thread, the journal component in worker threads. Three tables:

``journal_events``
    one row per event: ``topic``, ``seq``, ``publication``, ``time`` (Unix
    seconds), the publisher's ``authid``/``authrole``, ``args``/``kwargs`` as JSON.
``journal_topics``
    the next free ``seq`` of each topic, kept even when retention removed every
    event, so numbering never starts again.
``journal_meta``
    ``clean`` is ``1`` only while no router writes: after a crash the router
    knows that numbers it handed out may be missing and skips past them.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS journal_events (topic TEXT NOT NULL, seq BIGINT NOT NULL,"
    " publication BIGINT, time DOUBLE PRECISION NOT NULL, authid TEXT, authrole TEXT,"
    " args TEXT, kwargs TEXT, PRIMARY KEY (topic, seq))",
    "CREATE INDEX IF NOT EXISTS journal_events_time ON journal_events (topic, time)",
    "CREATE TABLE IF NOT EXISTS journal_topics (topic TEXT PRIMARY KEY, next_seq BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
INSERT = (
    "INSERT INTO journal_events (topic, seq, publication, time, authid, authrole, args, kwargs)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
SET_NEXT = (
    "INSERT INTO journal_topics (topic, next_seq) VALUES (?, ?)"
    " ON CONFLICT (topic) DO UPDATE SET next_seq = excluded.next_seq"
)
SET_PUBLICATION = "UPDATE journal_events SET publication = ? WHERE topic = ? AND seq = ?"
SET_META = (
    "INSERT INTO journal_meta (key, value) VALUES (?, ?)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


@dataclass(frozen=True)
class Record:
    """One event as the journal stores it."""

    topic: str
    seq: int
    #: ``None`` until the event is published (stored first by ``wampgate.journal.publish``).
    publication: int | None
    time: float
    authid: str | None
    authrole: str | None
    args: Any
    kwargs: Any

    def row(self) -> tuple[Any, ...]:
        return (self.topic, self.seq, self.publication, self.time, self.authid, self.authrole,
                dumps(self.args), dumps(self.kwargs))  # fmt: skip


def _binary(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        # WAMP's JSON form of binary: a NUL character, then base64.
        return "\0" + base64.b64encode(bytes(value)).decode()
    return repr(value)  # a value no JSON client could read either: kept as text


def dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=_binary, separators=(",", ":"))


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="microseconds")


def parse_time(text: str) -> float:
    """An ISO-8601 time (``Z`` or an offset; naive means UTC) as Unix seconds."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def describe(url: str) -> str:
    """``url`` without its password, for logs."""
    if not is_postgres(url) or "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    credentials, _, where = rest.rpartition("@")
    return f"{scheme}://{credentials.partition(':')[0]}@{where}"


class Connection:
    """One connection; SQL is written with ``?`` and translated for PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = is_postgres(url)
        if self.postgres:
            import psycopg  # only gateways with a PostgreSQL journal need it

            self._conn: Any = psycopg.connect(url, connect_timeout=10)
        else:
            path = Path(url.removeprefix("sqlite://"))
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            # With WAL, NORMAL survives a crash of any process (not of the machine).
            self._conn.execute("PRAGMA synchronous=NORMAL")

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._conn.execute(self._sql(sql), tuple(params))
        rows = cursor.fetchall() if cursor.description is not None else []
        count = cursor.rowcount
        self.rowcount = int(count) if count is not None else 0
        return [tuple(row) for row in rows]

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._conn.cursor().executemany(self._sql(sql), list(rows))

    def commit(self) -> None:
        self._conn.commit()

    def close(self) -> None:
        self._conn.close()


class JournalBusy(Exception):
    """Another running gateway writes this journal."""


#: The PostgreSQL advisory lock a journal's writer holds ("wampgate" in ASCII).
CLAIM_KEY = 0x77616D7067617465


class Claim:
    """This process is the journal's one writer until :meth:`release` (or its end).

    Each router numbers the topics it journals, so two gateways writing one
    journal would hand out the same seqs. SQLite: ``flock`` on a ``.lock`` file
    beside the database; PostgreSQL: a session advisory lock on a connection of
    its own. Either goes when the process does, so it is never stale.
    """

    def __init__(self, url: str) -> None:
        self._conn: Any = None
        self._fd: int | None = None
        busy = JournalBusy(
            f"the journal {describe(url)} is written by another running gateway: give each "
            "gateway its own journal (--journal), or stop the other one"
        )
        if is_postgres(url):
            import psycopg

            self._conn = psycopg.connect(url, connect_timeout=10, autocommit=True)
            row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (CLAIM_KEY,)).fetchone()
            if not row or not row[0]:
                self.release()
                raise busy
        else:
            path = Path(url.removeprefix("sqlite://"))
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.release()
                raise busy from None

    def release(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def claim(url: str, wait: float = 5.0) -> Claim:
    """The journal's claim, waiting up to ``wait`` seconds for a gateway that is stopping
    (a database notices a closed connection a moment later)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return Claim(url)
        except JournalBusy:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


def check_unclaimed(url: str) -> None:
    """Raise :class:`JournalBusy` if a running gateway writes the journal at ``url``."""
    claim(url).release()


def open_journal(url: str) -> Connection:
    """A connection with the tables created if they are missing."""
    conn = Connection(url)
    for statement in SCHEMA:
        conn.execute(statement)
    conn.commit()
    return conn


def write(
    conn: Connection,
    records: Sequence[Record],
    publications: Sequence[tuple[str, int, int]] = (),
) -> None:
    """Store ``records`` and each topic's next free seq in one transaction.

    ``publications`` are ``(topic, seq, publication)`` of events stored earlier,
    before their publication had an id.
    """
    conn.executemany(INSERT, (r.row() for r in records))
    if publications:
        conn.executemany(SET_PUBLICATION, ((p, t, s) for t, s, p in publications))
    next_seq: dict[str, int] = {}
    for r in records:
        next_seq[r.topic] = max(next_seq.get(r.topic, 0), r.seq + 1)
    conn.executemany(SET_NEXT, next_seq.items())
    conn.commit()


def next_seqs(conn: Connection) -> dict[str, int]:
    return {str(t): int(n) for t, n in conn.execute("SELECT topic, next_seq FROM journal_topics")}


def set_next_seqs(conn: Connection, values: dict[str, int]) -> None:
    conn.executemany(SET_NEXT, values.items())


def get_meta(conn: Connection, key: str) -> str | None:
    rows = conn.execute("SELECT value FROM journal_meta WHERE key = ?", (key,))
    return str(rows[0][0]) if rows else None


def set_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute(SET_META, (key, value))


def _event(row: Sequence[Any]) -> dict[str, Any]:
    topic, seq, publication, time, args, kwargs = row
    return {"topic": topic, "seq": int(seq), "publication": publication, "time": iso(time),
            "args": json.loads(args) if args else [],
            "kwargs": json.loads(kwargs) if kwargs else {}}  # fmt: skip


def history(
    conn: Connection,
    topic: str,
    *,
    after: int | None = None,
    since: float | None = None,
    until: float | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Events of ``topic`` oldest first: seq above ``after``, time in [since, until)."""
    # Times are stored to the microsecond; half of one absorbs the float rounding of ISO text.
    since = since - 5e-7 if since is not None else None
    until = until - 5e-7 if until is not None else None
    where, params = ["topic = ?"], [topic]
    for clause, value in (("seq > ?", after), ("time >= ?", since), ("time < ?", until)):
        if value is not None:
            where.append(clause)
            params.append(value)  # type: ignore[arg-type]
    sql = (
        "SELECT topic, seq, publication, time, args, kwargs FROM journal_events"
        f" WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?"
    )
    return [_event(row) for row in conn.execute(sql, [*params, limit])]


def topics(conn: Connection, *, sizes: bool = False) -> list[dict[str, Any]]:
    """Each journaled topic with its count, first/last seq and time (and bytes stored)."""
    size = ", SUM(LENGTH(COALESCE(args, '')) + LENGTH(COALESCE(kwargs, '')))" if sizes else ""
    rows = conn.execute(
        "SELECT topic, COUNT(*), MIN(seq), MAX(seq), MIN(time), MAX(time)" + size
        + " FROM journal_events GROUP BY topic ORDER BY topic"
    )  # fmt: skip
    out = []
    for row in rows:
        item = {"topic": row[0], "count": int(row[1]), "first_seq": int(row[2]),
                "last_seq": int(row[3]), "first_time": iso(row[4]),
                "last_time": iso(row[5])}  # fmt: skip
        if sizes:
            item["bytes"] = int(row[6] or 0)
        out.append(item)
    return out


def prune(conn: Connection, topic: str, *, before: float | None, keep: int | None,
          chunk: int = 1000) -> int:  # fmt: skip
    """Delete at most ``chunk`` events of ``topic`` older than ``before`` or beyond the
    newest ``keep``; return how many went (call again until 0)."""
    conditions, params = [], []
    if before is not None:
        conditions.append("time < ?")
        params.append(before)
    if keep is not None:
        rows = conn.execute("SELECT MAX(seq) FROM journal_events WHERE topic = ?", (topic,))
        if rows and rows[0][0] is not None:
            conditions.append("seq <= ?")
            params.append(int(rows[0][0]) - keep)
    if not conditions:
        return 0
    conn.execute(
        "DELETE FROM journal_events WHERE topic = ? AND seq IN (SELECT seq FROM journal_events"
        f" WHERE topic = ? AND ({' OR '.join(conditions)}) ORDER BY seq LIMIT ?)",
        [topic, topic, *params, chunk],
    )
    deleted = conn.rowcount
    conn.commit()
    return deleted
