"""``wampgate up --rlink-port P``: a second router worker joined to the first by an rlink."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from wampgate.clients import CallError, connect
from wampgate.contract import uris
from wampgate.router import render, rlinks
from wampgate.router.config import GatewaySettings
from wampgate.router.launcher import Gateway

from tests.conftest import ROOT, running
from tests.helpers import free_port


def test_the_second_router_links_to_the_first(tmp_path: Path) -> None:
    settings = GatewaySettings(root=ROOT, state_dir=tmp_path, rlink_port=8095)
    key = rlinks.node_key(settings.node_dir)
    assert rlinks.node_key(settings.node_dir) == key  # made once, then read
    config = render.render(render.load_template(ROOT), settings, key)
    first, second = (w for w in config["workers"] if w["type"] == "router")
    assert second["id"] == "router2"
    (web,) = second["transports"]
    assert web["endpoint"]["port"] == 8095 and set(web["paths"]) == {"ws"}
    (link,) = second["realms"][0]["rlinks"]
    (door,) = [t for t in first["transports"] if t.get("id") == rlinks.TRANSPORT_ID]
    assert link["transport"]["endpoint"] == door["endpoint"]
    principal = door["auth"]["cryptosign"]["principals"]["router2"]
    assert principal["authorized_keys"] == [key] and principal["role"] == rlinks.ROLE
    static = [r for r in first["realms"][0]["roles"] if "permissions" in r]
    assert all(p["disclose"]["publisher"] for r in static for p in r["permissions"])
    assert settings.rlink_url == "ws://127.0.0.1:8095/ws"


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    settings = GatewaySettings(
        root=ROOT,
        state_dir=tmp_path_factory.mktemp("rlinked"),
        port=free_port(),
        echo_port=free_port(),
        rlink_port=free_port(),
        clock_interval=0.25,
    )
    with running(Gateway(settings)) as gw:
        yield gw


async def test_calls_and_events_cross_the_link(linked: Gateway) -> None:
    url = linked.settings.rlink_url
    assert url is not None
    # The components joined the first router; this client is on the second.
    async with connect(url, call_timeout=20) as session:
        assert await session.call(uris.CALC_ADD, 2, 3) == 5
        with pytest.raises(CallError) as caught:
            await session.call(uris.CALC_BROKEN)
        assert caught.value.uri == uris.CALC_ERROR_BROKEN
        async with session.subscribe(uris.CLOCK_TICK) as ticks:
            events = [await ticks.next(timeout=20) for _ in range(2)]
        assert events[1].value["seq"] == events[0].value["seq"] + 1


async def test_calls_on_the_first_router_stay_there(linked: Gateway) -> None:
    # Crossbar would also register the second router's copies back on the first: a
    # call there could then go round the link and fail. Every call must be served.
    async with connect(linked.settings.url) as session:
        results = [await session.call(uris.CALC_ADD, n, 1) for n in range(20)]
    assert results == [n + 1 for n in range(20)]


async def test_recovering_on_the_second_router_says_it_cannot(
    linked: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    # Only the first router numbers journaled events: on the second, they arrive
    # without a seq, and a subscription that was asked to recover must say so.
    url = linked.settings.rlink_url
    assert url is not None
    async with connect(url) as session, session.subscribe(uris.CLOCK_TICK, recover=True) as ticks:
        events = [await ticks.next(timeout=20) for _ in range(2)]
    assert [e.seq for e in events] == [None, None]
    warnings = [r.getMessage() for r in caplog.records if "cannot recover" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"{uris.CLOCK_TICK}: events arrive without a journal seq")
