"""Events of a topic as an async iterator, subscribed again after every reconnect.

With ``recover=True`` (exact topics that the gateway journals) each event has
its journal :attr:`Event.seq`. After a reconnect, or whenever a seq is
skipped, the subscription reads what it missed from ``wampgate.history.get``
and yields it first, flagged :attr:`Event.recovered`, while live events wait
in a buffer; anything seen twice is dropped by seq. What the journal no
longer has (older than its retention, never stored) is reported on the next
event as :attr:`Event.lost`, counted in :attr:`Subscription.lost` and logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from autobahn.wamp.types import SubscribeOptions
from wampgate.clients import eventseq
from wampgate.clients.errors import (
    ConnectionLost,
    NoSuchProcedure,
    UsageError,
    WampgateError,
    mapped,
)
from wampgate.clients.settings import Match
from wampgate.contract import uris

log = logging.getLogger("wampgate.clients")

#: Events per history call while recovering.
PAGE = 500
#: How long a skipped seq may stay missing from the journal (its writer commits in batches).
GAP_WAIT = 3.0
#: How long a restarted gateway's journal component may take to serve history again.
JOURNAL_WAIT = 30.0
#: Logged once when a subscription asked to recover gets an event without a seq.
UNNUMBERED = (
    "%s: events arrive without a journal seq: this subscription cannot recover what it "
    "misses while away (the topic is not journaled, or this router does not number "
    "events: connect to the gateway's first router)"
)


@dataclass(frozen=True)
class Event:
    """One event received on a subscription."""

    topic: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    publication: int
    #: The journal's per-topic sequence number (``None`` on topics it does not journal).
    seq: int | None = None
    #: Read from the journal after a reconnect or a skipped seq, not received live.
    recovered: bool = False
    #: Events right before this one that the journal no longer has (0: none).
    lost: int = 0

    @property
    def value(self) -> Any:
        """The payload: the single argument when there is exactly one, else all of them."""
        if len(self.args) == 1 and not self.kwargs:
            return self.args[0]
        return {"args": list(self.args), "kwargs": self.kwargs}


Fetch = Callable[..., Awaitable[Any]]


class Subscription:
    """Events of one topic (or prefix, or wildcard pattern), as an async iterator.

    ``async with session.subscribe(...) as events`` is subscribed when the block
    starts and unsubscribed when it ends; plain ``async for`` subscribes on
    first use. Events wait in a queue of ``maxsize``; when it is full the
    oldest is dropped and counted in :attr:`dropped`.

    ``add`` and ``remove`` are the owning session's: it attaches the
    subscription to every session it joins; ``fetch`` is its ``call``, used
    to read the journal when ``recover`` is on.
    """

    def __init__(
        self,
        topic: str,
        match: Match,
        maxsize: int,
        add: Callable[[Subscription], Awaitable[None]],
        remove: Callable[[Subscription], Awaitable[None]],
        fetch: Fetch | None = None,
        recover: bool = False,
    ) -> None:
        if recover and match != "exact":
            raise UsageError(f"recover needs an exact topic, not a {match} pattern")
        self.topic = topic
        self.match = match
        self.dropped = 0
        #: Events the journal could not give back (see :attr:`Event.lost`).
        self.lost = 0
        self._add = add
        self._remove = remove
        self._fetch = fetch if recover else None
        self._queue: asyncio.Queue[Event] = asyncio.Queue(maxsize)
        #: Autobahn's subscription in the current session (None between sessions).
        self.handle: Any = None
        self._active = False
        self._last: int | None = None
        self._buffer: list[Event] | None = None  # live events held while recovering
        self._recovery: asyncio.Task[None] | None = None
        self._said_unnumbered = False
        eventseq.install()

    def _put(self, event: Event) -> None:
        if event.seq is not None:
            if self._last is not None and event.lost == 0 and event.seq > self._last + 1:
                event = replace(event, lost=event.seq - self._last - 1)
            if event.lost:
                self.lost += event.lost
                log.warning("%s: %d event(s) before seq %d are lost", event.topic, event.lost,
                            event.seq)  # fmt: skip
            self._last = event.seq
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(event)

    def _deliver(self, *args: Any, details: Any = None, **kwargs: Any) -> None:
        publication = details.publication if details is not None else 0
        event = Event(
            topic=(details.topic if details is not None and details.topic else self.topic),
            args=tuple(args),
            kwargs=kwargs,
            publication=publication,
            seq=eventseq.seq_of(publication),
        )
        if self._fetch is None or event.seq is None:
            if self._fetch is not None and not self._said_unnumbered:
                self._said_unnumbered = True
                log.warning(UNNUMBERED, self.topic)
            self._put(event)
        elif self._buffer is not None:
            self._buffer.append(event)
        elif self._last is None or event.seq == self._last + 1:
            self._put(event)
        elif event.seq > self._last:  # a skipped seq: perhaps the journal has it
            self._recover([event])

    def _recover(self, buffered: list[Event]) -> None:
        if self._recovery is not None:
            self._recovery.cancel()
        self._buffer = buffered
        self._recovery = asyncio.ensure_future(self._catch_up())

    async def _catch_up(self) -> None:
        assert self._fetch is not None and self._last is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GAP_WAIT
        try:
            while True:
                try:
                    page = await self._fetch(
                        uris.HISTORY_GET, self.topic, after=self._last, limit=PAGE
                    )
                except NoSuchProcedure:  # the gateway is back, its journal not yet
                    if loop.time() > deadline + JOURNAL_WAIT:
                        raise
                    await asyncio.sleep(0.2)
                    continue
                for item in page:
                    self._put(Event(item["topic"], tuple(item["args"]), item["kwargs"],
                                    item["publication"], item["seq"], recovered=True))  # fmt: skip
                if len(page) == PAGE:
                    continue
                live = [e.seq for e in self._buffer or () if e.seq and e.seq > self._last]
                if not live or live[0] == self._last + 1 or loop.time() > deadline:
                    break
                await asyncio.sleep(0.05)  # the gap may be on its way into the journal
        except ConnectionLost:
            self._buffer = None  # the next session recovers from the journal again
            return
        except WampgateError as exc:
            log.error("%s: cannot read the journal (%s)", self.topic, exc)
        buffered, self._buffer = self._buffer or [], None
        for event in buffered:
            if event.seq is not None and self._last is not None and event.seq <= self._last:
                continue
            self._put(event)

    async def attach(self, session: Any) -> None:
        """Subscribe in ``session`` (an Autobahn session just joined)."""
        options = SubscribeOptions(match=self.match, details_arg="details")
        recovering = self._fetch is not None and self._last is not None
        if recovering:
            self._buffer = []  # live events from this session wait for what was missed
        with mapped(f"while subscribing to {self.topic}"):
            self.handle = await session.subscribe(self._deliver, self.topic, options=options)
        if recovering:
            self._recover(self._buffer or [])

    async def start(self) -> Subscription:
        """Subscribe now (and again after every reconnect); returns itself."""
        if not self._active:
            self._active = True
            await self._add(self)
        return self

    async def close(self) -> None:
        """Unsubscribe; events already queued can still be read."""
        if self._recovery is not None:
            self._recovery.cancel()
        if self._active:
            self._active = False
            await self._remove(self)

    async def __aenter__(self) -> Subscription:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        await self.start()
        return await self._queue.get()

    async def next(self, timeout: float | None = None) -> Event:
        """The next event, waiting at most ``timeout`` seconds (``TimeoutError``)."""
        await self.start()
        return await asyncio.wait_for(self._queue.get(), timeout)
