"""A gateway on an IPv6 loopback address serves pages, WAMP, RawSocket and echo."""

from __future__ import annotations

import asyncio
import io
import urllib.request
from pathlib import Path

import websockets
from wampgate.clients import cli, connect
from wampgate.contract import uris
from wampgate.contract.addresses import hostport, url_host
from wampgate.router import render
from wampgate.router.config import GatewaySettings
from wampgate.router.launcher import Gateway

from tests.conftest import ROOT, running
from tests.helpers import free_port


def test_urls_bracket_an_ipv6_host_and_only_that() -> None:
    assert url_host("::1") == "[::1]"
    assert url_host("[::1]") == "[::1]"
    assert url_host("127.0.0.1") == "127.0.0.1"
    assert hostport("::ffff:127.0.0.1", 80) == "[::ffff:127.0.0.1]:80"


def test_ipv6_endpoints_are_rendered_as_tcp_version_6(tmp_path: Path) -> None:
    settings = GatewaySettings(root=ROOT, state_dir=tmp_path, host="::1", rawsocket_port=8181)
    assert settings.url == f"ws://[::1]:{settings.port}/ws"
    assert settings.rawsocket_url == "rs://[::1]:8181"
    config = render.render(render.load_template(ROOT), settings)
    endpoints = [t["endpoint"] for t in config["workers"][0]["transports"]]
    tcp = [e for e in endpoints if e["type"] == "tcp"]
    assert len(tcp) == 2 and all(e["version"] == 6 and e["interface"] == "::1" for e in tcp)
    web = next(t for t in config["workers"][0]["transports"] if t["type"] == "web")
    echo = web["paths"]["echo"]["backend"]
    assert echo["url"] == f"ws://[::1]:{settings.echo_port}/"
    assert echo["endpoint"]["version"] == 6
    v4 = render.render(render.load_template(ROOT), GatewaySettings(root=ROOT, state_dir=tmp_path))
    v4_web = next(t for t in v4["workers"][0]["transports"] if t["type"] == "web")
    assert "version" not in v4_web["endpoint"]


def test_an_ipv4_mapped_host_is_served_as_its_ipv4_address(tmp_path: Path) -> None:
    settings = GatewaySettings(root=ROOT, state_dir=tmp_path, host="::ffff:127.0.0.1", port=8090)
    assert settings.host == "127.0.0.1"
    assert settings.url == "ws://127.0.0.1:8090/ws"


def _page(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return str(answer.read().decode())


async def test_a_gateway_on_the_ipv6_loopback_serves_everything(tmp_path: Path) -> None:
    host = "::1"
    settings = GatewaySettings(
        root=ROOT,
        state_dir=tmp_path,
        host=host,
        port=free_port(),
        echo_port=free_port(),
        rawsocket_port=free_port(),
    )
    with running(Gateway(settings)):
        where = hostport(host, settings.port)
        assert "<html" in (await asyncio.to_thread(_page, f"http://{where}/")).lower()
        async with connect(settings.url) as session:
            assert await session.call(uris.CALC_ADD, 2, 3) == 5
        assert settings.rawsocket_url is not None
        async with connect(settings.rawsocket_url) as session:
            assert await session.call(uris.CALC_ADD, 4, 5) == 9
        async with websockets.connect(f"ws://{where}/echo") as ws:
            await ws.send("over ipv6")
            assert await ws.recv() == "over ipv6"
        out = io.StringIO()
        argv = ["call", uris.CALC_ADD, "1", "1", "--url", settings.url]
        assert await asyncio.to_thread(cli.main, argv, out) == 0
        assert out.getvalue().strip() == "2"
