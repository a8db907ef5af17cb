"""``wampgate bridge list`` and ``wampgate status`` show the joined bridges."""

from __future__ import annotations

import asyncio
import json
import os
import sys

from wampgate.clients import output
from wampgate.clients.bridgecli import bridge_names
from wampgate.contract import env
from wampgate.router import accounts, userstore
from wampgate.router.launcher import Gateway

from tests.bridges.conftest import StartBridge
from tests.helpers import free_port

WAMPGATE = os.path.join(os.path.dirname(sys.executable), "wampgate")
ADMIN, ADMIN_PASSWORD = "bridge-ops", "bridge-ops-password-for-the-suite"


async def wampgate(url: str, *args: str, password: str = "") -> tuple[int, str, str]:
    environ = {**os.environ, "WAMPGATE_PASSWORD": password} if password else None
    proc = await asyncio.create_subprocess_exec(
        WAMPGATE,
        *args,
        "--url",
        url,
        env=environ,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode(), err.decode()


def test_bridge_names_and_lines() -> None:
    assert bridge_names(["wampgate.bridge.state.b", "demo.x", "wampgate.bridge.state.a"]) == [
        "a",
        "b",
    ]
    state = {
        "name": "robots",
        "kind": "amqp",
        "broker": "reconnecting",
        "error": "refused",
        "counts": {"to_wamp": 3, "from_wamp": 1, "dropped": 0},
        "rates": {"to_wamp": 1.5, "from_wamp": 0},
        "reconnects": 2,
        "mappings": ["amqp robots -> wamp amqp.robots"],
    }
    lines = output.format_bridges([state])
    assert lines[0] == "bridges (1):"
    assert "robots" in lines[1] and "reconnecting (refused)" in lines[1]
    assert "to WAMP 3 (1.5/s)" in lines[2] and "reconnects 2" in lines[2]
    assert lines[3].strip() == "amqp robots -> wamp amqp.robots"
    assert output.format_bridges([]) == ["bridges (0):"]


async def test_bridge_list_and_status_show_a_joined_bridge(
    start_bridge: StartBridge, url: str, gateway: Gateway
) -> None:
    endpoint = f"tcp://127.0.0.1:{free_port()}"
    extra = {env.BRIDGE_NAME: "clizmq", env.ZMQ_SUB: f"{endpoint}|lab.=demo.clizmq"}
    await asyncio.to_thread(start_bridge, "zmq_bridge", extra, r"ZeroMQ sockets ready")

    code, out, err = await wampgate(url, "bridge", "list", "--json")
    assert code == 0, err
    states = {s["name"]: s for s in json.loads(out)}
    assert states["clizmq"]["kind"] == "zmq"
    assert any(endpoint in m for m in states["clizmq"]["mappings"])

    code, out, err = await wampgate(url, "bridge", "list")
    assert code == 0, err
    assert any(line.split()[:2] == ["clizmq", "zmq"] for line in out.splitlines())

    # status reads the meta API: an admin's
    if ADMIN not in userstore.load(gateway.settings.users_file).users:
        accounts.add(gateway.settings.users_file, ADMIN, password=ADMIN_PASSWORD, role="admin")
    admin = ("--user", ADMIN)
    code, out, err = await wampgate(url, "status", "--json", *admin, password=ADMIN_PASSWORD)
    assert code == 0, err
    assert "clizmq" in {b["name"] for b in json.loads(out)["bridges"]}
    code, out, err = await wampgate(url, "status", *admin, password=ADMIN_PASSWORD)
    assert code == 0, err
    assert "bridges (" in out and "clizmq" in out


async def test_bridge_without_an_action_is_a_usage_error(url: str) -> None:
    code, _, err = await wampgate(url, "bridge")
    assert code == 2
    assert "Traceback" not in err
