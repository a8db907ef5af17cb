"""The echo component: a plain WebSocket echo server, plus the WAMP procedure ``demo.echo``.

The WebSocket server (Autobahn's asyncio protocol) listens on 127.0.0.1:9000 by
default and sends back every text and binary message unchanged; the router
also exposes it at ``/echo``. It is the first thing to try against wampgate.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import AsyncIterator, Mapping
from typing import Any

from autobahn.asyncio.websocket import WebSocketServerFactory, WebSocketServerProtocol
from wampgate.components import runtime
from wampgate.components.errors import SettingsError
from wampgate.components.framework import Api, CallResult
from wampgate.contract import defaults, env, uris
from wampgate.contract.addresses import hostport

log = logging.getLogger("wampgate.components.echo")
#: Larger messages close the connection (1009) instead of being buffered.
MAX_MESSAGE_SIZE = 16 * 1024 * 1024

api = Api("echo")


@api.procedure(uris.ECHO)
def echo(*args: Any, **kwargs: Any) -> CallResult:
    """Return the positional and keyword arguments exactly as received."""
    return CallResult(args, kwargs)


def describe_message(payload: bytes, is_binary: bool) -> str:
    """One log line for a message: its kind, size and, for JSON text, its shape."""
    if is_binary:
        return f"binary, {len(payload)} bytes"
    text = f"text, {len(payload)} bytes"
    try:
        value = json.loads(payload)
    except ValueError:
        return text
    if isinstance(value, dict):
        keys = ", ".join(sorted(map(str, value))[:10]) or "none"
        return f"{text}, JSON object with keys: {keys}"
    if isinstance(value, list):
        return f"{text}, JSON array of {len(value)} item(s)"
    return f"{text}, JSON {type(value).__name__}"


class EchoProtocol(WebSocketServerProtocol):  # type: ignore[misc]
    def onConnect(self, request: Any) -> None:
        log.info("connection from %s", request.peer)

    def onMessage(self, payload: bytes, isBinary: bool) -> None:
        log.info("echo %s", describe_message(payload, isBinary))
        self.sendMessage(payload, isBinary)

    def onClose(self, wasClean: bool, code: int | None, reason: str | None) -> None:
        log.info("connection closed (code %s%s)", code, f", {reason}" if reason else "")


def create_echo_factory(host: str, port: int) -> WebSocketServerFactory:
    factory = WebSocketServerFactory(f"ws://{hostport(host, port)}")
    factory.protocol = EchoProtocol
    factory.setProtocolOptions(
        maxMessagePayloadSize=MAX_MESSAGE_SIZE,
        maxFramePayloadSize=MAX_MESSAGE_SIZE,
        # Close with a status code (1009 "too big", 1002 "protocol error") instead
        # of dropping the TCP connection, so clients learn why.
        failByDrop=False,
    )
    return factory


async def serve_echo(host: str, port: int) -> asyncio.Server:
    """Start the echo server; it runs until the returned server is closed."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(create_echo_factory(host, port), host, port)
    log.info("WebSocket echo server listening on ws://%s/", hostport(host, port))
    return server


def address_from_env(environ: Mapping[str, str] = os.environ) -> tuple[str, int]:
    """Where the echo server listens; :class:`SettingsError` when the port is not one."""
    host = environ.get(env.ECHO_HOST, defaults.HOST)
    raw = environ.get(env.ECHO_PORT, str(defaults.ECHO_PORT))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"{env.ECHO_PORT}={raw!r} is not a port number (1-65535)")
    return host, int(raw)


@contextlib.asynccontextmanager
async def echo_server(host: str, port: int) -> AsyncIterator[asyncio.Server]:
    """The echo server, listening for as long as the context lasts."""
    try:
        server = await serve_echo(host, port)
    except OSError as exc:
        raise SettingsError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    try:
        yield server
    finally:
        server.close()
        await server.wait_closed()


def main() -> None:
    runtime.main(api, alongside=lambda: echo_server(*address_from_env()))


if __name__ == "__main__":
    main()
