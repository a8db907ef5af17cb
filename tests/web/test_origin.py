"""Page origins in a real Chromium: only the gateway's own pages may open /ws."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator

import pytest
from playwright.async_api import Page
from wampgate.router.launcher import Gateway

from tests.web.conftest import base

#: Opens the gateway's /ws from the current page and says HELLO: resolves with
#: "welcome" when a WAMP session starts, "refused" when the handshake fails.
PROBE = """(url) => new Promise((resolve) => {
  const ws = new WebSocket(url, ['wamp.2.json']);
  ws.onopen = () => ws.send(JSON.stringify([1, 'realm1', {roles: {caller: {}}}]));
  ws.onmessage = (m) => { resolve(JSON.parse(m.data)[0] === 2 ? 'welcome' : m.data); ws.close(); };
  ws.onerror = () => resolve('refused');
})"""


@pytest.fixture(scope="module")
def other_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Another web site on this machine (another port is another origin)."""
    root = tmp_path_factory.mktemp("other-site")
    (root / "index.html").write_text(
        '<!doctype html><title>another site</title><link rel="icon" href="data:,">'
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _ws(gateway: Gateway) -> str:
    return f"ws://{gateway.settings.host}:{gateway.settings.port}/ws"


async def test_the_gateway_s_own_page_may_open_a_session(page: Page, gateway: Gateway) -> None:
    await page.goto(f"{base(gateway)}/")
    assert await page.evaluate(PROBE, _ws(gateway)) == "welcome"


async def test_a_page_of_another_origin_is_refused(
    page: Page, gateway: Gateway, other_site: str
) -> None:
    await page.goto(f"{other_site}/")
    assert await page.title() == "another site"
    assert await page.evaluate(PROBE, _ws(gateway)) == "refused"
    # The same page served from localhost is still another origin (another port).
    await page.goto(other_site.replace("127.0.0.1", "localhost") + "/")
    assert await page.evaluate(PROBE, _ws(gateway)) == "refused"
