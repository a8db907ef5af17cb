"""An absolute deadline on web-port connections that are not WAMP sessions yet.

Twisted's ``client_timeout`` restarts on every byte, so a request sent one
byte at a time (its headers or its body) would hold a connection for ever.
The web port's HTTP channel therefore runs in windows of ``connect_timeout``
from TCP accept:

- by the end of the first window the connection must have become a joined
  WAMP session or delivered one whole request (headers and body);
- each whole request starts a new window, in which a plain HTTP connection
  (keep-alive) must deliver its next whole request or send nothing at all
  (an idle one is left to ``client_timeout``).

A WebSocket upgrade hands the transport to the WAMP protocol, which from
then on is what must have joined (its HELLO timer covers the rest); a
WebSocket that is not WAMP (``/echo``) is left alone.
"""

from __future__ import annotations

from typing import Any

import txaio
from crossbar.router.protocol import WampWebSocketServerProtocol
from twisted.web import http
from wampgate.router.bounds.limits import Limits
from wampgate.router.bounds.transport import socket_of

log = txaio.make_logger()


def joined(proto: Any) -> bool:
    session = getattr(proto, "_session", None)
    return session is not None and getattr(session, "_session_id", None) is not None


def _close(transport: Any, why: str) -> None:
    log.warn("closed {peer}: {why}", peer=str(transport.getPeer()), why=why)
    transport.abortConnection()


def _window(channel: Any, limits: Limits, first: bool) -> None:
    """Start a window; a whole request ends it early and starts the next one."""
    transport = channel._wampgate_transport
    sock = socket_of(channel) if first else channel._wampgate_socket
    channel._wampgate_socket = sock
    channel._wampgate_received = 0  # bytes in this window

    def expire() -> None:
        if sock is None or not sock.connected:
            return
        proto = getattr(transport, "protocol", None)
        if channel.transport is None and proto is not None and proto is not channel:
            # Upgraded to WebSocket: a WAMP one must have joined; others (/echo) are not ours.
            if isinstance(proto, WampWebSocketServerProtocol) and not joined(proto):
                _close(transport, f"no WAMP session {timeout:.0f}s after connecting")
            return
        if first or channel._wampgate_received:
            _close(transport, f"no whole request within {timeout:.0f}s")
            return
        _window(channel, limits, first=False)  # idle keep-alive: client_timeout governs it

    timeout = limits.connect_timeout
    channel._wampgate_timer = txaio.call_later(timeout, expire)


def install(limits: Limits) -> None:
    """Start the first window at accept, a new one after each whole request; count bytes."""
    channel_cls: Any = http.HTTPChannel
    made, received, complete = (
        channel_cls.connectionMade,
        channel_cls.dataReceived,
        channel_cls.allContentReceived,
    )

    def connection_made(self: Any) -> None:
        made(self)
        self._wampgate_transport = self.transport
        _window(self, limits, first=True)

    def data_received(self: Any, data: bytes) -> None:
        self._wampgate_received = getattr(self, "_wampgate_received", 0) + len(data)
        received(self, data)

    def all_content_received(self: Any) -> None:
        complete(self)
        timer = getattr(self, "_wampgate_timer", None)
        if timer is not None and timer.active():
            timer.cancel()
            _window(self, limits, first=False)

    channel_cls.connectionMade = connection_made
    channel_cls.dataReceived = data_received
    channel_cls.allContentReceived = all_content_received
