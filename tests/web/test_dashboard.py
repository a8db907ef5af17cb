"""The dashboard in a real Chromium: the counts it shows are what the test published and called."""

from __future__ import annotations

import asyncio
import re
import uuid

from playwright.async_api import Browser, Page, expect
from wampgate.clients import connect
from wampgate.router.launcher import Gateway

from tests.conftest import TEST_PASSWORD, TEST_USER
from tests.router.test_metrics import scrape, scraped_until, value
from tests.web.conftest import NARROW, Console, base, screenshot


async def charted(page: Page, points: int = 4) -> None:
    """Wait until every chart holds ``points`` readings (one a second)."""
    await page.wait_for_function(
        "n => [...document.querySelectorAll('.chart')].every(c => Number(c.dataset.points) >= n)",
        arg=points,
        timeout=20000,
    )


async def publish_and_call(url: str, topic: str, events: int, calls: int) -> None:
    async with (
        connect(url, authid=TEST_USER, password=TEST_PASSWORD) as publisher,
        connect(url) as listener,
        listener.subscribe(topic) as received,
    ):
        for n in range(events):
            await publisher.publish(topic, {"n": n})
        assert [(await anext(received)).value["n"] for _ in range(events)] == list(range(events))
        for n in range(calls):
            assert await listener.call("demo.calc.add", n, n) == 2 * n


async def test_dashboard_shows_what_was_published_and_called(
    page: Page, gateway: Gateway, url: str, console: Console
) -> None:
    await page.goto(f"{base(gateway)}/dashboard.html")
    await expect(page.locator("#conn")).to_have_text("live")
    topic = f"demo.dash.t{uuid.uuid4().hex[:8]}"
    add_calls = {"name": "wampgate_calls_total", "procedure": "demo.calc.add"}
    before = value(await asyncio.to_thread(scrape, gateway), **add_calls)
    await publish_and_call(url, topic, events=9, calls=4)
    after = await scraped_until(gateway, lambda s: value(s, **add_calls) >= before + 4)
    calls = value(after, **add_calls)
    assert calls == before + 4
    row = page.locator(f'#topics tr[data-topic="{topic}"]')
    await expect(row.locator('[data-role="published"]')).to_have_text("9")
    await expect(row.locator('[data-role="delivered"]')).to_have_text("9")
    add = page.locator('#procs tr[data-procedure="demo.calc.add"]')
    await expect(add.locator('[data-role="calls"]')).to_have_text(str(int(calls)))
    await expect(page.locator("#t-published")).not_to_have_text("\u2013")
    await expect(page.locator("#t-sessions")).to_have_text(re.compile(r"^[1-9]\d*$"))
    await expect(page.locator("#c-events canvas")).to_have_count(1)
    journal = page.locator("#journal-state")
    await expect(journal).not_to_have_text("Asking the journal…")
    if "not running" not in (await journal.text_content() or ""):
        await expect(page.locator("#journal-table")).to_be_visible()
    # The dashboard's own look at the journal is no error in the counts.
    looked = page.locator(
        '#procs tr[data-procedure="wampgate.history.topics"] [data-role="errors"]'
    )
    assert await looked.count() == 0 or await looked.text_content() == "0"
    await charted(page)
    await screenshot(page, "dashboard-desktop")
    assert console.errors == []


async def test_dashboard_at_390px(browser: Browser, gateway: Gateway) -> None:
    context = await browser.new_context(viewport=NARROW)
    page = await context.new_page()
    try:
        await page.goto(f"{base(gateway)}/dashboard.html")
        await expect(page.locator("#t-delivered")).not_to_have_text("\u2013")
        await expect(page.locator("#c-sessions canvas")).to_have_count(1)
        await charted(page)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW["width"], width
        await screenshot(page, "dashboard-narrow")
    finally:
        await context.close()
