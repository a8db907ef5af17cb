"""The clock component."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from wampgate.clients import Session
from wampgate.components import clock
from wampgate.components.errors import SettingsError
from wampgate.contract import env, uris


def test_tick_payload() -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone(timedelta(hours=2)))
    assert clock.tick(7, now) == {"seq": 7, "time": "2026-01-02T01:04:05.678+00:00"}


def test_interval_from_env() -> None:
    assert clock.interval_from_env({}) == 1.0
    assert clock.interval_from_env({env.CLOCK_INTERVAL: "0.5"}) == 0.5
    # A library error, not SystemExit: only main() turns it into an exit.
    with pytest.raises(SettingsError, match="not a number"):
        clock.interval_from_env({env.CLOCK_INTERVAL: "soon"})
    with pytest.raises(SettingsError, match="between"):
        clock.interval_from_env({env.CLOCK_INTERVAL: "0"})


async def test_ticks_arrive_in_order(session: Session) -> None:
    async with session.subscribe(uris.CLOCK_TICK) as ticks:
        events = [await ticks.next(timeout=10) for _ in range(4)]
    seqs = [e.value["seq"] for e in events]
    assert seqs == list(range(seqs[0], seqs[0] + 4)), seqs
    times = [datetime.fromisoformat(e.value["time"]) for e in events]
    assert times == sorted(times)
    assert all(t.tzinfo is not None and t.utcoffset() == timedelta(0) for t in times)
    assert abs(datetime.now(UTC) - times[-1]) < timedelta(seconds=30)
    assert all(e.topic == uris.CLOCK_TICK for e in events)


async def test_prefix_subscription_sees_the_clock(session: Session) -> None:
    async with session.subscribe("demo.clock.", match="prefix") as events:
        event = await events.next(timeout=10)
    assert event.topic == uris.CLOCK_TICK
    assert set(event.value) == {"seq", "time"}
