"""``wampgate up --bridge``: bridges started with the gateway, as the docs show them."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import pytest
from wampgate.clients import Session, connect
from wampgate.contract import env, uris

from tests.bridges.servers import Process, RabbitMQ
from tests.helpers import free_port

WAMPGATE = os.path.join(os.path.dirname(sys.executable), "wampgate")


@pytest.fixture(scope="module")
async def bridged(
    rabbitmq: RabbitMQ,
    celery_worker: Process,
    celery_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[str]:
    """A gateway of its own started by ``wampgate up`` with a RabbitMQ and a Celery bridge."""
    base = tmp_path_factory.mktemp("up-bridges")
    (base / "robots.json").write_text(
        json.dumps({"name": "robots", "url": rabbitmq.url, "in": ["robots_up=demo.up.robots"]})
    )
    celery = {"broker": celery_env[env.CELERY_BROKER], "backend": celery_env[env.CELERY_BACKEND]}
    (base / "celery.json").write_text(json.dumps(celery))
    port = free_port()
    command = [
        WAMPGATE, "up", "--port", str(port), "--echo-port", str(free_port()),
        "--rawsocket-port", "0", "--state-dir", str(base / "state"),
        "--bridge", "amqp:robots.json", "--bridge", "celery:celery.json",
    ]  # fmt: skip
    gateway = Process("wampgate-up", command, dict(os.environ), base / "up.log", cwd=base)
    gateway.start()
    try:
        await asyncio.to_thread(gateway.wait_for, r"components: .*Ctrl-C", 120)
        yield f"ws://127.0.0.1:{port}/ws"
    finally:
        await asyncio.to_thread(gateway.stop)


@pytest.fixture
async def up_session(bridged: str) -> AsyncIterator[Session]:
    async with connect(bridged) as session:
        yield session


async def connected(session: Session, name: str) -> dict[str, Any]:
    """The bridge's state once it is connected to its broker (it joins WAMP first)."""
    deadline = asyncio.get_running_loop().time() + 60
    while (state := await session.call(uris.BRIDGE_STATE_PREFIX + name))["broker"] != "connected":
        assert asyncio.get_running_loop().time() < deadline, state
        await asyncio.sleep(0.2)
    return state


async def test_bridges_join_with_the_gateway(up_session: Session) -> None:
    robots = await connected(up_session, "robots")
    assert robots["kind"] == "amqp"
    assert robots["mappings"] and "demo.up.robots" in robots["mappings"][0]
    celery = await up_session.call(uris.BRIDGE_STATE_PREFIX + "celery")
    assert celery["kind"] == "celery"


async def test_a_fanout_and_a_task_through_the_bridges_it_started(
    up_session: Session, rabbitmq: RabbitMQ
) -> None:
    await connected(up_session, "robots")
    async with up_session.subscribe("demo.up.robots") as events:
        connection = await aio_pika.connect(rabbitmq.url)
        async with connection:
            channel = await connection.channel()
            exchange = await channel.declare_exchange("robots_up", "fanout", durable=True)
            body = json.dumps({"robot": "r2", "x": 1}).encode()
            await exchange.publish(aio_pika.Message(body, content_type="application/json"), "")
        event = await events.next(timeout=30)
    assert event.kwargs["robot"] == "r2"
    assert await up_session.call("celery.add", 2, 3) == 5
