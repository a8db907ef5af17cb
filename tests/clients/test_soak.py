"""wampgate soak: a small bounded run against the real gateway, and its refusals."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from wampgate.router.launcher import Gateway

from tests.clients.test_cli import run
from tests.conftest import TEST_PASSWORD, TEST_USER


async def test_a_small_soak_loses_nothing(gateway: Gateway, tmp_path: Path) -> None:
    os.environ["WAMPGATE_PASSWORD"] = TEST_PASSWORD
    try:
        code, out, err = await run(
            gateway,
            *("soak", "--user", TEST_USER, "--subscribers", "5", "--publishes", "20"),
            *("--rate", "40", "--callers", "2", "--json", str(tmp_path / "soak.json")),
            timeout=120,
        )
    finally:
        del os.environ["WAMPGATE_PASSWORD"]
    assert code == 0, err
    assert re.search(r"^sessions held: +8$", out, re.M), out
    assert re.search(r"^reconnects: +\d+$", out, re.M)
    assert re.search(r"^published: +20$", out, re.M)
    assert "delivered per subscriber: min 20, median 20, max 20" in out
    assert re.search(r"^lost: +0$", out, re.M)
    assert re.search(r"^calls: +\d+, errors 0, p50 [\d.]+ ms, p99 [\d.]+ ms$", out, re.M)
    assert re.search(r"^router RSS: +[\d.]+ MiB before, [\d.]+ at peak, [\d.]+ after", out, re.M)
    figures = json.loads((tmp_path / "soak.json").read_text())
    assert figures["lost"] == 0 and figures["published"] == 20 and figures["sessions_held"] == 8
    assert figures["calls"] > 0 and figures["router_rss_mib"]["before"] > 0


async def test_soak_refuses_other_machines_and_anonymous_publishers(gateway: Gateway) -> None:
    os.environ["WAMPGATE_PASSWORD"] = "not-used"
    try:
        code, _, err = await run(None, "soak", "--url", "ws://192.0.2.1:8080/ws", "--user", "x")
        assert code == 2 and "loopback" in err
        code, _, err = await run(gateway, "soak", "--user", "x", "--subscribers", "9999999")
        assert code == 2 and "subscribers must be between 0 and 5000" in err
    finally:
        del os.environ["WAMPGATE_PASSWORD"]
    code, _, err = await run(gateway, "soak", "--subscribers", "3")
    assert code == 2 and "named user" in err
