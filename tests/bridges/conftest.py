"""Fixtures of the bridge tests: one private RabbitMQ per session, bridges as processes.

RabbitMQ starts only when a test here asks for it. Bridges join the session
gateway's backend transport like its own components do.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from wampgate.contract import env
from wampgate.router import secret as backend_secret
from wampgate.router.launcher import Gateway

from tests.bridges.servers import Process, RabbitMQ, Tansu, component_command
from tests.conftest import ARTIFACTS, ROOT

StartBridge = Callable[..., Process]


@pytest.fixture(scope="session")
def rabbitmq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitMQ]:
    server = RabbitMQ(tmp_path_factory.mktemp("rabbitmq"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


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
def start_bridge(backend_env: dict[str, str], tmp_path: Path) -> Iterator[StartBridge]:
    """Start a bridge module with extra environment; wait for ``ready`` in its log."""
    started: list[Process] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def start(module: str, extra: dict[str, str], ready: str = r"joined \S+ as backend") -> Process:
        process = start_component(backend_env, tmp_path, module, extra, ready)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


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
def celery_worker(
    celery_env: dict[str, str],
    backend_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Process]:
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
        worker.wait_for(r"\bready\.", timeout=90)
        yield worker
    finally:
        worker.stop()


# Module-scoped: its procedures leave the catalog before other tests look at it.
@pytest.fixture(scope="module")
def celery_bridge(
    celery_worker: Process,
    celery_env: dict[str, str],
    backend_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Process]:
    bridge = start_component(
        backend_env,
        tmp_path_factory.mktemp("celery-bridge"),
        "celery_bridge",
        celery_env,
        r"serving \d+ Celery task",
    )
    try:
        yield bridge
    finally:
        bridge.stop()


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tansu]:
    broker = Tansu(tmp_path_factory.mktemp("tansu"))
    try:
        broker.start()
        yield broker
    finally:
        broker.stop()
