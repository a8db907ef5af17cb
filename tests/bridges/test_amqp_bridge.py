"""The RabbitMQ bridge against a private RabbitMQ and the session gateway."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aio_pika
import pytest
from wampgate.clients import NotAuthorized, Session, connect
from wampgate.components.amqp_mapping import META, ORIGIN_HEADER
from wampgate.contract import env, uris

from tests.bridges.conftest import StartBridge
from tests.bridges.servers import RabbitMQ
from tests.conftest import TEST_PASSWORD, TEST_USER
from tests.helpers import CuttableProxy

CONNECTED = r"connected to RabbitMQ"


@pytest.fixture
async def amqp(rabbitmq: RabbitMQ) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    connection = await aio_pika.connect(rabbitmq.url)
    async with connection:
        yield await connection.channel()


@pytest.fixture
async def user(url: str) -> AsyncIterator[Session]:
    """A named user: may publish on ``demo.``."""
    async with connect(url, authid=TEST_USER, password=TEST_PASSWORD) as s:
        yield s


def amqp_env(
    rabbitmq: RabbitMQ, name: str, inbound: str = "", outbound: str = "", url: str = ""
) -> dict[str, str]:
    return {
        env.BRIDGE_NAME: name,
        env.AMQP_URL: url or rabbitmq.url,
        env.AMQP_IN: inbound,
        env.AMQP_OUT: outbound,
    }


async def publish(
    channel: aio_pika.abc.AbstractChannel,
    exchange: str,
    body: Any,
    key: str = "",
    kind: str = "fanout",
) -> None:
    ex = await channel.declare_exchange(exchange, kind, durable=True)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    ctype = None if isinstance(body, bytes) else "application/json"
    await ex.publish(aio_pika.Message(data, content_type=ctype), routing_key=key)


async def eventually(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    """Poll ``check`` (an awaitable factory) until it returns something truthy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if value := await check():
            return value
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        await asyncio.sleep(0.1)


async def test_fanout_reaches_a_wamp_subscriber_and_is_acked(
    rabbitmq: RabbitMQ, start_bridge: StartBridge, session: Session, amqp: Any
) -> None:
    await asyncio.to_thread(
        start_bridge, "amqp_bridge", amqp_env(rabbitmq, "fan", "robots=demo.amqp.robots"), CONNECTED
    )
    async with session.subscribe("demo.amqp.robots") as events:
        await publish(amqp, "robots", {"robot": "r2", "x": 1.5})
        await publish(amqp, "robots", b"\x00\xff binary")
        first = await events.next(timeout=20)
        second = await events.next(timeout=20)
    assert first.kwargs["robot"] == "r2" and first.kwargs["x"] == 1.5
    assert first.kwargs[META]["exchange"] == "robots"
    assert second.kwargs[META]["encoding"] == "base64"
    queue = await amqp.declare_queue("wampgate.fan.robots", durable=True, passive=True)
    assert queue.declaration_result.message_count == 0  # both acknowledged
    state = await session.call(uris.BRIDGE_STATE_PREFIX + "fan")
    assert state["broker"] == "connected" and state["counts"]["to_wamp"] == 2
    assert state["mappings"] == ["amqp fanout robots -> wamp demo.amqp.robots"]


async def test_topic_exchange_routing_keys(
    rabbitmq: RabbitMQ, start_bridge: StartBridge, session: Session, amqp: Any
) -> None:
    await asyncio.to_thread(
        start_bridge,
        "amqp_bridge",
        amqp_env(rabbitmq, "tk", "telemetry:topic:arm.#=demo.amqp.arm"),
        CONNECTED,
    )
    async with session.subscribe("demo.amqp.arm") as events:
        await publish(amqp, "telemetry", [1, 2], key="leg.left", kind="topic")  # not bound
        await publish(amqp, "telemetry", [3, 4], key="arm.left", kind="topic")
        event = await events.next(timeout=20)
    assert event.args == (3, 4)
    assert event.kwargs[META]["routing_key"] == "arm.left"


async def test_wamp_publish_reaches_an_amqp_queue(
    rabbitmq: RabbitMQ, start_bridge: StartBridge, user: Session, amqp: Any
) -> None:
    await asyncio.to_thread(
        start_bridge,
        "amqp_bridge",
        amqp_env(rabbitmq, "out", outbound="demo.amqp.cmd.=commands:topic"),
        CONNECTED,
    )
    exchange = await amqp.declare_exchange("commands", "topic", durable=True)
    queue = await amqp.declare_queue("", exclusive=True)
    await queue.bind(exchange, "#")
    await user.publish("demo.amqp.cmd.arm.move", {"to": [1, 2]})
    message = await queue.get(timeout=20, fail=False) or await _next(queue)
    assert json.loads(message.body) == {"to": [1, 2]}
    assert message.routing_key == "arm.move"
    assert message.headers[ORIGIN_HEADER] == "out"
    await message.ack()


