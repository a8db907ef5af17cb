"""The asyncio client: call, publish and subscribe, with reconnects handled for you.

::

    async with connect("ws://127.0.0.1:8080/ws", "realm1") as session:
        print(await session.call("demo.calc.add", 2, 3))
        async for event in session.subscribe("demo.clock.", match="prefix"):
            print(event.topic, event.value)

Built on :class:`autobahn.asyncio.component.Component`: it reconnects with
backoff after the connection drops, subscribes again on every new session,
and waits (up to a timeout) for the session to come back before a call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from autobahn.asyncio.component import Component
from autobahn.wamp.exception import ApplicationError, SessionNotReady, TransportLost
from autobahn.wamp.types import CallOptions, PublishOptions, SubscribeOptions
from autobahn.wamp.types import CallResult as WampCallResult
from wampgate.clients.errors import (
    ConnectError,
    ConnectionLost,
    WampgateError,
    from_application_error,
)

log = logging.getLogger("wampgate.clients")


class _RoutineRetries(logging.Filter):
    """Autobahn logs every connection attempt as a warning; they are routine."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("trying transport")


logging.getLogger("autobahn.asyncio.component.Component").addFilter(_RoutineRetries())

DEFAULT_URL = "ws://127.0.0.1:8080/ws"
DEFAULT_REALM = "realm1"
Match = Literal["exact", "prefix", "wildcard"]
Serializer = Literal["json", "msgpack", "cbor"]


@contextlib.contextmanager
def _our_errors(doing: str) -> Iterator[None]:
    """The one place where Autobahn's exceptions become :mod:`wampgate.clients.errors`."""
    try:
        yield
    except ApplicationError as exc:
        raise from_application_error(exc) from None
    except (TransportLost, SessionNotReady) as exc:
        raise ConnectionLost(f"connection lost {doing}: {exc}") from None


def _tls_endpoint(url: str, cafile: str) -> dict[str, Any]:
    """Autobahn's TCP endpoint for ``url`` with TLS checked against ``cafile``."""
    parts = urlsplit(url)
    return {
        "type": "tcp",
        "host": parts.hostname,
        "port": parts.port or 443,
        "tls": ssl.create_default_context(cafile=cafile),
    }


@dataclass(frozen=True)
class ClientSettings:
    """How to reach the router; built once at the edge and passed down."""

    url: str = DEFAULT_URL
    realm: str = DEFAULT_REALM
    serializer: Serializer = "json"
    #: Seconds to wait for the first join, and for a lost session to come back.
    connect_timeout: float = 10.0
    #: Seconds a call may take before the router cancels it (None: no limit).
    call_timeout: float | None = None
    authid: str | None = None
    #: A named user's password (WAMP-CRA; only a key derived from it crosses the wire).
    password: str | None = None
    #: A service's Ed25519 private key, 64 hex digits (WAMP-Cryptosign).
    privkey: str | None = None
    #: A CA bundle (or the self-signed certificate) to trust for wss:// URLs.
    cafile: str | None = None
    initial_retry_delay: float = 0.5
    max_retry_delay: float = 5.0

    def component(self, is_fatal: Callable[[BaseException], bool] | None = None) -> Component:
        transport = {
            "type": "websocket",
            "url": self.url,
            "serializers": [self.serializer],
            "max_retries": -1,
            "initial_retry_delay": self.initial_retry_delay,
            "max_retry_delay": self.max_retry_delay,
            "retry_delay_growth": 1.5,
            "retry_delay_jitter": 0.1,
        }
        if self.cafile is not None and self.url.startswith("wss:"):
            transport["endpoint"] = _tls_endpoint(self.url, self.cafile)
        authentication: dict[str, Any] = {}
        if self.password is not None:
            authentication["wampcra"] = {"authid": self.authid, "secret": self.password}
        if self.privkey is not None:
            authentication["cryptosign"] = {"authid": self.authid, "privkey": self.privkey}
        return Component(
            transports=[transport],
            realm=self.realm,
            authentication=authentication,
            is_fatal=is_fatal,
        )


