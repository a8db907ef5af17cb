"""The asyncio client: call, publish and subscribe, with reconnects handled for you.

::

    async with connect("ws://127.0.0.1:8080/ws", "realm1") as session:
        print(await session.call("demo.calc.add", 2, 3))
        async for event in session.subscribe("demo.clock.", match="prefix"):
            print(event.topic, event.value)

Built on :class:`autobahn.asyncio.component.Component`: it reconnects with
backoff after the connection drops, subscribes again on every new session,
and waits (up to a timeout) for the session to come back before a call.
Every call has a deadline (``call_timeout``, 30 s unless told otherwise).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from autobahn.asyncio.component import Component
from autobahn.wamp.exception import ApplicationError, SessionNotReady, TransportLost
from autobahn.wamp.types import CallOptions, PublishOptions
from autobahn.wamp.types import CallResult as WampCallResult
from wampgate.clients import errors
from wampgate.clients.inflight import InFlight
from wampgate.clients.settings import (
    DEFAULT_REALM,
    DEFAULT_URL,
    ClientSettings,
    Match,
    Serializer,
    check_uri,
)
from wampgate.clients.subscription import Event, Subscription

# What other modules of the package take from here.
__all__ = ["CallResult", "ClientSettings", "Event", "Match", "Serializer", "Session", "connect"]

log = logging.getLogger("wampgate.clients")


@dataclass(frozen=True)
class CallResult:
    """A result with several positional and/or keyword values."""

    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


class Session:
    """A client session that outlives connection drops. Create it with :func:`connect`."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self._component: Component | None = None
        self._session: Any = None
        self._joined = asyncio.Event()
        self._subscriptions: list[Subscription] = []
        self._first_failure: asyncio.Future[errors.ConnectError] | None = None
        self._done: asyncio.Future[Any] | None = None
        self._closing = False
        self._inflight = InFlight()
        #: How many times a session was joined (reconnects count).
        self.joins = 0

    @property
    def connected(self) -> bool:
        return self._session is not None

    @property
    def session_id(self) -> int | None:
        return int(self._session.session_id) if self._session is not None else None

    async def open(self) -> Session:
        """Connect and join; raise :class:`ConnectError` if that fails."""
        loop = asyncio.get_running_loop()
        self._first_failure = loop.create_future()
        # Until the first join, a failure ends the attempt (the caller gets a
        # ConnectError); after it, the component reconnects for ever.
        component = self._component = self.settings.component(is_fatal=lambda _: self.joins == 0)
        component.on("join", self._on_join)
        component.on("leave", self._on_leave)
        component.on("disconnect", self._on_disconnect)
        component.on("connectfailure", self._on_connectfailure)
        self._done = asyncio.ensure_future(component.start(loop=loop))
        joined = asyncio.ensure_future(self._joined.wait())
        waiters: set[asyncio.Future[Any]] = {joined, self._first_failure, self._done}
        finished, _ = await asyncio.wait(
            waiters, timeout=self.settings.connect_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        joined.cancel()
        if self._joined.is_set():
            return self
        url = self.settings.url
        if self._first_failure in finished:
            error = self._first_failure.result()
            # The failure was fatal (see is_fatal): let the component wind down itself.
            await asyncio.wait({self._done}, timeout=5)
        elif self._done in finished:
            reason = self._done.exception()
            error = errors.ConnectError(url, str(reason or "the router closed the connection"))
        else:
            error = errors.ConnectError(url, f"no session after {self.settings.connect_timeout:g}s")
        await self.close()
        raise error

    async def close(self) -> None:
        """Leave the realm and stop reconnecting."""
        component, self._component = self._component, None
        if component is None:
            return
        self._closing = True
        if self._done is not None and not self._done.done():
            with contextlib.suppress(ApplicationError, SessionNotReady, TransportLost):
                await component.stop()
        if self._done is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._done), timeout=5)
        self._session = None

    async def __aenter__(self) -> Session:
        return await self.open()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # Component events ------------------------------------------------------

    async def _on_join(self, session: Any, details: Any) -> None:
        self.joins += 1
        for sub in list(self._subscriptions):
            try:
                await sub.attach(session)
            except errors.WampgateError as exc:
                log.error("cannot subscribe to %s again: %s", sub.topic, exc)
        self._inflight.joined()
        self._session = session
        self._joined.set()
        if self.joins > 1:
            log.info("rejoined %s (session %s)", self.settings.url, details.session)

    def _fail_first(self, error: errors.ConnectError) -> None:
        if self._first_failure is not None and not self._first_failure.done():
            self._first_failure.set_result(error)

    def _on_leave(self, session: Any, details: Any) -> None:
        if self._session is None:
            # Left before joining: wrong realm, refused login, ...
            settings = self.settings
            self._fail_first(
                errors.refused(settings.url, settings.authid, details.reason, details.message)
            )
        self._lost()

    def _on_disconnect(self, session: Any, was_clean: bool) -> None:
        self._lost()

    def _on_connectfailure(self, component: Any, exc: BaseException) -> None:
        self._fail_first(errors.ConnectError(self.settings.url, str(exc) or type(exc).__name__))

    def _lost(self) -> None:
        if self._session is not None and not self._closing:
            log.warning("connection to %s lost; reconnecting", self.settings.url)
        self._inflight.lost()
        self._session = None
        self._joined.clear()
        for sub in self._subscriptions:
            sub.handle = None

    async def _add(self, sub: Subscription) -> None:
        self._subscriptions.append(sub)
        if self._session is not None:
            await sub.attach(self._session)

    async def _remove(self, sub: Subscription) -> None:
        self._subscriptions.remove(sub)
        handle, sub.handle = sub.handle, None
        if handle is not None and self._session is not None:
            with contextlib.suppress(ApplicationError, SessionNotReady, TransportLost):
                await handle.unsubscribe()

    # The API ---------------------------------------------------------------

    async def _ready(self) -> Any:
        if self._component is None:
            raise errors.ConnectionLost("the session is closed")
        if self._session is None:
            try:
                await asyncio.wait_for(self._joined.wait(), self.settings.connect_timeout)
            except TimeoutError:
                raise errors.ConnectionLost(
                    f"no connection to {self.settings.url} for {self.settings.connect_timeout:g}s"
                ) from None
        return self._session

    async def call(self, uri: str, *args: Any, **kwargs: Any) -> Any:
        """Call the procedure ``uri``; return its result.

        Raises :class:`CallError` (or a subclass) for an error answer and
        :class:`CallTimeout` after ``call_timeout`` seconds without one: the
        call is cancelled here, and the router (told the deadline in whole
        seconds, all WAMP carries) stops the callee.
        """
        check_uri(uri)
        session = await self._ready()
        timeout, started = self.settings.call_timeout, asyncio.get_running_loop().time()
        options = CallOptions(timeout=self.settings.router_timeout)
        with errors.mapped(f"during the call to {uri}"):
            try:
                call = session.call(uri, *args, options=options, **kwargs)
                result = await asyncio.wait_for(self._inflight.answer(call), timeout)
            except TimeoutError:
                raise errors.CallTimeout(uri, timeout or 0) from None
            except ApplicationError as exc:
                if errors.ran_out(exc, timeout, asyncio.get_running_loop().time() - started):
                    raise errors.CallTimeout(uri, timeout or 0) from None
                raise
        if isinstance(result, WampCallResult):
            return CallResult(tuple(result.results), dict(result.kwresults))
        return result

    async def publish(self, topic: str, *args: Any, exclude_me: bool = True, **kwargs: Any) -> int:
        """Publish an event and wait for the router's acknowledgement; return its id."""
        check_uri(topic)
        session = await self._ready()
        options = PublishOptions(acknowledge=True, exclude_me=exclude_me)
        with errors.mapped(f"while publishing to {topic}"):
            publication = await session.publish(topic, *args, options=options, **kwargs)
        return int(publication.id)

    def subscribe(
        self, topic: str, *, match: Match = "exact", maxsize: int = 10_000, recover: bool = False
    ) -> Subscription:
        """Events of ``topic``; with ``recover``, also those missed (see :class:`Subscription`)."""
        check_uri(topic, match)
        return Subscription(topic, match, maxsize, self._add, self._remove, self.call, recover)


def connect(url: str = DEFAULT_URL, realm: str = DEFAULT_REALM, **options: Any) -> Session:
    """A session to the router at ``url``; use it as ``async with connect(...) as session``.

    ``options`` are the fields of :class:`ClientSettings` (serializer,
    connect_timeout, call_timeout, authid, password, privkey, cafile, ...).
    """
    return Session(ClientSettings(url=url, realm=realm, **options))
