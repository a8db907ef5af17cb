"""The Celery bridge: the demo app's tasks called over WAMP, a real worker behind them."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
from autobahn.asyncio.component import Component
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import CallOptions
from wampgate.clients import CallError, InvalidArgument, Session
from wampgate.contract import env, uris

from tests.bridges.servers import Process

pytestmark = pytest.mark.usefixtures("celery_bridge")


@pytest.fixture
async def wamp(url: str) -> AsyncIterator[Any]:
    """A plain Autobahn session (anonymous): progressive results and cancelling."""
    loop = asyncio.get_running_loop()
    joined: asyncio.Future[Any] = loop.create_future()
    component = Component(
        transports=[{"type": "websocket", "url": url, "serializers": ["json"]}], realm="realm1"
    )
    component.on("join", lambda session, details: joined.done() or joined.set_result(session))
    done = asyncio.ensure_future(component.start(loop=loop))
    session = await asyncio.wait_for(joined, 30)
    yield session
    await component.stop()
    await asyncio.wait({done}, timeout=5)


async def test_cli_calls_a_task(url: str) -> None:
    wampgate = os.path.join(os.path.dirname(sys.executable), "wampgate")
    cli = await asyncio.create_subprocess_exec(
        *[wampgate, "call", "--url", url, "celery.add", "2", "3"],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(cli.communicate(), 60)
    assert cli.returncode == 0, err.decode()
    assert out.decode().strip() == "5"


async def test_tasks_results_and_argument_checks(session: Session) -> None:
    assert await session.call("celery.mul", 6, 7) == 42
    assert await session.call("celery.xsum", [1, 2, 3.5]) == 6.5
    with pytest.raises(InvalidArgument, match="'a'"):
        await session.call("celery.add", "two", 3)


async def test_a_failing_task_gives_its_type_and_message(session: Session) -> None:
    with pytest.raises(CallError) as caught:
        await session.call("celery.broken")
    assert caught.value.uri == "celery.error.ValueError"
    assert "broken on purpose" in str(caught.value)


async def test_progress_streams_to_the_caller(wamp: Any) -> None:
    updates: list[dict[str, Any]] = []
    result = await wamp.call(
        "celery.countdown", 3, 0.2, options=CallOptions(on_progress=updates.append)
    )
    assert result == 3
    progress = [u["meta"]["done"] for u in updates if u["state"] == "PROGRESS"]
    assert progress == [0, 1, 2]
    assert len({u["task_id"] for u in updates}) == 1


async def test_cancelling_the_call_revokes_the_task(
    wamp: Any, celery_env: dict[str, str], celery_bridge: Process
) -> None:
    first: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

    def on_progress(update: dict[str, Any]) -> None:
        if update["state"] == "PROGRESS" and not first.done():
            first.set_result(update)

    call = wamp.call("celery.countdown", 1000, 0.1, options=CallOptions(on_progress=on_progress))
    update = await asyncio.wait_for(first, 60)
    call.cancel()
    with pytest.raises((asyncio.CancelledError, ApplicationError)):
        await call
    state = await asyncio.to_thread(_revoked_state, update["task_id"], celery_env)
    assert state == "REVOKED"
    # Answered with wamp.error.canceled: no traceback of a CancelledError in the bridge's log.
    await asyncio.to_thread(celery_bridge.wait_for, "wamp.error.canceled: task .* revoked", 30)
    assert celery_bridge.count("Traceback|onUserError") == 0


def _revoked_state(task_id: str, celery_env: dict[str, str]) -> str:
    """Follow the task in the result backend until it is no longer running."""
    import time

    from celery import Celery

    app = Celery(broker=celery_env[env.CELERY_BROKER], backend=celery_env[env.CELERY_BACKEND])
    result = app.AsyncResult(task_id)
    deadline = time.monotonic() + 60
    while result.state in {"PENDING", "STARTED", "PROGRESS"} and time.monotonic() < deadline:
        time.sleep(0.1)
    return str(result.state)


async def test_chain_group_and_chord(session: Session) -> None:
    assert await session.call(uris.CELERY_CHAIN, [["add", 2, 3], ["mul", 10]]) == 50
    assert await session.call(
        uris.CELERY_GROUP, [["add", 1, 2], {"task": "mul", "args": [3, 4]}]
    ) == [3, 12]
    assert await session.call(uris.CELERY_CHORD, [["add", 1, 1], ["add", 2, 2]], ["xsum"]) == 6
    with pytest.raises(CallError) as caught:
        await session.call(uris.CELERY_CHAIN, [["nope", 1]])
    assert caught.value.uri == uris.CELERY_ERROR_UNKNOWN_TASK


async def test_tasks_are_in_the_catalog(session: Session) -> None:
    entry = await session.call(uris.CATALOG_DESCRIBE, "celery.add")
    assert entry["signature"] == "celery.add(a: number, b: number) -> number"
    assert entry["doc"] == "Add two numbers."
    listed = {e["uri"] for e in await session.call(uris.CATALOG_LIST)}
    assert {"celery.countdown", "celery.chain", "celery.group", "celery.chord"} <= listed


async def test_beat_reading_arrives_through_the_rabbitmq_bridge(
    start_bridge: Any, session: Session, rabbitmq: Any
) -> None:
    extra = {env.BRIDGE_NAME: "readings", env.AMQP_URL: rabbitmq.url, env.AMQP_IN: "readings"}
    bridge: Process = await asyncio.to_thread(
        start_bridge, "amqp_bridge", extra, "connected to RabbitMQ"
    )
    async with session.subscribe("amqp.readings") as events:
        event = await events.next(timeout=30)
    assert bridge.running
    assert isinstance(event.kwargs["seq"], int) and isinstance(event.kwargs["value"], float)
