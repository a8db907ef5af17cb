"""The ZeroMQ bridge: SUB sockets to WAMP topics, WAMP topic prefixes to PUB sockets.

Settings (environment): ``WAMPGATE_ZMQ_SUB`` and ``WAMPGATE_ZMQ_PUB`` (mapping
specs, see :mod:`wampgate.components.zmq_mapping`), ``WAMPGATE_BRIDGE_NAME``
(``zmq``). ZeroMQ connects and reconnects SUB sockets on its own; PUB/SUB
delivery is at most once in both directions (a subscriber that is not
connected yet misses what is sent).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import zmq
import zmq.asyncio
from autobahn.asyncio.component import Component
from autobahn.wamp.exception import ApplicationError, SessionNotReady, TransportLost
from autobahn.wamp.types import PublishOptions, SubscribeOptions
from wampgate.components import runtime
from wampgate.components.bridge import BridgeState, bridge_name, split_specs
from wampgate.components.bridge import state_api as make_state_api
from wampgate.components.errors import SettingsError
from wampgate.components.zmq_mapping import Pub, Sub, to_event, to_frames
from wampgate.contract import env

log = logging.getLogger("wampgate.components.zmq")


@dataclass(frozen=True)
class ZmqSettings:
    name: str
    subs: tuple[Sub, ...] = ()
    pubs: tuple[Pub, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> ZmqSettings:
        subs = tuple(Sub.parse(s) for s in split_specs(environ.get(env.ZMQ_SUB, "")))
        pubs = tuple(Pub.parse(s) for s in split_specs(environ.get(env.ZMQ_PUB, "")))
        if not subs and not pubs:
            raise SettingsError(f"no mappings: set {env.ZMQ_SUB} and/or {env.ZMQ_PUB}")
        return cls(bridge_name("zmq", environ), subs, pubs)


class ZmqBridge:
    def __init__(self, settings: ZmqSettings) -> None:
        self.settings = settings
        mappings = [s.describe() for s in settings.subs] + [p.describe() for p in settings.pubs]
        self.state = BridgeState(settings.name, "zmq", mappings)
        self.context = zmq.asyncio.Context()
        self._pubs: dict[str, zmq.asyncio.Socket] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def attach(self, component: Component) -> None:
        component.on("join", self._joined)
        component.on("leave", self._left)

    async def _joined(self, session: Any, details: Any) -> None:
        for pub in self.settings.pubs:
            if pub.endpoint not in self._pubs:
                socket = self.context.socket(zmq.PUB)
                socket.bind(pub.endpoint)
                self._pubs[pub.endpoint] = socket
        options = SubscribeOptions(match="prefix", details_arg="details")
        for prefix in sorted({p.prefix for p in self.settings.pubs}):
            await session.subscribe(self._from_wamp, prefix, options=options)
        self._tasks = [asyncio.ensure_future(self._sub(session, s)) for s in self.settings.subs]
        self.state.connected()
        log.info("%s: ZeroMQ sockets ready; %s", self.settings.name, "; ".join(self.state.mappings))

    def _left(self, session: Any, details: Any) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks = []

    async def _sub(self, session: Any, route: Sub) -> None:
        socket = self.context.socket(zmq.SUB)
        socket.connect(route.endpoint)
        socket.setsockopt(zmq.SUBSCRIBE, route.subscribe.encode())
        try:
            while True:
                frames = await socket.recv_multipart()
                topic, args, kwargs = to_event(route, frames)
                try:
                    await session.publish(
                        topic, *args, options=PublishOptions(acknowledge=True), **kwargs
                    )
                except ApplicationError as exc:
                    log.error("%s: %s refused: %s", self.settings.name, topic, exc)
                    self.state.count("dropped")
                except (TransportLost, SessionNotReady):
                    self.state.count("dropped")
                    return
                else:
                    self.state.count("to_wamp")
        finally:
            socket.close(linger=0)

    async def _from_wamp(self, *args: Any, details: Any, **kwargs: Any) -> None:
        for pub in self.settings.pubs:
            if not details.topic.startswith(pub.prefix):
                continue
            frames = to_frames(pub, details.topic, args, kwargs)
            if frames is None:
                self.state.count("skipped")
                continue
            await self._pubs[pub.endpoint].send_multipart(frames)
            self.state.count("from_wamp")


def main() -> None:
    try:
        settings = ZmqSettings.from_env()
    except SettingsError as exc:
        raise SystemExit(f"zmq_bridge: {exc}") from None
    bridge = ZmqBridge(settings)
    runtime.main(make_state_api(bridge.state), bridge.attach)


if __name__ == "__main__":
    main()
