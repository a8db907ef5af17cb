"""The RabbitMQ bridge: exchanges to WAMP topics and WAMP topic prefixes to exchanges.

Settings (environment): ``WAMPGATE_AMQP_URL`` (``amqp://guest:guest@127.0.0.1/``),
``WAMPGATE_AMQP_IN`` and ``WAMPGATE_AMQP_OUT`` (mapping specs, see
:mod:`wampgate.components.amqp_mapping`), ``WAMPGATE_BRIDGE_NAME`` (``amqp``).

Delivery: each inbound exchange is bound to a durable queue of this bridge;
a message is acknowledged to RabbitMQ only after the router acknowledged its
WAMP publish, so what is published while the bridge or the gateway is down is
delivered when both are back. WAMP -> RabbitMQ is at most once: an event
that arrives while RabbitMQ is unreachable is counted as dropped.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractIncomingMessage, AbstractQueue
from aio_pika.exceptions import AMQPError
from autobahn.asyncio.component import Component
from autobahn.wamp.exception import ApplicationError, SessionNotReady, TransportLost
from autobahn.wamp.types import PublishOptions, SubscribeOptions
from wampgate.components import runtime
from wampgate.components.amqp_mapping import Inbound, Outbound, routes_for, to_event, to_message
from wampgate.components.bridge import BridgeState, backoff, bridge_name, split_specs
from wampgate.components.bridge import state_api as make_state_api
from wampgate.components.errors import SettingsError
from wampgate.contract import env

log = logging.getLogger("wampgate.components.amqp")

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/"
_BROKER_ERRORS = (OSError, AMQPError, ConnectionError, TimeoutError)


@dataclass(frozen=True)
class AmqpSettings:
    name: str
    url: str
    inbound: tuple[Inbound, ...] = ()
    outbound: tuple[Outbound, ...] = ()
    prefetch: int = 64

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> AmqpSettings:
        inbound = tuple(Inbound.parse(s) for s in split_specs(environ.get(env.AMQP_IN, "")))
        outbound = tuple(Outbound.parse(s) for s in split_specs(environ.get(env.AMQP_OUT, "")))
        if not inbound and not outbound:
            raise SettingsError(f"no mappings: set {env.AMQP_IN} and/or {env.AMQP_OUT}")
        url = environ.get(env.AMQP_URL, DEFAULT_URL)
        return cls(bridge_name("amqp", environ), url, inbound, outbound)

    def describe(self) -> list[str]:
        return [r.describe() for r in self.inbound] + [r.describe() for r in self.outbound]


class AmqpBridge:
    """Runs the RabbitMQ side while the WAMP session is joined; reconnects with backoff."""

    def __init__(self, settings: AmqpSettings) -> None:
        self.settings = settings
        self.state = BridgeState(settings.name, "amqp", settings.describe())
        self._exchanges: dict[str, AbstractExchange] = {}
        self._task: asyncio.Task[None] | None = None

    def attach(self, component: Component) -> None:
        component.on("join", self._joined)
        component.on("leave", self._left)

    async def _joined(self, session: Any, details: Any) -> None:
        options = SubscribeOptions(match="prefix", details_arg="details")
        for prefix in sorted({r.prefix for r in self.settings.outbound}):
            await session.subscribe(self._from_wamp, prefix, options=options)
        self._task = asyncio.ensure_future(self._run(session))

    def _left(self, session: Any, details: Any) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self, session: Any) -> None:
        delays = backoff()
        while True:
            try:
                connection = await aio_pika.connect(self.settings.url, timeout=10)
            except _BROKER_ERRORS as exc:
                error = f"cannot connect: {exc or type(exc).__name__}"
            else:
                delays = backoff()
                try:
                    async with connection:
                        await self._serve(session, connection.closed(), await connection.channel())
                    error = "connection lost: closed by the broker"
                except _BROKER_ERRORS as exc:
                    error = f"connection lost: {exc or type(exc).__name__}"
                finally:
                    self._exchanges = {}
            delay = next(delays)
            self.state.lost(error)
            log.warning("%s: RabbitMQ %s; reconnecting in %.1fs", self.settings.name, error, delay)
            await asyncio.sleep(delay)

    async def _serve(self, session: Any, closed: Any, channel: AbstractChannel) -> None:
        await channel.set_qos(prefetch_count=self.settings.prefetch)
        for out in self.settings.outbound:
            self._exchanges[out.exchange] = await channel.declare_exchange(
                out.exchange, out.kind, durable=True
            )
        consumers = []
        for route in self.settings.inbound:
            exchange = await channel.declare_exchange(route.exchange, route.kind, durable=True)
            queue = await channel.declare_queue(route.queue_name(self.settings.name), durable=True)
            await queue.bind(exchange, routing_key=route.binding_key)
            consumers.append(asyncio.ensure_future(self._consume(session, route, queue)))
        self.state.connected()
        mappings = "; ".join(self.state.mappings)
        log.info("%s: connected to RabbitMQ; %s", self.settings.name, mappings)
        watcher = asyncio.ensure_future(closed)
        try:
            done, _ = await asyncio.wait({watcher, *consumers}, return_when="FIRST_COMPLETED")
        finally:
            for task in (watcher, *consumers):
                task.cancel()
        for task in done:
            if task is not watcher and (exc := task.exception()) is not None:
                raise exc

    async def _consume(self, session: Any, route: Inbound, queue: AbstractQueue) -> None:
        # One message at a time per queue keeps RabbitMQ's order on the WAMP topic.
        async with queue.iterator() as messages:
            async for message in messages:
                await self._to_wamp(session, route, message)

    async def _to_wamp(
        self, session: Any, route: Inbound, message: AbstractIncomingMessage
    ) -> None:
        event = to_event(
            route,
            message.body,
            routing_key=message.routing_key or "",
            content_type=message.content_type,
            headers=message.headers,
        )
        if event is None:
            self.state.count("skipped")
            await message.ack()
            return
        try:
            await session.publish(
                event.topic, *event.args, options=PublishOptions(acknowledge=True), **event.kwargs
            )
        except ApplicationError as exc:
            # The router refused it (not authorized, bad URI): retrying cannot help.
            log.error("%s: %s refused: %s; message rejected", self.settings.name, event.topic, exc)
            self.state.count("dropped")
            await message.reject(requeue=False)
            return
        except (TransportLost, SessionNotReady):
            await message.nack(requeue=True)
            raise
        self.state.count("to_wamp")
        await message.ack()

    async def _from_wamp(self, *args: Any, details: Any, **kwargs: Any) -> None:
        topic = details.topic
        for route in routes_for(topic, self.settings.outbound):
            message = to_message(route, topic, args, kwargs, self.settings.name)
            if message is None:
                self.state.count("skipped")
                continue
            exchange = self._exchanges.get(route.exchange)
            if exchange is None:
                self.state.count("dropped")
                continue
            try:
                await exchange.publish(
                    aio_pika.Message(
                        message.body,
                        headers=dict(message.headers),
                        content_type=message.content_type,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=message.routing_key,
                )
            except _BROKER_ERRORS as exc:
                log.warning("%s: %s not sent to RabbitMQ: %s", self.settings.name, topic, exc)
                self.state.count("dropped")
            else:
                self.state.count("from_wamp")


def main() -> None:
    try:
        settings = AmqpSettings.from_env()
    except SettingsError as exc:
        raise SystemExit(f"amqp_bridge: {exc}") from None
    bridge = AmqpBridge(settings)
    runtime.main(make_state_api(bridge.state), bridge.attach)


if __name__ == "__main__":
    main()
