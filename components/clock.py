"""The clock: publishes ``demo.clock.tick`` at a fixed interval (the periodic-task pattern)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from autobahn.asyncio.component import Component
from autobahn.wamp.exception import SessionNotReady, TransportLost
from typing_extensions import TypedDict
from wampgate.components import runtime
from wampgate.components.errors import SettingsError
from wampgate.components.framework import Api
from wampgate.contract import defaults, env, uris

log = logging.getLogger("wampgate.components.clock")

api = Api("clock")


class Tick(TypedDict):
    seq: int
    time: str


def tick(seq: int, now: datetime) -> Tick:
    """The payload of one tick: a sequence number and the UTC time in ISO 8601."""
    return {"seq": seq, "time": now.astimezone(UTC).isoformat(timespec="milliseconds")}


def interval_from_env(environ: Mapping[str, str] = os.environ) -> float:
    """The tick interval in seconds; :class:`SettingsError` when it is not usable."""
    raw = environ.get(env.CLOCK_INTERVAL, str(defaults.CLOCK_INTERVAL))
    try:
        interval = float(raw)
    except ValueError:
        raise SettingsError(f"{env.CLOCK_INTERVAL}={raw!r} is not a number of seconds") from None
    if not 0.01 <= interval <= 3600:
        raise SettingsError(f"{env.CLOCK_INTERVAL}={raw!r} must be between 0.01 and 3600 seconds")
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
    runtime.main(api, lambda component: Clock(interval_from_env()).attach(component))


if __name__ == "__main__":
    main()
