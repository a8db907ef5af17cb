"""Test helpers: free ports, a TCP proxy whose connections can be cut, a component in the test."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

from wampgate.components import runtime
from wampgate.components.framework import Api


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to a target; :meth:`cut` drops every open connection.

    Lets a test break a client's connection for real (the client sees its
    socket closed) while the router keeps running.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> CuttableProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self._writers -= {writer, up_writer}

    def cut(self) -> int:
        """Abort every proxied connection; return how many sockets were cut."""
        cut = len(self._writers)
        for writer in list(self._writers):
            writer.transport.abort()
        return cut

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


@contextlib.asynccontextmanager
async def serving(api: Api, gateway: Any) -> AsyncIterator[None]:
    """``api`` served by a component in this event loop, joined to ``gateway``'s backend.

    One connection only: once stopped it cannot register again behind the
    next tests' back (the catalog would list it).
    """
    settings = runtime.BackendSettings(
        transport=f"unix:{gateway.settings.socket_path}",
        realm=gateway.settings.realm,
        authid="backend",
        secret=gateway.settings.secret_file.read_text().strip(),
    )
    component = runtime.create_component(api, settings, reconnect=False)
    joined = asyncio.Event()
    component.on("join", lambda session, details: joined.set())
    running = asyncio.ensure_future(component.start(loop=asyncio.get_running_loop()))
    try:
        await asyncio.wait_for(joined.wait(), 30)
        yield
    finally:
        await component.stop()
        await asyncio.wait({running}, timeout=10)
    assert running.done()
