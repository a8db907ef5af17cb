"""Named users on a running gateway: live changes, identical refusals, least privilege."""

from __future__ import annotations

import json

import nacl.encoding
import nacl.signing
import pytest
from wampgate.clients import ConnectError, NotAuthorized, connect
from wampgate.contract import uris
from wampgate.router import accounts
from wampgate.router.launcher import Gateway

from tests.conftest import TEST_PASSWORD, TEST_USER


async def _refusal(url: str, **auth: str) -> str:
    with pytest.raises(ConnectError) as caught:
        async with connect(url, connect_timeout=5, **auth):  # type: ignore[arg-type]
            pass
    return str(caught.value)


async def test_named_user_may_publish_on_demo_but_not_forge_ticks(url: str) -> None:
    async with (
        connect(url) as listener,
        connect(url, authid=TEST_USER, password=TEST_PASSWORD) as user,
        listener.subscribe("demo.chat.", match="prefix") as chat,
    ):
        await user.publish("demo.chat.lobby", {"text": "hi"}, sender=TEST_USER)
        event = await chat.next(timeout=10)
        assert event.topic == "demo.chat.lobby"
        assert event.args == ({"text": "hi"},) and event.kwargs == {"sender": TEST_USER}
        with pytest.raises(NotAuthorized):
            await user.publish(uris.CLOCK_TICK, {"seq": -1, "time": "forged"})
        assert await user.call(uris.CALC_ADD, 1, 2) == 3


async def test_unknown_user_and_wrong_password_are_refused_alike(url: str) -> None:
    wrong = await _refusal(url, authid=TEST_USER, password="not-the-password")
    unknown = await _refusal(url, authid="nobody-here", password="not-the-password")
    assert "not_authorized" in wrong or "authentication" in wrong
    assert wrong.replace(TEST_USER, "X") == unknown.replace("nobody-here", "X")


async def test_user_added_passwd_and_removed_while_running(gateway: Gateway, url: str) -> None:
    users_file = gateway.settings.users_file
    accounts.add(users_file, "carol", password="carol-first-pw")
    assert "carol-first-pw" not in users_file.read_text()
    assert "carol-first-pw" not in (gateway.settings.node_dir / "config.json").read_text()
    async with connect(url, authid="carol", password="carol-first-pw") as carol:
        assert await carol.call(uris.CALC_ADD, 2, 3) == 5
    accounts.passwd(users_file, "carol", "carol-second-pw")
    await _refusal(url, authid="carol", password="carol-first-pw")
    async with connect(url, authid="carol", password="carol-second-pw"):
        pass
    accounts.remove(users_file, "carol")
    await _refusal(url, authid="carol", password="carol-second-pw")


async def test_service_key_signs_in_with_cryptosign(gateway: Gateway, url: str) -> None:
    key = nacl.signing.SigningKey.generate()
    private = key.encode(nacl.encoding.HexEncoder).decode()
    public = key.verify_key.encode(nacl.encoding.HexEncoder).decode()
    accounts.add(gateway.settings.users_file, "svc-ci", pubkey=public)
    async with connect(url, authid="svc-ci", privkey=private) as svc:
        assert await svc.call(uris.CALC_MUL, 6, 7) == 42
    stranger = nacl.signing.SigningKey.generate().encode(nacl.encoding.HexEncoder).decode()
    await _refusal(url, authid="svc-ci", privkey=stranger)
    accounts.remove(gateway.settings.users_file, "svc-ci")
    await _refusal(url, authid="svc-ci", privkey=private)


def test_rendered_config_names_the_store_but_holds_no_secret(gateway: Gateway) -> None:
    text = (gateway.settings.node_dir / "config.json").read_text()
    assert TEST_PASSWORD not in text
    store = json.loads(gateway.settings.users_file.read_text())
    assert store["users"][TEST_USER]["wampcra"]["key"] not in text
    assert TEST_PASSWORD not in gateway.log_file.read_text()


def test_gateway_reads_the_users_file(gateway: Gateway) -> None:
    assert gateway.users == [TEST_USER]
