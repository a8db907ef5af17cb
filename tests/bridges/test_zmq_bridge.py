"""The ZeroMQ bridge: mapping rules, and both directions against the session gateway."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import zmq
import zmq.asyncio
from wampgate.clients import Session, connect
from wampgate.components import zmq_mapping as m
from wampgate.components.errors import SettingsError
from wampgate.contract import env

from tests.bridges.conftest import StartBridge
from tests.conftest import TEST_PASSWORD, TEST_USER
from tests.helpers import free_port

READY = r"ZeroMQ sockets ready"


def test_specs() -> None:
    assert m.Sub.parse("tcp://127.0.0.1:5556") == m.Sub("tcp://127.0.0.1:5556", "", "zmq.")
    assert m.Sub.parse("tcp://h:1|lab.=demo.lab") == m.Sub("tcp://h:1", "lab.", "demo.lab")
    assert m.Pub.parse("demo.out.=tcp://127.0.0.1:5557") == m.Pub(
        "demo.out.", "tcp://127.0.0.1:5557"
    )
    for bad in ("nonsense", "demo.x=nowhere"):
        with pytest.raises(SettingsError):
            m.Pub.parse(bad) if "=" in bad else m.Sub.parse(bad)


def test_frames_to_events_and_back() -> None:
    route = m.Sub("tcp://h:1", prefix="demo.lab")
    topic, args, kwargs = m.to_event(
        route, [b"temp.room1", b"21.5", b'{"unit": "C"}', b"ok", b"\xff\x00"]
    )
    assert topic == "demo.lab.temp.room1"
    assert args == [21.5, {"unit": "C"}, "ok", "/wA="]
    assert kwargs[m.META]["topic"] == "temp.room1"
    assert m.to_event(route, [b"7"])[:2] == ("demo.lab", [7])
    pub = m.Pub("demo.out.", "tcp://h:2")
    assert m.to_frames(pub, "demo.out.arm", [1, "a"], {"k": True}) == [
        b"arm",
        b"1",
        b'"a"',
        b'{"k":true}',
    ]
    assert m.to_frames(pub, "demo.out.arm", args, kwargs) is None  # came from ZeroMQ: no loop


@pytest.fixture
async def zctx() -> AsyncIterator[zmq.asyncio.Context]:
    context = zmq.asyncio.Context()
    yield context
    context.destroy(linger=0)


async def test_zmq_pub_reaches_wamp(start_bridge: StartBridge, session: Session, zctx: Any) -> None:
    endpoint = f"tcp://127.0.0.1:{free_port()}"
    pub = zctx.socket(zmq.PUB)
    pub.bind(endpoint)
    await asyncio.to_thread(
        start_bridge,
        "zmq_bridge",
        {env.BRIDGE_NAME: "zin", env.ZMQ_SUB: f"{endpoint}|lab.=demo.zmq"},
        READY,
    )
    async with session.subscribe("demo.zmq.lab.temp") as events:
        # PUB/SUB drops what is sent before the subscription is through: send until it arrives.
        for _ in range(200):
            await pub.send_multipart([b"lab.temp", b"21.5", b"C"])
            try:
                event = await events.next(timeout=0.25)
                break
            except TimeoutError:
                continue
        else:
            raise AssertionError("no ZeroMQ message reached WAMP")
    assert event.args == (21.5, "C")
    assert event.kwargs[m.META]["endpoint"] == endpoint


async def test_wamp_reaches_a_zmq_sub(start_bridge: StartBridge, url: str, zctx: Any) -> None:
    endpoint = f"tcp://127.0.0.1:{free_port()}"
    await asyncio.to_thread(
        start_bridge,
        "zmq_bridge",
        {env.BRIDGE_NAME: "zout", env.ZMQ_PUB: f"demo.zmq.out.={endpoint}"},
        READY,
    )
    sub = zctx.socket(zmq.SUB)
    sub.connect(endpoint)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    async with connect(url, authid=TEST_USER, password=TEST_PASSWORD) as user:
        for n in range(200):
            await user.publish("demo.zmq.out.arm", n, {"to": [1, 2]})
            if await sub.poll(250):
                break
        frames = await sub.recv_multipart()
    assert frames[0] == b"arm"
    assert json.loads(frames[2]) == {"to": [1, 2]}
    assert isinstance(json.loads(frames[1]), int)
