"""The Kafka bridge: Kafka topics to WAMP topics, with a consumer group of its own.

Settings (environment): ``WAMPGATE_KAFKA_SERVERS`` (``127.0.0.1:9092``),
``WAMPGATE_KAFKA_IN`` (mapping specs, see
:mod:`wampgate.components.kafka_mapping`), ``WAMPGATE_KAFKA_GROUP``
(``wampgate.<bridge name>``), ``WAMPGATE_BRIDGE_NAME`` (``kafka``).

Delivery: a record's offset is committed only after the router acknowledged
its WAMP publish, so what arrives while the bridge is down is delivered when
it is back (at least once: a crash between publish and commit repeats a record).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from autobahn.asyncio.component import Component
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import PublishOptions
from wampgate.components import runtime
from wampgate.components.bridge import BridgeState, backoff, bridge_name, split_specs
from wampgate.components.bridge import state_api as make_state_api
from wampgate.components.errors import SettingsError
from wampgate.components.kafka_mapping import KafkaRoute, routes_by_topic, to_event
from wampgate.contract import env

log = logging.getLogger("wampgate.components.kafka")


@dataclass(frozen=True)
class KafkaSettings:
    name: str
    servers: str
    group: str
    routes: tuple[KafkaRoute, ...]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> KafkaSettings:
        routes = tuple(KafkaRoute.parse(s) for s in split_specs(environ.get(env.KAFKA_IN, "")))
        if not routes:
            raise SettingsError(f"no mappings: set {env.KAFKA_IN}")
        name = bridge_name("kafka", environ)
        servers = environ.get(env.KAFKA_SERVERS, "127.0.0.1:9092")
        return cls(name, servers, environ.get(env.KAFKA_GROUP, f"wampgate.{name}"), routes)


class KafkaBridge:
    def __init__(self, settings: KafkaSettings) -> None:
        self.settings = settings
        self.routes = routes_by_topic(settings.routes)
        self.state = BridgeState(settings.name, "kafka", [r.describe() for r in settings.routes])
        self._task: asyncio.Task[None] | None = None

    def attach(self, component: Component) -> None:
        def joined(session: Any, details: Any) -> None:
            self._task = asyncio.ensure_future(self._run(session))

        def left(session: Any, details: Any) -> None:
            if self._task is not None:
                self._task.cancel()
                self._task = None

        component.on("join", joined)
        component.on("leave", left)

    async def _run(self, session: Any) -> None:
        delays = backoff()
        while True:
            consumer = AIOKafkaConsumer(
                *self.routes,
                bootstrap_servers=self.settings.servers,
                group_id=self.settings.group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
            )
            try:
                await consumer.start()
                self.state.connected()
                delays = backoff()
                log.info(
                    "%s: connected to Kafka; %s", self.settings.name, "; ".join(self.state.mappings)
                )
                while True:
                    await self._forward(session, consumer, await consumer.getone())
            except KafkaError as exc:
                error = f"{type(exc).__name__}: {exc}"
            finally:
                await consumer.stop()
            delay = next(delays)
            self.state.lost(error)
            log.warning("%s: Kafka %s; reconnecting in %.1fs", self.settings.name, error, delay)
            await asyncio.sleep(delay)

    async def _forward(self, session: Any, consumer: AIOKafkaConsumer, record: Any) -> None:
        topic, args, kwargs = to_event(
            self.routes[record.topic],
            record.value,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            headers=list(record.headers or ()),
        )
        try:
            await session.publish(topic, *args, options=PublishOptions(acknowledge=True), **kwargs)
        except ApplicationError as exc:
            log.error("%s: %s refused: %s; record skipped", self.settings.name, topic, exc)
            self.state.count("dropped")
        else:
            self.state.count("to_wamp")
        partition = TopicPartition(record.topic, record.partition)
        await consumer.commit({partition: record.offset + 1})


def main() -> None:
    try:
        settings = KafkaSettings.from_env()
    except SettingsError as exc:
        raise SystemExit(f"kafka_bridge: {exc}") from None
    bridge = KafkaBridge(settings)
    runtime.main(make_state_api(bridge.state), bridge.attach)


if __name__ == "__main__":
    main()
