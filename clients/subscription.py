"""Events of a topic as an async iterator, subscribed again after every reconnect."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from autobahn.wamp.types import SubscribeOptions
from wampgate.clients.errors import mapped
from wampgate.clients.settings import Match


@dataclass(frozen=True)
class Event:
    """One event received on a subscription."""

    topic: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    publication: int

    @property
    def value(self) -> Any:
        """The payload: the single argument when there is exactly one, else all of them."""
        if len(self.args) == 1 and not self.kwargs:
            return self.args[0]
        return {"args": list(self.args), "kwargs": self.kwargs}


class Subscription:
    """Events of one topic (or prefix, or wildcard pattern), as an async iterator.

    ``async with session.subscribe(...) as events`` is subscribed when the block
    starts and unsubscribed when it ends; plain ``async for`` subscribes on
    first use. Events wait in a queue of ``maxsize``; when it is full the
    oldest is dropped and counted in :attr:`dropped`.

    ``add`` and ``remove`` are the owning session's: it attaches the
    subscription to every session it joins.
    """

    def __init__(
        self,
        topic: str,
        match: Match,
        maxsize: int,
        add: Callable[[Subscription], Awaitable[None]],
        remove: Callable[[Subscription], Awaitable[None]],
    ) -> None:
        self.topic = topic
        self.match = match
        self.dropped = 0
        self._add = add
        self._remove = remove
        self._queue: asyncio.Queue[Event] = asyncio.Queue(maxsize)
        #: Autobahn's subscription in the current session (None between sessions).
        self.handle: Any = None
        self._active = False

    def _deliver(self, *args: Any, details: Any = None, **kwargs: Any) -> None:
        event = Event(
            topic=(details.topic if details is not None and details.topic else self.topic),
            args=tuple(args),
            kwargs=kwargs,
            publication=details.publication if details is not None else 0,
        )
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(event)

    async def attach(self, session: Any) -> None:
        """Subscribe in ``session`` (an Autobahn session just joined)."""
        options = SubscribeOptions(match=self.match, details_arg="details")
        with mapped(f"while subscribing to {self.topic}"):
            self.handle = await session.subscribe(self._deliver, self.topic, options=options)

    async def start(self) -> Subscription:
        """Subscribe now (and again after every reconnect); returns itself."""
        if not self._active:
            self._active = True
            await self._add(self)
        return self

    async def close(self) -> None:
        """Unsubscribe; events already queued can still be read."""
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
