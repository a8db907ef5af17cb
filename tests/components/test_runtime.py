"""The WAMP layer under every component: settings, joining, stopping."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest
from wampgate.components import echo, runtime
from wampgate.components.errors import ComponentError, SettingsError
from wampgate.contract import defaults, env
from wampgate.router.launcher import Gateway

# A component of its own, so the demo procedures are not touched.
COMPONENT = """
from wampgate.components import runtime
from wampgate.components.framework import Api

api = Api("stoptest")

@api.procedure("demo.stoptest.ping")
def ping() -> str:
    "Answer pong."
    return "pong"

runtime.main(api)
"""


def test_settings_come_from_the_contract_names() -> None:
    settings = runtime.BackendSettings.from_env({env.BACKEND_SECRET: "s"})
    assert settings.transport == defaults.BACKEND
    assert (settings.realm, settings.authid) == (defaults.REALM, defaults.BACKEND_AUTHID)
    with pytest.raises(SettingsError, match=env.BACKEND_SECRET):
        runtime.BackendSettings.from_env({})
    with pytest.raises(SettingsError, match="tcp:HOST:PORT"):
        runtime.BackendSettings.from_env({env.BACKEND_SECRET: "s", env.BACKEND: "tcp:nope"})


def test_echo_address_from_env() -> None:
    assert echo.address_from_env({}) == (defaults.HOST, defaults.ECHO_PORT)
    assert echo.address_from_env({env.ECHO_HOST: "127.0.0.2", env.ECHO_PORT: "9100"}) == (
        "127.0.0.2",
        9100,
    )
    for bad in ("http", "0", "70000", "-1"):
        with pytest.raises(SettingsError, match=env.ECHO_PORT):
            echo.address_from_env({env.ECHO_PORT: bad})


async def test_echo_port_in_use_is_a_settings_error(gateway: Gateway) -> None:
    with pytest.raises(ComponentError, match=r"cannot listen on 127\.0\.0\.1"):
        async with echo.echo_server("127.0.0.1", gateway.settings.echo_port):
            pass


async def run_component(gateway: Gateway, extra: dict[str, str]) -> asyncio.subprocess.Process:
    environ = dict(os.environ)
    environ.update(
        {
            env.BACKEND: f"unix:{gateway.settings.socket_path}",
            env.REALM: gateway.settings.realm,
            env.BACKEND_SECRET: gateway.settings.secret_file.read_text().strip(),
            **extra,
        }
    )
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        COMPONENT,
        env=environ,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )


async def test_clean_stop_is_not_a_warning(gateway: Gateway) -> None:
    proc = await run_component(gateway, {})
    assert proc.stderr is not None
    try:
        seen = []
        while not any("stoptest joined" in line for line in seen):
            line = await asyncio.wait_for(proc.stderr.readline(), 30)
            assert line, f"the component ended before joining: {seen}"
            seen.append(line.decode())
        proc.send_signal(signal.SIGTERM)
        rest = (await asyncio.wait_for(proc.stderr.read(), 30)).decode()
        code = await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
    assert code == 0, rest
    assert "left the router" in rest  # said, but as routine
    assert "WARNING" not in rest and "reconnecting" not in rest, rest


async def test_bad_settings_exit_with_one_line(gateway: Gateway) -> None:
    proc = await run_component(gateway, {env.BACKEND: "tcp:nope"})
    assert proc.stderr is not None
    err = (await asyncio.wait_for(proc.stderr.read(), 30)).decode()
    assert await proc.wait() == 1
    assert err.strip().splitlines() == [
        "stoptest: backend transport 'tcp:nope': expected tcp:HOST:PORT"
    ]
