"""Gateways with a journal of their own (SQLite, PostgreSQL) that a test may restart.

They start and stop in a thread: the event loop goes on answering the session
gateway's pings meanwhile, so the suite's shared sessions keep their connections.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from wampgate.contract import defaults
from wampgate.router import accounts
from wampgate.router.config import GatewaySettings
from wampgate.router.journal.rules import TopicRule
from wampgate.router.launcher import Gateway

from tests.conftest import ADMIN, ADMIN_PASSWORD, ROOT, TEST_PASSWORD, TEST_USER
from tests.helpers import free_port
from tests.journal.postgres import PostgresCluster

#: Retention rules first: the first matching rule applies.
RULES = (
    TopicRule("demo.kept.", "prefix", max_count=5),
    TopicRule("demo.aged.", "prefix", max_age=1.0),
    TopicRule("demo.", "prefix"),
)


class Restartable:
    """One gateway on fixed settings; :meth:`restart` stops it and starts a new node."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.gateway = Gateway(settings)

    @property
    def url(self) -> str:
        return self.settings.url

    def start(self) -> Restartable:
        self.gateway.start()
        self.gateway.wait_ready(timeout=90)
        return self

    def stop(self) -> int | None:
        return self.gateway.stop()

    def restart(self) -> None:
        self.stop()
        self.gateway = Gateway(self.settings)
        self.start()


def journal_settings(state_dir: Path, journal: str | None = None) -> GatewaySettings:
    settings = GatewaySettings(
        root=ROOT,
        state_dir=state_dir,
        port=free_port(),
        echo_port=free_port(),
        journal=journal,
        journal_topics=RULES,
        journal_prune_interval=0.2,
    )
    accounts.add(settings.users_file, TEST_USER, password=TEST_PASSWORD)
    accounts.add(settings.users_file, ADMIN, password=ADMIN_PASSWORD, role=defaults.ADMIN_ROLE)
    return settings


@pytest.fixture(scope="session")
async def postgres() -> AsyncIterator[PostgresCluster]:
    cluster = PostgresCluster()
    try:
        yield await asyncio.to_thread(cluster.start)
    finally:
        await asyncio.to_thread(cluster.stop)


@pytest.fixture(scope="module")
async def sqlite_gateway(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Restartable]:
    gw = Restartable(journal_settings(tmp_path_factory.mktemp("journal-sqlite")))
    try:
        yield await asyncio.to_thread(gw.start)
    finally:
        await asyncio.to_thread(gw.stop)


@pytest.fixture(scope="module")
async def postgres_gateway(
    tmp_path_factory: pytest.TempPathFactory, postgres: PostgresCluster
) -> AsyncIterator[Restartable]:
    gw = Restartable(journal_settings(tmp_path_factory.mktemp("journal-pg"), postgres.url))
    try:
        yield await asyncio.to_thread(gw.start)
    finally:
        await asyncio.to_thread(gw.stop)
