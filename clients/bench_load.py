"""The processes that generate load for ``wampgate bench``, one role each.

``python -m wampgate.clients.bench_load ROLE SPEC`` where SPEC is one JSON
object. Each role prints ``ready`` once it is set up, waits for a line on
standard input to begin (so every process of a phase starts together), does
its work for the given number of seconds and prints one JSON line with what it
counted. Running load in processes of their own keeps the driver from being
the bottleneck and spreads subscribers over cores the way real clients are.

Roles:

- ``echo-server``: the reference, a plain ``websockets`` echo server; prints
  ``ready PORT`` and serves until standard input closes.
- ``echo``: round trips to an echo server, sequential or with N in flight.
- ``call``: calls a procedure, sequential or with N in flight.
- ``subscribe``: N sessions subscribed to one topic, counting events.
- ``publish``: publishes as fast as acknowledgements allow, N in flight.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import txaio

txaio.use_asyncio()

import websockets  # noqa: E402
from autobahn.asyncio.component import Component  # noqa: E402
from autobahn.wamp.types import PublishOptions  # noqa: E402

#: Seconds without an event after which a subscriber stops waiting for the rest.
QUIET = 3.0


@dataclass(frozen=True)
class Target:
    """How one load process reaches the router."""

    url: str
    realm: str = "realm1"
    serializer: str = "json"
    #: ``{"wampcra": {"authid": ..., "secret": ...}}`` or ``{"ticket": {...}}``; empty: anonymous.
    authentication: dict[str, Any] = field(default_factory=dict)

    def transport(self) -> dict[str, Any]:
        endpoint: dict[str, Any]
        if self.url.startswith("unix:"):
            endpoint = {"type": "unix", "path": self.url.removeprefix("unix:")}
            return {
                "type": "rawsocket",
                "url": "rs://localhost",
                "endpoint": endpoint,
                "serializer": self.serializer,
            }
        if self.url.startswith(("rs://", "tcp://")):
            host, _, port = self.url.split("://", 1)[1].rstrip("/").rpartition(":")
            endpoint = {"type": "tcp", "host": host, "port": int(port)}
            return {
                "type": "rawsocket",
                "url": self.url,
                "endpoint": endpoint,
                "serializer": self.serializer,
            }
        return {"type": "websocket", "url": self.url, "serializers": [self.serializer]}

    async def join(self) -> tuple[Component, Any]:
        """A joined Autobahn session (no reconnects: a benchmark reports what it saw)."""
        component = Component(
            transports=[{**self.transport(), "max_retries": 0}],
            realm=self.realm,
            authentication=self.authentication,
        )
        joined: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        component.on("join", lambda session, details: joined.set_result(session))
        component.start(loop=asyncio.get_running_loop())
        return component, await asyncio.wait_for(joined, 30)


async def _stop(component: Component) -> bool:
    """Leave; ``False`` if the session had already lost its connection (it is counted)."""
    session = component._session
    if session is None or not session.is_attached():
        return False
    await component.stop()
    return True


async def _go() -> None:
    """Wait for the driver's start line."""
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def _drive(
    op: Callable[[], Awaitable[Any]], seconds: float, in_flight: int
) -> dict[str, Any]:
    """Run ``op`` for ``seconds`` with ``in_flight`` running at once; latencies of each."""
    samples: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def lane() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                await op()
            except Exception:  # a benchmark counts failures, whatever they are
                errors += 1
            samples.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(in_flight)))
    return {
        "count": len(samples),
        "errors": errors,
        "seconds": time.perf_counter() - start,
        "latencies": samples if in_flight == 1 else [],
    }


async def role_echo_server(spec: dict[str, Any]) -> dict[str, Any]:
    async def echo(ws: Any) -> None:
        async for message in ws:
            await ws.send(message)

    async with websockets.serve(echo, "127.0.0.1", 0, compression=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"ready {port}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    return {}


async def role_echo(spec: dict[str, Any]) -> dict[str, Any]:
    payload = spec["payload"]
    async with websockets.connect(spec["url"], compression=None) as ws:
        # The echo server answers in order: with N in flight, N lanes would read
        # each other's answers, so pipeline with a window instead.
        window = asyncio.Semaphore(spec["in_flight"])

        async def reader() -> None:
            while True:
                await ws.recv()
                window.release()

        async def op() -> None:
            await window.acquire()
            await ws.send(payload)

        async def round_trip() -> None:
            await ws.send(payload)
            await ws.recv()

        await _go()
        if spec["in_flight"] == 1:
            return await _drive(round_trip, spec["seconds"], 1)
        task = asyncio.ensure_future(reader())
        result = await _drive(op, spec["seconds"], 1)
        for _ in range(spec["in_flight"]):  # wait for the answers still in flight
            await window.acquire()
        task.cancel()
        return result


async def role_call(spec: dict[str, Any]) -> dict[str, Any]:
    component, session = await Target(**spec["target"]).join()
    procedure, args = spec["procedure"], spec["args"]
    for _ in range(spec.get("warmup", 50)):  # warm up connection, serializers and caches
        await session.call(procedure, *args)
    await _go()
    result = await _drive(
        lambda: session.call(procedure, *args), spec["seconds"], spec["in_flight"]
    )
    await _stop(component)
    return result


async def role_subscribe(spec: dict[str, Any]) -> dict[str, Any]:
    target = Target(**spec["target"])
    counts = [0] * spec["sessions"]
    last = [0.0]
    components = []
    for index in range(spec["sessions"]):
        component, session = await target.join()

        def on_event(*_: Any, index: int = index, **__: Any) -> None:
            counts[index] += 1
            last[0] = time.time()

        await session.subscribe(on_event, spec["topic"])
        components.append(component)
    await _go()
    # The driver sends how many events were published once the publisher is done;
    # count until every session has them all, or until the stream has been quiet a while.
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    expected, waiting = int(line or 0), time.time()
    while min(counts) < expected and time.time() - max(last[0], waiting) < QUIET:
        await asyncio.sleep(0.05)
    stopped = [await _stop(component) for component in components]
    return {"counts": counts, "last": last[0], "disconnected": stopped.count(False)}


async def role_publish(spec: dict[str, Any]) -> dict[str, Any]:
    component, session = await Target(**spec["target"]).join()
    options = PublishOptions(acknowledge=True)
    topic, payload = spec["topic"], spec["payload"]
    await _go()
    started = time.time()
    result = await _drive(
        lambda: session.publish(topic, payload, options=options), spec["seconds"], spec["in_flight"]
    )
    await _stop(component)
    return result | {"started": started}


ROLES = {
    "echo-server": role_echo_server,
    "echo": role_echo,
    "call": role_call,
    "subscribe": role_subscribe,
    "publish": role_publish,
}


def main() -> None:
    role, spec = sys.argv[1], json.loads(sys.argv[2])
    # Standard output carries the protocol with the driver; Autobahn's chatter stays out.
    logging.basicConfig(level=logging.CRITICAL)
    txaio.set_global_log_level("critical")
    result = asyncio.run(ROLES[role](spec))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
