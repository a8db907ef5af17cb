"""The asyncio client against the real router: errors, serializers, reconnects."""

from __future__ import annotations

import asyncio

import pytest
from wampgate.clients import (
    AuthenticationFailed,
    CallError,
    CallTimeout,
    ConnectError,
    ConnectionLost,
    NoSuchProcedure,
    NotAuthorized,
    Session,
    UsageError,
    connect,
)
from wampgate.contract import uris
from wampgate.router.launcher import Gateway

from tests.clients.conftest import Callee, wait_for
from tests.helpers import CuttableProxy, free_port


@pytest.mark.parametrize("serializer", ["json", "msgpack", "cbor"])
async def test_every_serializer(url: str, serializer: str) -> None:
    async with connect(url, serializer=serializer) as s:
        assert await s.call(uris.CALC_ADD, 2, 3) == 5
        assert await s.call(uris.ECHO, {"k": "ü"}) == {"k": "ü"}


async def test_unknown_procedure(session: Session) -> None:
    with pytest.raises(NoSuchProcedure) as caught:
        await session.call("demo.nothing.here")
    assert caught.value.uri == "wamp.error.no_such_procedure"


async def test_anonymous_may_not_register_or_publish(url: str) -> None:
    async with connect(url) as s:
        with pytest.raises(NotAuthorized):
            await s.publish(uris.CLOCK_TICK, {"seq": -1, "time": "forged"})
        # Register a URI nobody holds (the router answers procedure_already_exists
        # for a taken one, whatever the role).
        raw = s._session
        with pytest.raises(Exception) as caught:
            await raw.register(lambda: None, "demo.unclaimed.procedure")
        assert getattr(caught.value, "error", "") == "wamp.error.not_authorized"
        # The session survives both refusals.
        assert await s.call(uris.CALC_ADD, 1, 1) == 2


async def test_connect_errors_name_the_url() -> None:
    port = free_port()
    bad = f"ws://127.0.0.1:{port}/ws"
    with pytest.raises(ConnectError) as caught:
        async with connect(bad, connect_timeout=5):
            pass
    assert caught.value.url == bad
    assert str(port) in str(caught.value)


async def test_unknown_realm_is_a_connect_error(url: str) -> None:
    with pytest.raises(ConnectError, match="no_such_realm"):
        async with connect(url, realm="no-such-realm", connect_timeout=5):
            pass


async def test_reconnects_and_resubscribes_after_the_connection_is_cut(
    gateway: Gateway,
) -> None:
    proxy = await CuttableProxy(gateway.settings.port).start()
    try:
        async with connect(f"ws://127.0.0.1:{proxy.port}/ws", initial_retry_delay=0.2) as s:
            async with s.subscribe(uris.CLOCK_TICK) as ticks:
                before = await ticks.next(timeout=10)
                assert s.joins == 1
                assert proxy.cut() >= 2
                # Events flow again once the client is back, on a new session.
                deadline = asyncio.get_running_loop().time() + 20
                while s.joins < 2:
                    assert asyncio.get_running_loop().time() < deadline, "no rejoin"
                    await ticks.next(timeout=20)
                after = await ticks.next(timeout=10)
                assert after.value["seq"] > before.value["seq"]
                assert await s.call(uris.CALC_MUL, 3, 4) == 12
            assert proxy.connections >= 2
    finally:
        await proxy.close()


async def test_call_error_carries_args(session: Session) -> None:
    with pytest.raises(CallError) as caught:
        await session.call(uris.CALC_BROKEN)
    assert caught.value.error_args == ("demo.calc.broken always fails, on purpose",)


async def test_any_positive_call_timeout(url: str) -> None:
    for timeout in (0.5, 1, 2.25):
        async with connect(url, call_timeout=timeout) as s:
            assert await s.call(uris.CALC_ADD, 2, 3) == 5


async def test_a_call_without_answer_raises_call_timeout_and_the_session_goes_on(
    url: str, never_answers: Callee
) -> None:
    async with connect(url, call_timeout=0.5) as s:
        started, cancelled = never_answers.started, never_answers.cancelled
        with pytest.raises(CallTimeout) as caught:
            await s.call(never_answers.uri)
        assert caught.value.uri == never_answers.uri and caught.value.seconds == 0.5
        assert never_answers.started == started + 1
        # The router passed the cancel on: the callee stopped working on it.
        await wait_for(never_answers, "cancelled", cancelled + 1)
        assert await s.call(uris.CALC_ADD, 1, 2) == 3
        assert s.joins == 1


async def test_a_wrong_password_is_an_authentication_failure(url: str) -> None:
    from tests.conftest import TEST_USER

    with pytest.raises(AuthenticationFailed, match="wrong user name or password") as caught:
        async with connect(url, authid=TEST_USER, password="wrong-password", connect_timeout=5):
            pass
    assert caught.value.authid == TEST_USER and caught.value.url == url


async def test_a_value_that_cannot_be_serialized_is_a_usage_error(session: Session) -> None:
    with pytest.raises(UsageError, match="cannot be sent"):
        await session.call(uris.ECHO, "\ud800")
    with pytest.raises(UsageError, match="cannot be sent"):
        await session.publish("demo.x", "\ud800")
    assert await session.call(uris.ECHO, "fine") == "fine"


async def test_a_call_in_flight_when_the_connection_is_cut_fails_at_once(
    gateway: Gateway, never_answers: Callee
) -> None:
    # Autobahn's component sessions leave such a call unanswered: it would
    # wait out its whole deadline (seen when the router dropped a client
    # whose process had been too busy to answer its pings).
    proxy = await CuttableProxy(gateway.settings.port).start()
    try:
        async with connect(f"ws://127.0.0.1:{proxy.port}/ws", call_timeout=300) as s:
            started = never_answers.started
            call = asyncio.ensure_future(s.call(never_answers.uri))
            await wait_for(never_answers, "started", started + 1)
            proxy.cut()
            with pytest.raises(ConnectionLost, match="may have run"):
                await asyncio.wait_for(call, 60)
    finally:
        await proxy.close()
