"""Starting and stopping gateways, and what the router does with bad peers."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from pathlib import Path

import pytest
import websockets
from wampgate.clients import Session
from wampgate.components import runtime
from wampgate.components.calc import api as calc_api
from wampgate.contract import uris
from wampgate.router.config import GatewaySettings
from wampgate.router.errors import GatewayError
from wampgate.router.launcher import Gateway
from wampgate.router.preflight import check_port_free

from tests.helpers import free_port
from tests.router.checkout import checkout_copy, component_worker, settings_for

ROOT = Path(__file__).resolve().parents[2]


def group_members(pgid: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            # Field 5 is the process group; the command name (field 2) may hold spaces.
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                members.append(int(entry))
    return members


def left_running(pgid: int, within: float = 10.0) -> list[int]:
    """Members of the group still alive (not zombies) once ``within`` seconds passed.

    Processes killed with the group die at once but take a moment to be gone
    from /proc on a loaded machine: poll, with a deadline.
    """
    deadline = time.monotonic() + within
    while True:
        alive = [pid for pid in group_members(pgid) if _state(pid) not in ("Z", "X", None)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        return s.connect_ex((host, port)) == 0


def test_port_in_use_is_a_clear_error(gateway: Gateway) -> None:
    with pytest.raises(GatewayError, match=f"port {gateway.settings.port} on 127.0.0.1 is already"):
        check_port_free("127.0.0.1", gateway.settings.port, "web")
    busy = GatewaySettings(
        root=ROOT,
        state_dir=gateway.settings.state_dir / "second",
        port=gateway.settings.port,
        echo_port=free_port(),
    )
    with pytest.raises(GatewayError, match="already in use"):
        Gateway(busy).prepare()


# These tests run their blocking parts in threads, so the suite's shared
# session keeps answering the router's pings meanwhile.


async def test_host_moves_every_listener_and_stop_leaves_nothing_running(
    tmp_path: Path,
) -> None:
    host = "127.0.0.2"
    settings = GatewaySettings(
        root=ROOT, state_dir=tmp_path, host=host, port=free_port(), echo_port=free_port()
    )
    gw = Gateway(settings)
    await asyncio.to_thread(gw.start)
    try:
        await asyncio.to_thread(gw.wait_ready, 90)
        assert gw.pid is not None
        members = group_members(gw.pid)
        # Controller, router worker and one process per component at least.
        assert len(members) >= 6, members
        for port in (settings.port, settings.echo_port):
            assert port_open(port, host) and not port_open(port, "127.0.0.1"), port
        async with websockets.connect(f"ws://{host}:{settings.port}/echo") as ws:
            await ws.send("through the router")
            assert await asyncio.wait_for(ws.recv(), 10) == "through the router"
    finally:
        code = await asyncio.to_thread(gw.stop)
    assert code in (0, 1, -15)  # Crossbar exits 1 on SIGTERM: a clean stop
    assert left_running(gw.pid) == []  # type: ignore[arg-type]
    assert not port_open(settings.port, host) and not port_open(settings.echo_port, host)
    assert not settings.socket_path.exists()


async def test_backend_needs_the_secret(gateway: Gateway) -> None:
    wrong = runtime.BackendSettings(
        transport=f"unix:{gateway.settings.socket_path}",
        realm=gateway.settings.realm,
        authid="backend",
        secret="not-the-secret",
    )
    component = runtime.create_component(calc_api, wrong, reconnect=False)
    failed: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def on_leave(session: object, details: object) -> None:
        if not failed.done():
            failed.set_result(str(getattr(details, "reason", "")))

    component.on("leave", on_leave)
    done = asyncio.ensure_future(component.start(loop=asyncio.get_running_loop()))
    try:
        reason = await asyncio.wait_for(failed, 15)
        # With one connection allowed, the refused component is done by itself.
        await asyncio.wait({done}, timeout=15)
    finally:
        if not done.done():
            await component.stop()
            done.cancel()
    assert "Exhausted all transport connect attempts" in str(done.exception())
    assert reason in ("wamp.error.not_authorized", "wamp.error.authentication_failed")


async def test_malformed_frame_closes_only_that_connection(
    gateway: Gateway, session: Session
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", gateway.settings.port)
    writer.write(
        b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Protocol: wamp.2.json\r\n\r\n"
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert head.startswith(b"HTTP/1.1 101")
    # Reserved opcode 0x3 with RSV bits set and no mask: a protocol violation.
    writer.write(b"\xf3\x05hello" * 4)
    await writer.drain()
    rest = await asyncio.wait_for(reader.read(), 10)  # the router closes the connection
    assert rest == b"" or rest[0] & 0x0F == 0x8  # nothing, or a close frame
    writer.close()
    assert await session.call(uris.CALC_ADD, 1, 2) == 3


async def test_oversized_message_closes_only_that_connection(
    gateway: Gateway, session: Session
) -> None:
    async with websockets.connect(
        gateway.settings.url, subprotocols=["wamp.2.json"], max_size=2**25
    ) as ws:
        with pytest.raises(websockets.ConnectionClosed):
            await ws.send("[" + "1," * (2 * 1024 * 1024) + "1]")
            await ws.recv()
    assert await session.call(uris.CALC_ADD, 2, 2) == 4


async def test_a_component_that_cannot_start_fails_the_start_with_its_reason(
    tmp_path: Path,
) -> None:
    root = checkout_copy(tmp_path, component_worker("broken", "broken.py"))
    (root / "broken.py").write_text("import a_module_nobody_installed  # noqa\n")
    gw = Gateway(settings_for(root, tmp_path))
    await asyncio.to_thread(gw.start)
    try:
        with pytest.raises(GatewayError) as caught:
            await asyncio.to_thread(gw.wait_ready, 90)
    finally:
        await asyncio.to_thread(gw.stop)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(
        "the gateway failed to start: "
        "ModuleNotFoundError: No module named 'a_module_nobody_installed' "
        f"({root / 'broken.py'} exited with status 1 after "
    )
    assert left_running(gw.pid) == []  # type: ignore[arg-type]
