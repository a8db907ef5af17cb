"""Fixtures of the bridge tests: one private RabbitMQ per session, bridges as processes.

RabbitMQ starts only when a test here asks for it. Bridges join the session
gateway's backend transport like its own components do.

Servers start in a thread, never on the event loop the tests share: a loop
blocked for longer than the router's ping timeout (15 s) gets the session
fixture's connection dropped under the next test's feet.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from wampgate.contract import env
from wampgate.router import secret as backend_secret
from wampgate.router.launcher import Gateway

from tests.bridges.servers import Process, RabbitMQ, Tansu, component_command
from tests.conftest import ARTIFACTS, ROOT

StartBridge = Callable[..., Process]


@pytest.fixture(scope="session")
async def rabbitmq(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RabbitMQ]:
    server = RabbitMQ(tmp_path_factory.mktemp("rabbitmq"))
    try:
        await asyncio.to_thread(server.start)
        yield server
    finally:
        await asyncio.to_thread(server.stop)


@pytest.fixture(scope="session")
def backend_env(gateway: Gateway) -> dict[str, str]:
    """The environment a component needs to join the session gateway as ``backend``."""
    settings = gateway.settings
    return {
        **os.environ,
        env.BACKEND: f"unix:{settings.socket_path}",
        env.REALM: settings.realm,
        env.BACKEND_SECRET: backend_secret.load_or_create(settings.secret_file),
        "PYTHONUNBUFFERED": "1",
    }


def start_component(
    backend_env: dict[str, str], log_dir: Path, module: str, extra: dict[str, str], ready: str
) -> Process:
    name = extra.get(env.BRIDGE_NAME, module)
    process = Process(
        name,
        component_command(module),
        {**backend_env, **extra},
        log_dir / f"{name}.log",
        cwd=ROOT,
    )
    process.start()
    try:
        process.wait_for(ready, timeout=60)
    except BaseException:
        process.stop()  # never leave a bridge running when it did not get ready
        raise
    return process


@pytest.fixture
async def start_bridge(backend_env: dict[str, str], tmp_path: Path) -> AsyncIterator[StartBridge]:
    """Start a bridge module with extra environment; wait for ``ready`` in its log."""
    started: list[Process] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def start(module: str, extra: dict[str, str], ready: str = r"joined \S+ as backend") -> Process:
        process = start_component(backend_env, tmp_path, module, extra, ready)
        started.append(process)
        return process

    yield start
    for process in started:
        await asyncio.to_thread(process.stop)


@pytest.fixture(scope="session")
def celery_env(rabbitmq: RabbitMQ, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Where the demo Celery app's broker and results are (a SQLite result backend)."""
    results = tmp_path_factory.mktemp("celery") / "results.sqlite"
    return {
        env.CELERY_BROKER: rabbitmq.url,
        env.CELERY_BACKEND: f"db+sqlite:///{results}",
        env.CELERY_READING_INTERVAL: "1",
    }


@pytest.fixture(scope="session")
async def celery_worker(
    celery_env: dict[str, str],
    backend_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Process]:
    """A Celery worker of the demo app (prefork, so revoking can end a running task) with beat."""
    base = tmp_path_factory.mktemp("celery-worker")
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "wampgate.components.celery_demo",
        "worker",
        "-B",
        "-s",
        str(base / "beat-schedule"),
        "--pool",
        "prefork",
        "-c",
        "2",
        "--loglevel",
        "INFO",
        "-n",
        f"wgtest{os.getpid()}@localhost",
        "--without-mingle",
        "--without-gossip",
    ]
    worker = Process(
        "celery-worker", command, {**backend_env, **celery_env}, base / "worker.log", ROOT
    )
    try:
        worker.start()
        await asyncio.to_thread(worker.wait_for, r"\bready\.", timeout=90)
        yield worker
    finally:
        await asyncio.to_thread(worker.stop)


# Module-scoped: its procedures leave the catalog before other tests look at it.
@pytest.fixture(scope="module")
async def celery_bridge(
    celery_worker: Process,
    celery_env: dict[str, str],
    backend_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Process]:
    bridge = await asyncio.to_thread(
        start_component,
        backend_env,
        tmp_path_factory.mktemp("celery-bridge"),
        "celery_bridge",
        celery_env,
        r"serving \d+ Celery task",
    )
    try:
        yield bridge
    finally:
        await asyncio.to_thread(bridge.stop)


@pytest.fixture(scope="session")
async def kafka(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Tansu]:
    broker = Tansu(tmp_path_factory.mktemp("tansu"))
    try:
        await asyncio.to_thread(broker.start)
        yield broker
    finally:
        await asyncio.to_thread(broker.stop)
