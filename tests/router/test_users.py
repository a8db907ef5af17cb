"""Named users: the users file, and what a logged-in user may do on the router."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from wampgate.clients import ConnectError, NotAuthorized, connect
from wampgate.contract import uris
from wampgate.router import render, users
from wampgate.router.config import GatewaySettings
from wampgate.router.launcher import Gateway

from tests.conftest import TEST_TICKET, TEST_USER

ROOT = Path(__file__).resolve().parents[2]


def test_add_list_remove(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    assert users.load(path) == {}
    ticket = users.add(path, "alice")
    assert len(ticket) >= 24
    assert users.load(path) == {"alice": ticket}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = users.add(path, "alice")  # a new ticket replaces the old one
    assert again != ticket and users.load(path) == {"alice": again}
    users.remove(path, "alice")
    assert users.load(path) == {}
    with pytest.raises(users.UsersError, match="no user 'bob'"):
        users.remove(path, "bob")


@pytest.mark.parametrize("name", ["", "Alice", "1abc", "a b", "backend", "x" * 64])
def test_bad_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(users.UsersError):
        users.add(tmp_path / "users.json", name)


def test_broken_file_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text('{"alice": }')
    with pytest.raises(users.UsersError, match="not valid JSON"):
        users.load(path)
    path.write_text('["alice"]')
    with pytest.raises(users.UsersError, match="expected"):
        users.load(path)


def test_render_adds_ticket_principals(tmp_path: Path) -> None:
    settings = GatewaySettings(root=ROOT, state_dir=tmp_path)
    template = render.load_template(ROOT)
    plain = render.render(template, settings)
    assert "ticket" not in plain["workers"][0]["transports"][0]["paths"]["ws"]["auth"]
    with_users = render.render(template, settings, {"alice": "t1"})
    ticket = with_users["workers"][0]["transports"][0]["paths"]["ws"]["auth"]["ticket"]
    assert ticket == {"type": "static", "principals": {"alice": {"ticket": "t1", "role": "user"}}}
    path = render.write(with_users, settings.node_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_named_user_may_publish_on_demo_but_not_forge_ticks(url: str) -> None:
    async with (
        connect(url) as listener,
        connect(url, authid=TEST_USER, ticket=TEST_TICKET) as user,
        listener.subscribe("demo.chat.", match="prefix") as chat,
    ):
        await user.publish("demo.chat.lobby", {"text": "hi"}, sender=TEST_USER)
        event = await chat.next(timeout=10)
        assert event.topic == "demo.chat.lobby"
        assert event.args == ({"text": "hi"},) and event.kwargs == {"sender": TEST_USER}
        with pytest.raises(NotAuthorized):
            await user.publish(uris.CLOCK_TICK, {"seq": -1, "time": "forged"})
        assert await user.call(uris.CALC_ADD, 1, 2) == 3


async def test_wrong_ticket_is_refused(url: str) -> None:
    with pytest.raises(ConnectError, match=r"authentication|not_authorized"):
        async with connect(url, authid=TEST_USER, ticket="wrong", connect_timeout=5):
            pass


def test_gateway_reads_the_users_file(gateway: Gateway) -> None:
    assert gateway.users == [TEST_USER]
