"""``wampgate up --proxies N``: /ws through Crossbar proxy workers, forwarded to the router."""

from __future__ import annotations

from pathlib import Path

import pytest
from wampgate.clients import CallError, connect
from wampgate.contract import defaults, uris
from wampgate.router import proxies, render
from wampgate.router.config import ConfigError, GatewaySettings
from wampgate.router.launcher import Gateway

from tests.conftest import TEST_PASSWORD, TEST_USER

ROOT = Path(__file__).resolve().parents[2]


def test_proxies_copy_the_routers_ws_and_share_one_port(tmp_path: Path) -> None:
    settings = GatewaySettings(root=ROOT, state_dir=tmp_path, proxies=2, proxy_port=8090)
    config = render.render(render.load_template(ROOT), settings)
    router = config["workers"][0]
    web = next(t for t in router["transports"] if t["type"] == "web")
    workers = [w for w in config["workers"] if w["type"] == "proxy"]
    assert [w["id"] for w in workers] == ["proxy1", "proxy2"]
    for worker in workers:
        (transport,) = worker["transports"]
        assert transport["endpoint"] == web["endpoint"] | {"port": 8090, "shared": True}
        assert transport["paths"] == {"ws": web["paths"]["ws"]}
        assert set(worker["routes"][settings.realm]) >= {defaults.ANONYMOUS_ROLE}
    (link,) = [t for t in router["transports"] if t.get("id") == proxies.TRANSPORT_ID]
    assert link["endpoint"] == {"type": "unix", "path": str(settings.proxy_socket)}
    assert settings.proxy_url == "ws://127.0.0.1:8090/ws"
    without = render.render(
        render.load_template(ROOT), GatewaySettings(root=ROOT, state_dir=tmp_path)
    )
    assert not [w for w in without["workers"] if w["type"] == "proxy"]
    with pytest.raises(ConfigError, match="the web port and the proxy port are both"):
        GatewaySettings(root=ROOT, state_dir=tmp_path, proxies=1, proxy_port=defaults.PORT)


async def test_a_client_through_the_proxy_calls_and_subscribes(gateway: Gateway) -> None:
    url = gateway.settings.proxy_url
    assert url is not None
    async with connect(url) as session:
        assert await session.call(uris.CALC_ADD, 2, 3) == 5
        with pytest.raises(CallError) as caught:
            await session.call(uris.CALC_ADD, "x", 1)
        assert caught.value.uri == uris.ERROR_INVALID_ARGUMENT
        async with session.subscribe(uris.CLOCK_TICK) as ticks:
            events = [await ticks.next(timeout=10) for _ in range(2)]
        assert events[1].value["seq"] == events[0].value["seq"] + 1


async def test_a_named_user_signs_in_through_the_proxy(gateway: Gateway) -> None:
    url = gateway.settings.proxy_url
    assert url is not None
    async with connect(url, authid=TEST_USER, password=TEST_PASSWORD) as session:
        assert await session.call(uris.CALC_MUL, 6, 7) == 42
        assert await session.publish("demo.proxied", 1) > 0
