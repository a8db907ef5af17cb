"""Browser recovery: after a reconnect, missed events come from the journal first, then live ones.

The page's WebSocket goes through Playwright's WebSocket routing, which can
drop it and refuse new ones for as long as the test wants the page offline.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Page, WebSocketRoute, expect
from wampgate.clients import Session, connect
from wampgate.router.launcher import Gateway

from tests.conftest import TEST_PASSWORD, TEST_USER
from tests.web.conftest import Console, base, screenshot

SUBSCRIBE = """async (topic) => {
  const { Gateway } = await import('/js/wamp.js');
  window.got = [];
  window.states = [];
  const gw = new Gateway();
  gw.addEventListener('state', (e) => window.states.push(e.detail.state));
  gw.start();
  await gw.ready();
  await gw.subscribe(topic, 'exact', (e) => window.got.push([e.seq, e.recovered, e.args[0]]), { recover: true });
}"""


class Link:
    """The page's WebSockets: :meth:`down` drops them and refuses new ones until :meth:`up`."""

    def __init__(self) -> None:
        self.is_down = False
        self.routes: list[WebSocketRoute] = []

    async def route(self, ws: WebSocketRoute) -> None:
        if self.is_down:
            await ws.close(code=1011)
            return
        ws.connect_to_server()
        self.routes.append(ws)

    async def down(self) -> None:
        self.is_down = True
        for ws in self.routes:
            await ws.close(code=1011)
        self.routes.clear()

    def up(self) -> None:
        self.is_down = False


@pytest.fixture
async def link(page: Page) -> Link:
    routed = Link()
    await page.route_web_socket("**/ws", routed.route)
    return routed


@pytest.fixture
async def publisher(url: str) -> AsyncIterator[Session]:
    async with connect(url, authid=TEST_USER, password=TEST_PASSWORD) as s:
        yield s


async def got(page: Page, n: int) -> list[Any]:
    await page.wait_for_function("n => window.got.length >= n", arg=n, timeout=20000)
    return list(await page.evaluate("window.got"))


async def test_missed_events_come_first_flagged_recovered_without_gap_or_duplicate(
    page: Page, gateway: Gateway, link: Link, publisher: Session, console: Console
) -> None:
    topic = f"demo.rec.t{uuid.uuid4().hex[:8]}"
    await page.goto(f"{base(gateway)}/topics.html")
    await page.evaluate(SUBSCRIBE, topic)
    for n in range(3):
        await publisher.publish(topic, n)
    assert [recovered for _, recovered, _ in await got(page, 3)] == [False] * 3
    await link.down()
    await page.wait_for_function("window.states.includes('reconnecting')", timeout=20000)
    for n in range(3, 7):
        await publisher.publish(topic, n)  # missed: the page is disconnected
    link.up()
    await got(page, 7)
    for n in range(7, 9):
        await publisher.publish(topic, n)
    events = await got(page, 9)
    assert [value for _, _, value in events] == list(range(9))
    seqs = [seq for seq, _, _ in events]
    assert seqs == list(range(seqs[0], seqs[0] + 9)), seqs
    assert [recovered for _, recovered, _ in events] == [False] * 3 + [True] * 4 + [False] * 2
    assert console.errors == []


async def test_topics_page_marks_recovered_events(
    page: Page, gateway: Gateway, link: Link, publisher: Session, console: Console
) -> None:
    topic = f"demo.rec.p{uuid.uuid4().hex[:8]}"
    await page.goto(f"{base(gateway)}/topics.html")
    await expect(page.locator("#conn")).to_have_text("live")
    await page.fill("#topic", topic)
    await page.click("#sub-form button[type=submit]")
    await expect(page.locator(f'.sub[data-topic="{topic}"]')).to_be_visible()
    await publisher.publish(topic, {"n": 0})
    await expect(page.locator("#events li")).to_have_count(1)
    await link.down()
    await expect(page.locator("#conn")).not_to_have_text("live", timeout=30000)
    for n in (1, 2):
        await publisher.publish(topic, {"n": n})
    link.up()
    await expect(page.locator("#conn")).to_have_text("live again", timeout=30000)
    await expect(page.locator("#events li.recovered")).to_have_count(2)
    await publisher.publish(topic, {"n": 3})
    await expect(page.locator("#events li")).to_have_count(4)
    await expect(page.locator("#events li.recovered .tag")).to_have_text(["recovered"] * 2)
    await expect(page.locator("#banner")).to_contain_text("2 missed event(s) recovered")
    seqs = await page.locator("#events li").evaluate_all(
        "lis => lis.map(li => Number(li.dataset.seq))"
    )
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 4
    await screenshot(page, "topics-recovered")
    assert console.errors == []
