"""The journal's service: history, stats, publishing through the journal, retention.

The router stores the events (:mod:`wampgate.router.journal`); this component
reads them for ``wampgate.history.get`` / ``wampgate.history.topics``, checks
``wampgate.journal.publish`` calls for the router (which stores the event,
then publishes it) and deletes what is past each rule's retention,
in small chunks, so the router's writer is never held up for long.
Its settings come from the environment: :data:`~wampgate.contract.env.JOURNAL`
(the database), :data:`~wampgate.contract.env.JOURNAL_TOPICS` (the rules, JSON)
and :data:`~wampgate.contract.env.JOURNAL_PRUNE_INTERVAL`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from autobahn.asyncio.component import Component
from autobahn.wamp.exception import ApplicationError
from typing_extensions import TypedDict
from wampgate.components import runtime
from wampgate.components.errors import SettingsError
from wampgate.components.framework import Api, ProcedureError
from wampgate.contract import defaults, env, uris
from wampgate.router.journal import db, rules

log = logging.getLogger("wampgate.components.journal")
T = TypeVar("T")

MAX_LIMIT = 1000


class HistoryEvent(TypedDict):
    topic: str
    seq: int
    publication: int | None
    time: str
    args: list[Any]
    kwargs: dict[str, Any]


class TopicStats(TypedDict, total=False):
    topic: str
    count: int
    first_seq: int
    last_seq: int
    first_time: str
    last_time: str
    bytes: int


class Journal:
    """The database as this component sees it: one connection, used from threads."""

    def __init__(self, url: str, topic_rules: tuple[rules.TopicRule, ...]) -> None:
        self.url = url
        self.rules = topic_rules
        self.session: Any = None
        #: Who the events published through the journal are stored as published by.
        self.publisher: list[str | None] = [None, None]
        self._conn: db.Connection | None = None
        self._lock = threading.Lock()

    def _run(self, work: Callable[[db.Connection], T]) -> T:
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = db.open_journal(self.url)
                result = work(self._conn)
                self._conn.commit()  # ends the read transaction: the next read sees new rows
                return result
            except Exception as exc:
                self._conn = None
                raise ProcedureError(
                    uris.ERROR_UNAVAILABLE, f"the journal database failed: {exc}"
                ) from None

    async def run(self, work: Callable[[db.Connection], T]) -> T:
        return await asyncio.to_thread(self._run, work)

    def check(self, topic: str) -> rules.TopicRule:
        rule = rules.rule_for(self.rules, topic)
        if rule is None:
            raise ProcedureError(uris.ERROR_NOT_JOURNALED, f"{topic} is not a journaled topic")
        return rule

    async def prune_once(self) -> int:
        """One retention pass over every journaled topic; how many events went."""
        topics = await self.run(db.next_seqs)
        deleted = 0
        for topic in topics:
            rule = rules.rule_for(self.rules, topic)
            if rule is None:
                continue
            before = time.time() - rule.max_age if rule.max_age is not None else None
            work = functools.partial(db.prune, topic=topic, before=before, keep=rule.max_count)
            while gone := await self.run(work):
                deleted += gone
        if deleted:
            log.info("retention: %d event(s) deleted", deleted)
        return deleted

    async def prune_forever(self, interval: float) -> None:
        while True:
            try:
                await self.prune_once()
            except ProcedureError as exc:
                log.error("retention pass failed: %s", exc)
            await asyncio.sleep(interval)


def settings_from_env(environ: Any = os.environ) -> tuple[str, tuple[rules.TopicRule, ...], float]:
    url = environ.get(env.JOURNAL, "")
    if not url:
        raise SettingsError(f"{env.JOURNAL} is not set: the journal needs its database")
    try:
        raw = environ.get(env.JOURNAL_TOPICS)
        topic_rules = rules.from_json(json.loads(raw) if raw else None)
        interval = float(environ.get(env.JOURNAL_PRUNE_INTERVAL, defaults.JOURNAL_PRUNE_INTERVAL))
    except ValueError as exc:
        raise SettingsError(f"journal settings: {exc}") from None
    return url, topic_rules, interval


api = Api("journal")
journal = Journal("", ())


@api.procedure(uris.HISTORY_GET)
async def get(
    topic: str,
    after: int | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 100,
) -> list[HistoryEvent]:
    """Journaled events of a topic, oldest first: seq above after, time from since to until."""
    journal.check(topic)
    if not 1 <= limit <= MAX_LIMIT:
        raise ProcedureError(uris.ERROR_INVALID_ARGUMENT, f"limit must be 1 to {MAX_LIMIT}")
    try:
        start = db.parse_time(since) if since else None
        end = db.parse_time(until) if until else None
    except ValueError as exc:
        raise ProcedureError(uris.ERROR_INVALID_ARGUMENT, f"not an ISO-8601 time: {exc}") from None
    found = await journal.run(
        lambda c: db.history(c, topic, after=after, since=start, until=end, limit=limit)
    )
    return found  # type: ignore[return-value]


@api.procedure(uris.HISTORY_TOPICS)
async def topics(sizes: bool = False) -> list[TopicStats]:
    """Journaled topics with their event count, first and last seq (and bytes with sizes)."""
    found = await journal.run(lambda c: db.topics(c, sizes=sizes))
    return found  # type: ignore[return-value]


@api.procedure(uris.JOURNAL_PUBLISH)
async def publish(
    topic: str, args: list[Any] | None = None, kwargs: dict[str, Any] | None = None
) -> int:
    """Store an event on a journaled topic, then publish it; return its seq."""
    journal.check(topic)
    session = journal.session
    if session is None:
        raise ProcedureError(uris.ERROR_UNAVAILABLE, "the journal is not connected")
    # The router stores it and publishes it only once it is stored.
    try:
        seq = await session.call(
            uris.ROUTER_JOURNAL_PUBLISH, topic, args, kwargs, journal.publisher
        )
    except ApplicationError as exc:  # the router's answer, passed on as it is
        raise ProcedureError(exc.error, str(exc.args[0]) if exc.args else exc.error) from None
    return int(seq)


def attach(component: Component, interval: float) -> None:
    tasks: list[asyncio.Task[None]] = []

    def joined(session: Any, details: Any) -> None:
        journal.session = session
        journal.publisher = [details.authid, details.authrole]
        if not tasks:
            tasks.append(asyncio.ensure_future(journal.prune_forever(interval)))

    def left(session: Any, details: Any) -> None:
        journal.session = None

    component.on("join", joined)
    component.on("leave", left)


def main() -> None:
    try:
        url, topic_rules, interval = settings_from_env()
    except SettingsError as exc:
        raise SystemExit(f"journal: {exc}") from None
    journal.url, journal.rules = url, topic_rules
    runtime.main(api, lambda component: attach(component, interval))


if __name__ == "__main__":
    main()
