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

import queue
from typing import Any, NoReturn

import txaio
from autobahn.twisted.wamp import ApplicationSession
from autobahn.wamp import message
from autobahn.wamp.exception import ApplicationError, InvalidUriError
from autobahn.wamp.types import PublishOptions
from twisted.internet.defer import Deferred, maybeDeferred
from twisted.python.failure import Failure
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
    """Router-embedded session that installs the journal store when it joins.

    It also serves :data:`~wampgate.contract.uris.ROUTER_JOURNAL_PUBLISH` (only
    the backend may call ``wampgate.router.``; the journal component calls it for
    ``wampgate.journal.publish``): the event is stored first and published only
    once the writer has committed it, so no subscriber sees an event the
    journal does not hold.
    """

    store: JournalStore

    def onJoin(self, details: Any) -> Any:
        from twisted.internet import reactor as twisted_reactor

        reactor: Any = twisted_reactor
        extra = getattr(self.config, "extra", None) or {}
        url = str(extra["url"])
        self.store = store = JournalStore(url, rules.from_json(extra.get("topics")))
        store.owner = self
        install(self._transport._router, store)
        reactor.addSystemEventTrigger("before", "shutdown", self._close, store)
        log.info(
            "wampgate journal on {url}: {topics}",
            url=db.describe(url),
            topics=", ".join(f"{r.uri} ({r.match})" for r in store.rules),
        )
        return self.register(self.publish_stored, uris.ROUTER_JOURNAL_PUBLISH)

    def publish_stored(
        self, topic: str, args: Any = None, kwargs: Any = None, publisher: Any = None
    ) -> Deferred[int]:
        """Store an event on ``topic``, then publish it; its seq."""
        from twisted.internet import reactor as twisted_reactor

        reactor: Any = twisted_reactor
        try:
            message.check_or_raise_uri(topic)
        except InvalidUriError:
            raise ApplicationError(
                uris.ERROR_INVALID_ARGUMENT, f"{topic!r} is not a valid topic URI"
            ) from None
        if rules.rule_for(self.store.rules, topic) is None:
            raise ApplicationError(uris.ERROR_NOT_JOURNALED, f"{topic} is not a journaled topic")
        args, kwargs = list(args or ()), dict(kwargs or {})
        if "options" in kwargs:  # Autobahn's publish() takes it for its own options
            raise ApplicationError(
                uris.ERROR_INVALID_ARGUMENT, "an event published through the journal "
                "cannot have a keyword argument named 'options'"
            )  # fmt: skip
        authid, authrole = publisher if isinstance(publisher, list | tuple) else (None, None)
        stored: Deferred[None] = Deferred()

        def done(error: Exception | None) -> None:  # on the writer thread
            reactor.callFromThread(stored.callback if error is None else stored.errback, error)

        try:
            seq = self.store.store_first(topic, args, kwargs, (authid, authrole), done)
        except queue.Full:
            raise ApplicationError(
                uris.ERROR_UNAVAILABLE, "the journal's writer is behind: not stored, not published"
            ) from None

        def not_stored(failure: Failure) -> NoReturn:
            raise ApplicationError(
                uris.ERROR_UNAVAILABLE,
                f"the journal could not store the event ({failure.value}): it was not published",
            )

        def publish(_: None) -> Deferred[int]:
            self.store.publishing(topic, seq)
            options = PublishOptions(acknowledge=True)
            sent = maybeDeferred(self.publish, topic, *args, options=options, **kwargs)

            def not_sent(failure: Failure) -> NoReturn:
                self.store.not_publishing(topic, seq)
                raise ApplicationError(
                    uris.ERROR_UNAVAILABLE,
                    f"event {seq} of {topic} is stored but was not published: {failure.value}",
                )

            return sent.addCallbacks(lambda _: seq, not_sent)

        return stored.addCallbacks(publish, not_stored)

    def _close(self, store: JournalStore) -> None:
        clean = store.close()
        log.info(
            "wampgate journal stopped: {written} stored, {lost} not stored, clean={clean}",
            written=store.writer.written,
            lost=store.writer.lost + store.skipped,
            clean=clean,
        )
