"""A blocking facade over the asyncio client, for scripts and the REPL.

::

    with connect_sync("ws://127.0.0.1:8080/ws") as session:
        print(session.call("demo.calc.add", 2, 3))
        for event in session.subscribe("demo.clock.tick", count=3):
            print(event.value)

The asyncio session runs on an event loop in a background thread; every
method waits for its result. Exceptions are those of :mod:`wampgate.clients.errors`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

from wampgate.clients.session import Session
from wampgate.clients.settings import DEFAULT_REALM, DEFAULT_URL, ClientSettings, Match
from wampgate.clients.subscription import Event

T = TypeVar("T")


class SyncSession:
    """The blocking twin of :class:`~wampgate.clients.session.Session`."""

    def __init__(self, settings: ClientSettings) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="wampgate-client", daemon=True
        )
        self._thread.start()
        self._session = Session(settings)
        try:
            self._run(self._session.open())
        except BaseException:
            self._shutdown()
            raise

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def call(self, uri: str, *args: Any, **kwargs: Any) -> Any:
        return self._run(self._session.call(uri, *args, **kwargs))

    def publish(self, topic: str, *args: Any, **kwargs: Any) -> int:
        return self._run(self._session.publish(topic, *args, **kwargs))

    def subscribe(
        self,
        topic: str,
        *,
        match: Match = "exact",
        count: int | None = None,
        timeout: float | None = None,
        recover: bool = False,
    ) -> Iterator[Event]:
        """Yield events; stop after ``count`` events, or raise ``TimeoutError`` after
        ``timeout`` seconds without one. With ``recover``, events missed while the
        connection was down come first after a reconnect, with ``recovered`` set."""
        sub = self._session.subscribe(topic, match=match, recover=recover)
        self._run(sub.start())
        try:
            received = 0
            while count is None or received < count:
                yield self._run(sub.next(timeout))
                received += 1
        finally:
            self._run(sub.close())

    def close(self) -> None:
        try:
            self._run(self._session.close())
        finally:
            self._shutdown()

    def _shutdown(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def __enter__(self) -> SyncSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect_sync(url: str = DEFAULT_URL, realm: str = DEFAULT_REALM, **options: Any) -> SyncSession:
    """A blocking session; ``options`` are the fields of :class:`ClientSettings`."""
    return SyncSession(ClientSettings(url=url, realm=realm, **options))
