"""Log arguments in the router's message path are built only when a line is written."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from wampgate.clients import Session
from wampgate.contract import uris
from wampgate.router import lazylog
from wampgate.router.launcher import Gateway


def test_a_deferred_helper_runs_only_when_its_text_is_asked_for() -> None:
    calls: list[Any] = []

    def helper(value: Any, color: str = "blue") -> str:
        calls.append(value)
        return f"<{value}:{color}>"

    later = lazylog.deferred(helper)(42, color="red")
    assert calls == []
    assert str(later) == repr(later) == f"{later}" == "<42:red>"
    assert f"{later:>10}" == "  <42:red>"
    assert calls == [42, 42, 42, 42]


#: Run where the router runs: a Twisted process (this test process is asyncio's).
IN_A_TWISTED_PROCESS = """
import importlib
from pprint import pformat
import txaio
txaio.use_twisted()
from autobahn.util import hlid, hltype
from wampgate.router import lazylog
assert len(lazylog.install()) > 20
assert lazylog.install() == []  # a second time replaces nothing
dealer = importlib.import_module("crossbar.router.dealer")
router = importlib.import_module("crossbar.router.router")
assert isinstance(dealer.hlid(7), lazylog.Deferred)
assert str(router.hltype(lazylog.install)) == hltype(lazylog.install)
assert str(router.pformat({"allow": True})) == pformat({"allow": True})
assert f"{router.hlid('realm1')}" == hlid("realm1")
protocol = importlib.import_module("autobahn.websocket.protocol")
assert protocol.pformat is pformat  # Timings.__str__ returns it: kept as it is
"""


def test_install_defers_the_helpers_of_the_message_path_and_keeps_their_text() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IN_A_TWISTED_PROCESS], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


async def test_the_router_runs_with_deferred_log_arguments(
    gateway: Gateway, session: Session
) -> None:
    assert await session.call(uris.CALC_ADD, 20, 22) == 42
    text = gateway.log_file.read_text(errors="replace")
    assert "log arguments built only when logged" in text
    assert "lazylog.Deferred object" not in text
