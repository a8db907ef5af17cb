"""The echo component: the plain WebSocket echo server and demo.echo."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets
from wampgate.clients import CallResult, Session
from wampgate.components import echo
from wampgate.contract import uris
from wampgate.router.launcher import Gateway


def test_describe_message() -> None:
    assert echo.describe_message(b"\x00\x01", True) == "binary, 2 bytes"
    assert echo.describe_message(b"hello", False) == "text, 5 bytes"
    assert echo.describe_message(b'{"b": 1, "a": 2}', False) == (
        "text, 16 bytes, JSON object with keys: a, b"
    )
    assert echo.describe_message(b"[1, 2]", False) == "text, 6 bytes, JSON array of 2 item(s)"
    assert echo.describe_message(b"42", False) == "text, 2 bytes, JSON int"


def echo_urls(gateway: Gateway) -> list[str]:
    s = gateway.settings
    return [f"ws://127.0.0.1:{s.echo_port}/", f"ws://{s.host}:{s.port}/echo"]


@pytest.mark.parametrize("via", ["direct", "router"])
async def test_echoes_text_binary_and_json(gateway: Gateway, via: str) -> None:
    url = echo_urls(gateway)[0 if via == "direct" else 1]
    payloads: list[str | bytes] = [
        "hello",
        "ünïcødé ✓",
        json.dumps({"kind": "greeting", "n": [1, 2]}),
        bytes(range(256)),
        b"",
        "x" * 100_000,
    ]
    async with websockets.connect(url, max_size=2**24) as ws:
        for payload in payloads:
            await ws.send(payload)
            reply = await ws.recv()
            assert reply == payload
            assert type(reply) is type(payload)


async def test_logs_json_shape(gateway: Gateway) -> None:
    async with websockets.connect(echo_urls(gateway)[0]) as ws:
        await ws.send(json.dumps({"zeta": 1, "alpha": 2}))
        await ws.recv()
    # The component logs through the router into the node log, a moment later.
    deadline = time.monotonic() + 30
    while "JSON object with keys: alpha, zeta" not in gateway.log_file.read_text():
        assert time.monotonic() < deadline, "the echo server's log line never came"
        await asyncio.sleep(0.05)


async def test_oversized_message_closes_only_that_connection(gateway: Gateway) -> None:
    url = echo_urls(gateway)[0]
    async with websockets.connect(url, max_size=2**25) as ws:
        with pytest.raises(websockets.ConnectionClosed) as caught:
            await ws.send(b"x" * (echo.MAX_MESSAGE_SIZE + 1))
            await ws.recv()
    assert caught.value.rcvd is None or caught.value.rcvd.code == 1009
    async with websockets.connect(url) as ws:
        await ws.send("still here")
        assert await ws.recv() == "still here"


async def test_wamp_echo_returns_what_it_got(session: Session) -> None:
    assert await session.call(uris.ECHO, "one") == "one"
    assert await session.call(uris.ECHO, {"a": [1, None]}) == {"a": [1, None]}
    result = await session.call(uris.ECHO, 1, "two", flag=True)
    assert result == CallResult((1, "two"), {"flag": True})
