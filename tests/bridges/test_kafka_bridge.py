"""The Kafka bridge: mapping rules, and records through a real Kafka-compatible broker (Tansu)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from wampgate.clients import Session
from wampgate.components import kafka_mapping as m
from wampgate.components.errors import SettingsError
from wampgate.contract import env, uris

from tests.bridges.conftest import StartBridge
from tests.bridges.servers import Tansu

CONNECTED = r"connected to Kafka"


def test_specs_and_records() -> None:
    assert m.KafkaRoute.parse("sensors") == m.KafkaRoute("sensors", "kafka.sensors")
    assert m.KafkaRoute.parse("s=demo.s").wamp_topic == "demo.s"
    with pytest.raises(SettingsError):
        m.KafkaRoute.parse("bad topic")
    topic, args, kwargs = m.to_event(
        m.KafkaRoute("s", "demo.s"), b'{"x": 1}', partition=0, offset=7, key=b"k",
        headers=[("content-type", b"application/json")],
    )  # fmt: skip
    assert (topic, args, kwargs["x"]) == ("demo.s", (), 1)
    assert kwargs[m.META]["offset"] == 7 and kwargs[m.META]["key"] == "k"


@pytest.fixture
async def producer(kafka: Tansu) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka.servers)
    await producer.start()
    yield producer
    await producer.stop()


async def test_records_reach_wamp_and_offsets_are_committed(
    kafka: Tansu, start_bridge: StartBridge, session: Session, producer: Any
) -> None:
    settings = {env.BRIDGE_NAME: "kin", env.KAFKA_SERVERS: kafka.servers, env.KAFKA_IN: "plant"}
    await producer.send_and_wait("plant", b'{"line": 1}')
    async with session.subscribe("kafka.plant") as events:
        bridge = await asyncio.to_thread(start_bridge, "kafka_bridge", settings, CONNECTED)
        assert (await events.next(timeout=30)).kwargs["line"] == 1
        state = await session.call(uris.BRIDGE_STATE_PREFIX + "kin")
        assert state["counts"]["to_wamp"] == 1
        bridge.stop()
        # Published while the bridge is down: delivered after it is back, and only that.
        await producer.send_and_wait("plant", b'{"line": 2}')
        await asyncio.to_thread(start_bridge, "kafka_bridge", settings, CONNECTED)
        assert (await events.next(timeout=30)).kwargs["line"] == 2
