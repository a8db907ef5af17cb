"""One real gateway (Crossbar + components) for the whole test session.

It listens on free ports with its own state directory, so the suite runs
beside a gateway a developer has on 8080. It is ready when Crossbar logged
boot-complete and every component logged its WAMP join.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from wampgate.clients import Session, connect
from wampgate.contract import env
from wampgate.router import accounts, tlscert
from wampgate.router.config import GatewaySettings
from wampgate.router.launcher import Gateway

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
#: A named user of the session gateway (role ``user``: may publish on ``demo.``).
TEST_USER = "tester"
TEST_PASSWORD = "tester-password-for-the-suite"
#: An operator of the gateways that need one (role ``admin``: the meta API).
ADMIN, ADMIN_PASSWORD = "operator", "operator-password-for-the-suite"
GatewayT = TypeVar("GatewayT", bound=Gateway)
#: The HTTP bridge key and secret of the TLS gateway.
HTTP_KEY, HTTP_SECRET = "ci", "bridge-secret-for-the-suite"


@contextlib.contextmanager
def running(gw: GatewayT) -> Iterator[GatewayT]:
    """``gw`` started and ready (Crossbar booted, every component joined), stopped after."""
    try:
        gw.start()
        gw.wait_ready(timeout=90)
        yield gw
    finally:
        gw.stop()


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    settings = GatewaySettings(
        root=ROOT,
        state_dir=tmp_path_factory.mktemp("gw"),
        port=free_port(),
        echo_port=free_port(),
        rawsocket_port=free_port(),
        clock_interval=0.25,
        workers=2,  # two processes of the jobs component: a work queue
        proxies=1,  # /ws through a Crossbar proxy worker too
        proxy_port=free_port(),
    )
    accounts.add(settings.users_file, TEST_USER, password=TEST_PASSWORD)
    with running(Gateway(settings)) as gw:
        yield gw


@pytest.fixture(scope="session")
def tls_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """A second gateway, TLS only (a dev certificate), with the signed HTTP bridge on."""
    state = tmp_path_factory.mktemp("tlsgw")
    tlscert.dev_cert(state / "cert.pem", state / "key.pem")
    settings = GatewaySettings(
        root=ROOT,
        state_dir=state,
        port=free_port(),
        echo_port=free_port(),
        tls_cert=state / "cert.pem",
        tls_key=state / "key.pem",
        http_key=HTTP_KEY,
    )
    os.environ[env.HTTP_SECRET] = HTTP_SECRET
    try:
        with running(Gateway(settings)) as gw:
            yield gw
    finally:
        del os.environ[env.HTTP_SECRET]


@pytest.fixture(scope="session")
def url(gateway: Gateway) -> str:
    return gateway.settings.url


@pytest.fixture(scope="session")
def rawsocket_url(gateway: Gateway) -> str:
    """The session gateway's client RawSocket transport, ``rs://127.0.0.1:PORT``."""
    assert gateway.settings.rawsocket_url is not None
    return gateway.settings.rawsocket_url


@pytest.fixture(scope="session")
async def session(url: str) -> AsyncIterator[Session]:
    async with connect(url) as s:
        yield s