async def _next(queue: Any) -> Any:
    async with queue.iterator() as messages:
        async for message in messages:
            return message


async def test_no_loop_wamp_to_amqp_to_wamp(
    rabbitmq: RabbitMQ, start_bridge: StartBridge, user: Session, session: Session, amqp: Any
) -> None:
    await asyncio.to_thread(
        start_bridge,
        "amqp_bridge",
        amqp_env(rabbitmq, "loop", "loopex=demo.amqp.loop", "demo.amqp.loop=loopex"),
        CONNECTED,
    )
    state_uri = uris.BRIDGE_STATE_PREFIX + "loop"
    async with session.subscribe("demo.amqp.loop") as events:
        await user.publish("demo.amqp.loop", "from wamp")
        assert (await events.next(timeout=20)).value == "from wamp"

        async def skipped() -> bool:
            return bool((await session.call(state_uri))["counts"]["skipped"] == 1)

        await eventually(skipped, "the bridge skipped its own message")
        await publish(amqp, "loopex", "from amqp")
        # The next event is the AMQP one: the WAMP one did not come round again.
        event = await events.next(timeout=20)
    assert event.args == ("from amqp",)
    state = await session.call(state_uri)
    assert state["counts"] == {"to_wamp": 1, "from_wamp": 1, "dropped": 0, "skipped": 1}


async def test_messages_published_while_the_bridge_is_down_arrive(
    rabbitmq: RabbitMQ, start_bridge: StartBridge, session: Session, amqp: Any
) -> None:
    settings = amqp_env(rabbitmq, "down", "outage=demo.amqp.outage")
    bridge = await asyncio.to_thread(start_bridge, "amqp_bridge", settings, CONNECTED)
    await asyncio.to_thread(bridge.stop)
    for n in range(3):
        await publish(amqp, "outage", {"n": n})
    async with session.subscribe("demo.amqp.outage") as events:
        await asyncio.to_thread(start_bridge, "amqp_bridge", settings, CONNECTED)
        got = [(await events.next(timeout=20)).kwargs["n"] for _ in range(3)]
    assert got == [0, 1, 2]


async def test_reconnects_after_the_broker_connection_drops(
    rabbitmq: RabbitMQ, start_bridge: StartBridge, session: Session, amqp: Any
) -> None:
    proxy = await CuttableProxy(rabbitmq.port).start()
    try:
        url = f"amqp://guest:guest@127.0.0.1:{proxy.port}/"
        settings = amqp_env(rabbitmq, "flaky", "flaky=demo.amqp.flaky", url=url)
        # The proxy runs on this event loop: wait for the bridge off it.
        bridge = await asyncio.to_thread(start_bridge, "amqp_bridge", settings, CONNECTED)
        assert proxy.cut() > 0
        await asyncio.to_thread(bridge.wait_for, r"RabbitMQ connection lost.*reconnecting in", 30)
        await asyncio.to_thread(bridge.wait_for, CONNECTED, 60, 2)
        async with session.subscribe("demo.amqp.flaky") as events:
            await publish(amqp, "flaky", {"after": "reconnect"})
            assert (await events.next(timeout=20)).kwargs["after"] == "reconnect"
        state = await session.call(uris.BRIDGE_STATE_PREFIX + "flaky")
        assert state["reconnects"] >= 1 and state["broker"] == "connected"
    finally:
        await proxy.close()


async def test_default_topic_is_followed_by_anyone_but_published_only_by_bridges(
    rabbitmq: RabbitMQ, start_bridge: StartBridge, session: Session, user: Session, amqp: Any
) -> None:
    await asyncio.to_thread(
        start_bridge, "amqp_bridge", amqp_env(rabbitmq, "dflt", "lab:direct:door"), CONNECTED
    )
    async with session.subscribe("amqp.lab.", match="prefix") as events:
        await publish(amqp, "lab", {"open": True}, key="door", kind="direct")
        event = await events.next(timeout=20)
    assert event.topic == "amqp.lab.door"
    assert event.kwargs["open"] is True
    with pytest.raises(NotAuthorized):
        await user.publish("amqp.lab.door", {"open": False})
