"""A WAMP client that is not Autobahn (Wampy, on Node) against the gateway."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from wampgate.router.launcher import Gateway

WEB = Path(__file__).resolve().parent.parent / "web"


async def test_wampy_calls_subscribes_and_is_refused(gateway: Gateway) -> None:
    node = shutil.which("node")
    if node is None or not (WEB / "node_modules" / "wampy").is_dir():
        pytest.fail("node and web/node_modules are needed: run `make setup`")
    proc = await asyncio.create_subprocess_exec(
        node,
        str(WEB / "node" / "interop-check.mjs"),
        gateway.settings.url,
        gateway.settings.realm,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    report = json.loads(out)
    assert report["add"] == 5
    assert report["mul"] == 10
    assert report["xsum"] == 6.5
    assert report["addByName"] == 3
    assert report["broken"]["error"] == "demo.calc.error.broken"
    assert report["invalid"]["error"] == "wamp.error.invalid_argument"
    assert "argument 'a'" in report["invalid"]["args"][0]
    assert report["afterInvalid"] == 42
    ticks = report["ticks"]
    assert ticks == sorted(ticks) and len(set(ticks)) == 3
    assert report["register"]["error"] == "wamp.error.not_authorized"
    assert report["publish"]["error"] == "wamp.error.not_authorized"
