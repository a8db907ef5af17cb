"""A procedure that never answers, registered by a backend session of the test gateway.

It is registered for one test module at a time, so other tests (the catalog's)
never see it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from autobahn.asyncio.component import Component
from wampgate.components.runtime import transport_config
from wampgate.contract import defaults
from wampgate.router.launcher import Gateway

NEVER = "demo.testing.never_answers"


@dataclass
class Callee:
    """What the callee of :data:`NEVER` saw."""

    uri: str = NEVER
    started: int = 0
    cancelled: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture(scope="module")
async def never_answers(gateway: Gateway) -> AsyncIterator[Callee]:
    settings = gateway.settings
    callee = Callee()
    # One connection, never retried: once stopped, it cannot come back and
    # register again behind the next module's back.
    transport = transport_config(f"unix:{settings.socket_path}") | {"max_retries": 0}
    component = Component(
        transports=[transport],
        realm=settings.realm,
        authentication={
            "wampcra": {
                "authid": defaults.BACKEND_AUTHID,
                "secret": settings.secret_file.read_text().strip(),
            }
        },
    )

    async def never() -> None:
        callee.started += 1
        callee.changed.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            callee.cancelled += 1
            callee.changed.set()
            raise

    registered: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    async def on_join(session: Any, details: Any) -> None:
        registration = await session.register(never, NEVER)
        if not registered.done():
            registered.set_result(registration)

    component.on("join", on_join)
    done = asyncio.ensure_future(component.start(loop=asyncio.get_running_loop()))
    try:
        registration = await asyncio.wait_for(registered, 30)
        yield callee
        # Gone from the router before the next module (and the catalog) looks.
        await registration.unregister()
    finally:
        await component.stop()
        await asyncio.wait({done}, timeout=10)


async def wait_for(callee: Callee, what: str, at_least: int) -> None:
    """Until ``callee.<what>`` reaches ``at_least`` (events, not polling)."""
    while getattr(callee, what) < at_least:
        callee.changed.clear()
        await asyncio.wait_for(callee.changed.wait(), 30)
