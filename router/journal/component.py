"""The journal as a component of the router worker: installs the store, adds ``x_seq``.

Crossbar has one event-store slot per realm (its broker calls
``store_event`` for every publication on a topic the store observes); the
component puts a :class:`~wampgate.router.journal.store.JournalStore` there when
it joins, before any transport accepts a connection. Every EVENT of a
journaled publication then carries the publication's seq in its details as
``x_seq`` (clients that do not know the key ignore it). Its ``extra`` block:
``{"url": "<sqlite file or postgresql:// URL>", "topics": [rules]}``
(see :mod:`wampgate.router.journal.rules`).
"""

from __future__ import annotations

from typing import Any

import txaio
from autobahn.twisted.wamp import ApplicationSession
from autobahn.wamp import message
from wampgate.contract import uris
from wampgate.router.journal import db, rules
from wampgate.router.journal.store import JournalStore

log = txaio.make_logger()

_stores: list[JournalStore] = []


def _marshal_with_seq(original: Any) -> Any:
    def marshal(self: Any) -> Any:
        raw = original(self)
        for store in _stores:
            seq = store.seq_of(self.publication)
            if seq is not None:
                raw[3][uris.EVENT_SEQ_KEY] = seq
                break
        return raw

    marshal.wampgate_seq = True  # type: ignore[attr-defined]
    return marshal


def install(router: Any, store: JournalStore) -> None:
    """Put ``store`` into ``router``'s event-store slot; EVENTs then carry ``x_seq``."""
    broker = router._broker
    if broker._event_store is not None:
        raise RuntimeError("the realm already has an event store")
    broker._event_store = store
    store.attach_subscription_map(broker._subscription_map)
    if not getattr(message.Event.marshal, "wampgate_seq", False):
        message.Event.marshal = _marshal_with_seq(message.Event.marshal)
    _stores.append(store)


class Journal(ApplicationSession):  # type: ignore[misc]
    """Router-embedded session that installs the journal store when it joins."""

    def onJoin(self, details: Any) -> None:
        from twisted.internet import reactor as twisted_reactor

        reactor: Any = twisted_reactor
        extra = getattr(self.config, "extra", None) or {}
        url = str(extra["url"])
        store = JournalStore(url, rules.from_json(extra.get("topics")))
        install(self._transport._router, store)
        reactor.addSystemEventTrigger("before", "shutdown", self._close, store)
        log.info(
            "wampgate journal on {url}: {topics}",
            url=db.describe(url),
            topics=", ".join(f"{r.uri} ({r.match})" for r in store.rules),
        )

    def _close(self, store: JournalStore) -> None:
        clean = store.close()
        log.info(
            "wampgate journal stopped: {written} stored, {lost} not stored, clean={clean}",
            written=store.writer.written,
            lost=store.writer.lost + store.skipped,
            clean=clean,
        )
