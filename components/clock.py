"""The clock: publishes ``demo.clock.tick`` at a fixed interval (the periodic-task pattern)."""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import UTC, datetime
from typing import Any

from autobahn.asyncio.component import Component
from autobahn.wamp.exception import SessionNotReady, TransportLost
from typing_extensions import TypedDict
from wampgate.components import runtime
from wampgate.components.framework import Api
from wampgate.contract import uris

log = logging.getLogger("wampgate.components.clock")

ENV_INTERVAL = "WAMPGATE_CLOCK_INTERVAL"

api = Api("clock")


class Tick(TypedDict):
    seq: int
    time: str


def tick(seq: int, now: datetime) -> Tick:
    """The payload of one tick: a sequence number and the UTC time in ISO 8601."""
    return {"seq": seq, "time": now.astimezone(UTC).isoformat(timespec="milliseconds")}


def interval_from_env(env: dict[str, str] | os._Environ[str] = os.environ) -> float:
    raw = env.get(ENV_INTERVAL, "1")
    try:
        interval = float(raw)
    except ValueError:
        raise SystemExit(f"clock: {ENV_INTERVAL}={raw!r} is not a number of seconds") from None
    if not 0.01 <= interval <= 3600:
        raise SystemExit(f"clock: {ENV_INTERVAL}={raw!r} must be between 0.01 and 3600 seconds")
    return interval


class Clock:
    """Publishes ticks while a session is joined; the sequence survives reconnects."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.seq = 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self, session: Any) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        while True:
            self.seq += 1
            try:
                session.publish(uris.CLOCK_TICK, tick(self.seq, datetime.now(UTC)))
            except (TransportLost, SessionNotReady):
                return  # the leave handler (or the next join) takes it from here
            # Sleep to the next multiple of the interval, so ticks do not drift.
            deadline += self.interval
            await asyncio.sleep(max(0.0, deadline - loop.time()))

    def attach(self, component: Component) -> None:
        def start(session: Any, details: Any) -> None:
            log.info("publishing %s every %ss", uris.CLOCK_TICK, self.interval)
            self._task = asyncio.ensure_future(self._run(session))

        component.on("join", start)

        def stop(session: Any, details: Any) -> None:
            if self._task is not None:
                self._task.cancel()
                self._task = None

        component.on("leave", stop)


def main() -> None:
    runtime.main(api, Clock(interval_from_env()).attach)


if __name__ == "__main__":
    main()
