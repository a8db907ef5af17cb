"""Clients over the gateway's RawSocket transport: every serializer, the anonymous role, sign-in."""

from __future__ import annotations

import pytest
from wampgate.clients import ClientSettings, NotAuthorized, Session, connect
from wampgate.contract import uris

from tests.conftest import TEST_PASSWORD, TEST_USER


@pytest.mark.parametrize("serializer", ["msgpack", "cbor", "json"])
async def test_calls_and_events_over_rawsocket(rawsocket_url: str, serializer: str) -> None:
    async with connect(rawsocket_url, serializer=serializer) as s:
        assert await s.call(uris.CALC_ADD, 2, 3) == 5
        assert await s.call(uris.ECHO, {"k": "ü", "b": [1.5, None]}) == {"k": "ü", "b": [1.5, None]}
        async with s.subscribe(uris.CLOCK_TICK) as events:
            event = await anext(aiter(events))
        assert isinstance(event.value["seq"], int)


async def test_anonymous_rawsocket_clients_may_not_register_or_publish(rawsocket_url: str) -> None:
    async with connect(rawsocket_url, serializer="msgpack") as s:
        with pytest.raises(NotAuthorized):
            await s.publish(uris.CLOCK_TICK, {"seq": -1, "time": "forged"})
        with pytest.raises(Exception) as caught:
            await s._session.register(lambda: None, "demo.rawsocket.nobody.holds.this")
        assert getattr(caught.value, "error", "") == "wamp.error.not_authorized"
        assert await s.call(uris.CALC_ADD, 1, 1) == 2


async def test_named_users_sign_in_over_rawsocket(rawsocket_url: str) -> None:
    settings = ClientSettings(
        url=rawsocket_url, serializer="msgpack", authid=TEST_USER, password=TEST_PASSWORD
    )
    async with Session(settings) as s:
        assert await s.publish("demo.rawsocket.signed", 1) > 0
