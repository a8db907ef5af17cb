"""An absolute deadline on web-port connections that are not WAMP sessions yet.

Twisted's ``client_timeout`` restarts on every byte, so a request sent one
byte at a time (its headers or its body) would hold a connection for ever.
The web port's HTTP channel therefore runs in windows of ``connect_timeout``
from TCP accept:

- by the end of the first window the connection must have become a joined
  WAMP session or delivered one whole request (headers and body);
- in every later window a plain HTTP connection (keep-alive) must either
  deliver a whole request or send nothing at all (an idle one is left to
  ``client_timeout``).

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


def _start(channel: Any, limits: Limits) -> None:
    transport = channel.transport
    sock = socket_of(channel)
    channel._wampgate_received = 0  # bytes in this window
    channel._wampgate_requests = 0  # whole requests in this window

    def close(why: str) -> None:
        log.warn("closed {peer}: {why}", peer=str(transport.getPeer()), why=why)
        transport.abortConnection()

    def expire(first: bool) -> None:
        if sock is None or not sock.connected:
            return
        proto = getattr(transport, "protocol", None)
        if channel.transport is None and proto is not None and proto is not channel:
            # Upgraded to WebSocket: a WAMP one must have joined; others (/echo) are not ours.
            if isinstance(proto, WampWebSocketServerProtocol) and not joined(proto):
                close(f"no WAMP session {limits.connect_timeout:.0f}s after connecting")
            return
        if not channel._wampgate_requests and (first or channel._wampgate_received):
            close(f"no whole request within {limits.connect_timeout:.0f}s")
            return
        channel._wampgate_received = channel._wampgate_requests = 0
        txaio.call_later(limits.connect_timeout, expire, False)

    txaio.call_later(limits.connect_timeout, expire, True)


def install(limits: Limits) -> None:
    """Start the windows at accept; count bytes and whole requests per window."""
    channel_cls: Any = http.HTTPChannel
    made, received, complete = (
        channel_cls.connectionMade,
        channel_cls.dataReceived,
        channel_cls.allContentReceived,
    )

    def connection_made(self: Any) -> None:
        made(self)
        _start(self, limits)

    def data_received(self: Any, data: bytes) -> None:
        self._wampgate_received = getattr(self, "_wampgate_received", 0) + len(data)
        received(self, data)

    def all_content_received(self: Any) -> None:
        self._wampgate_requests = getattr(self, "_wampgate_requests", 0) + 1
        complete(self)

    channel_cls.connectionMade = connection_made
    channel_cls.dataReceived = data_received
    channel_cls.allContentReceived = all_content_received
