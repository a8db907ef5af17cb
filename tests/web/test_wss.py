"""The browser library and the Node example over wss, against the TLS-only gateway.

Node trusts the gateway's self-signed certificate through
``NODE_EXTRA_CA_CERTS``; Chromium through Playwright's per-context
``ignore_https_errors`` (this test's browser context only, no flag on the
shared browser, nothing imported into a certificate store).
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

from playwright.async_api import Browser, expect
from wampgate.router.launcher import Gateway

from tests.web.conftest import DESKTOP, Console

ROOT = Path(__file__).resolve().parents[2]


async def test_node_example_over_wss(tls_gateway: Gateway) -> None:
    url = tls_gateway.settings.url
    assert url.startswith("wss://")
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(tls_gateway.settings.tls_cert)}
    proc = await asyncio.create_subprocess_exec(
        "node", str(ROOT / "web/node/example.mjs"), url, "1",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert lines[0] == "demo.calc.add(2, 3) = 5"
    assert re.match(r"tick \d+ at ", lines[1])


async def test_node_example_refuses_an_untrusted_certificate(tls_gateway: Gateway) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NODE_EXTRA_CA_CERTS"}
    proc = await asyncio.create_subprocess_exec(
        "node", str(ROOT / "web/node/example.mjs"), tls_gateway.settings.url, "1",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 3
    assert err.decode().startswith(f"cannot connect to {tls_gateway.settings.url}")


async def test_console_page_calls_over_wss(browser: Browser, tls_gateway: Gateway) -> None:
    context = await browser.new_context(viewport=DESKTOP, ignore_https_errors=True)
    page = await context.new_page()
    console = Console()
    page.on("console", lambda m: console.errors.append(m.text) if m.type == "error" else None)
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    try:
        await page.goto(f"https://127.0.0.1:{tls_gateway.settings.port}/")
        await expect(page.locator("#conn")).to_have_text("live")
        await page.click('#procs button[data-uri="demo.calc.add"]')
        await page.fill("#f-a", "2")
        await page.fill("#f-b", "3")
        await page.click("#call-button")
        await expect(page.locator("#result-value")).to_have_text("5")
        assert sockets and all(u.startswith("wss://") for u in sockets)
        assert console.errors == []
    finally:
        await context.close()