@dataclass(frozen=True)
class CallResult:
    """A result with several positional and/or keyword values."""

    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


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
    """

    def __init__(self, owner: Session, topic: str, match: Match, maxsize: int) -> None:
        self.topic = topic
        self.match = match
        self.dropped = 0
        self._owner = owner
        self._queue: asyncio.Queue[Event] = asyncio.Queue(maxsize)
        self._handle: Any = None  # Autobahn's subscription in the current session
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

    async def _attach(self, session: Any) -> None:
        options = SubscribeOptions(match=self.match, details_arg="details")
        with _our_errors(f"while subscribing to {self.topic}"):
            self._handle = await session.subscribe(self._deliver, self.topic, options=options)

    async def start(self) -> Subscription:
        """Subscribe now (and again after every reconnect); returns itself."""
        if not self._active:
            self._active = True
            await self._owner._add(self)
        return self

    async def close(self) -> None:
        """Unsubscribe; events already queued can still be read."""
        if self._active:
            self._active = False
            await self._owner._remove(self)

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


class Session:
    """A client session that outlives connection drops. Create it with :func:`connect`."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self._component: Component | None = None
        self._session: Any = None
        self._joined = asyncio.Event()
        self._subscriptions: list[Subscription] = []
        self._first_failure: asyncio.Future[str] | None = None
        self._done: asyncio.Future[Any] | None = None
        self._closing = False
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
        if self._first_failure in finished:
            reason = self._first_failure.result()
            # The failure was fatal (see is_fatal): let the component wind down itself.
            await asyncio.wait({self._done}, timeout=5)
        elif self._done in finished:
            reason = str(self._done.exception() or "the router closed the connection")
        else:
            reason = f"no session after {self.settings.connect_timeout:g}s"
        await self.close()
        raise ConnectError(self.settings.url, reason)

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
                await sub._attach(session)
            except WampgateError as exc:
                log.error("cannot subscribe to %s again: %s", sub.topic, exc)
        self._session = session
        self._joined.set()
        if self.joins > 1:
            log.info("rejoined %s (session %s)", self.settings.url, details.session)

    def _on_leave(self, session: Any, details: Any) -> None:
        if self._session is None and self._first_failure and not self._first_failure.done():
            # Left before joining: wrong realm, refused authentication, ...
            self._first_failure.set_result(f"{details.reason}: {details.message or ''}".strip(": "))
        self._lost()

    def _on_disconnect(self, session: Any, was_clean: bool) -> None:
        self._lost()

    def _on_connectfailure(self, component: Any, exc: BaseException) -> None:
        if self._first_failure is not None and not self._first_failure.done():
            self._first_failure.set_result(str(exc) or type(exc).__name__)

    def _lost(self) -> None:
        if self._session is not None and not self._closing:
            log.warning("connection to %s lost; reconnecting", self.settings.url)
        self._session = None
        self._joined.clear()
        for sub in self._subscriptions:
            sub._handle = None

    # Subscriptions ---------------------------------------------------------

    async def _add(self, sub: Subscription) -> None:
        self._subscriptions.append(sub)
        if self._session is not None:
            await sub._attach(self._session)

    async def _remove(self, sub: Subscription) -> None:
        self._subscriptions.remove(sub)
        handle, sub._handle = sub._handle, None
        if handle is not None and self._session is not None:
            with contextlib.suppress(ApplicationError, SessionNotReady, TransportLost):
                await handle.unsubscribe()

    # The API ---------------------------------------------------------------

    async def _ready(self) -> Any:
        if self._component is None:
            raise WampgateError("the session is closed")
        if self._session is None:
            try:
                await asyncio.wait_for(self._joined.wait(), self.settings.connect_timeout)
            except TimeoutError:
                raise ConnectionLost(
                    f"no connection to {self.settings.url} for {self.settings.connect_timeout:g}s"
                ) from None
        return self._session

    async def call(self, uri: str, *args: Any, **kwargs: Any) -> Any:
        """Call the procedure ``uri``; return its result.

        Raises :class:`CallError` (or a subclass) when the callee or the router
        answers with an error.
        """
        session = await self._ready()
        options = CallOptions(timeout=self.settings.call_timeout)
        with _our_errors(f"during the call to {uri}"):
            result = await session.call(uri, *args, options=options, **kwargs)
        if isinstance(result, WampCallResult):
            return CallResult(tuple(result.results), dict(result.kwresults))
        return result

    async def publish(self, topic: str, *args: Any, exclude_me: bool = True, **kwargs: Any) -> int:
        """Publish an event and wait for the router's acknowledgement; return its id."""
        session = await self._ready()
        options = PublishOptions(acknowledge=True, exclude_me=exclude_me)
        with _our_errors(f"while publishing to {topic}"):
            publication = await session.publish(topic, *args, options=options, **kwargs)
        return int(publication.id)

    def subscribe(
        self, topic: str, *, match: Match = "exact", maxsize: int = 10_000
    ) -> Subscription:
        """Events published to ``topic``; see :class:`Subscription`."""
        if match not in ("exact", "prefix", "wildcard"):
            raise ValueError(f"match must be exact, prefix or wildcard, not {match!r}")
        return Subscription(self, topic, match, maxsize)


def connect(url: str = DEFAULT_URL, realm: str = DEFAULT_REALM, **options: Any) -> Session:
    """A session to the router at ``url``; use it as ``async with connect(...) as session``.

    ``options`` are the fields of :class:`ClientSettings` (serializer,
    connect_timeout, call_timeout, authid, password, privkey, cafile, ...).
    """
    return Session(ClientSettings(url=url, realm=realm, **options))
