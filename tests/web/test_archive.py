"""The archive page in a real Chromium: a journaled topic page by page, a time span, JSON lines."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from playwright.async_api import Browser, Page, expect
from wampgate.clients import connect
from wampgate.contract import uris
from wampgate.router.launcher import Gateway

from tests.conftest import TEST_PASSWORD, TEST_USER
from tests.web.conftest import NARROW, Console, base, screenshot

# The journal's ISO time as a datetime-local value in the browser's own time zone.
LOCAL = """iso => {
  const d = new Date(iso);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:`
    + `${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}"""


def ms(iso: str) -> str:
    """An ISO time of the journal (microseconds) cut to milliseconds."""
    return iso[:23] + "000" + iso[26:]


async def journaled(url: str, events: int) -> tuple[str, list[dict[str, object]]]:
    topic = f"demo.arch.t{uuid.uuid4().hex[:8]}"
    async with connect(url, authid=TEST_USER, password=TEST_PASSWORD) as s:
        for n in range(events):
            await s.publish(topic, {"n": n})
        stored: list[dict[str, object]] = []
        while len(stored) < events:  # stored by the journal's writer, soon after
            stored = await s.call(uris.HISTORY_GET, topic, limit=1000)
    return topic, stored


async def show(page: Page, gateway: Gateway, topic: str) -> None:
    await page.goto(f"{base(gateway)}/archive.html?topic={topic}")
    await expect(page.locator("#topic")).to_have_value(topic)
    await expect(page.locator("#topic-info")).to_contain_text("30 events")


async def test_archive_pages_filters_and_exports(
    page: Page, gateway: Gateway, url: str, console: Console, tmp_path: Path
) -> None:
    topic, stored = await journaled(url, 30)
    seqs = [int(str(e["seq"])) for e in stored]
    await show(page, gateway, topic)
    await page.select_option("#page-size", "25")
    await page.click("#pick-form button[type=submit]")
    rows = page.locator("#events tr[data-seq]")
    await expect(rows).to_have_count(25)
    await expect(rows.first).to_have_attribute("data-seq", str(seqs[0]))
    await expect(rows.first.locator("pre")).to_have_text('{"n":0}')
    await expect(page.locator("#prev")).to_be_disabled()
    await page.click("#next")
    await expect(rows).to_have_count(5)
    await expect(rows.last).to_have_attribute("data-seq", str(seqs[-1]))
    await expect(page.locator("#next")).to_be_disabled()
    await page.click("#prev")
    await expect(rows).to_have_count(25)
    await screenshot(page, "archive-desktop")

    # From event 10 up to (not including) event 20.
    await page.fill("#since", await page.evaluate(LOCAL, stored[10]["time"]))
    await page.fill("#until", await page.evaluate(LOCAL, stored[20]["time"]))
    await page.click("#pick-form button[type=submit]")
    # The page's times have milliseconds, the journal's microseconds.
    since, until = (ms(str(stored[k]["time"])) for k in (10, 20))
    expected = [int(str(e["seq"])) for e in stored if since <= str(e["time"]) < until]
    assert seqs[10] in expected and seqs[20] not in expected
    await expect(rows.first).to_have_attribute("data-seq", str(expected[0]))
    await expect(rows).to_have_count(len(expected))
    shown = await rows.evaluate_all("rs => rs.map(r => Number(r.dataset.seq))")
    assert shown == expected

    async with page.expect_download() as download:
        await page.click("#export")
    saved = tmp_path / "export.jsonl"
    await (await download.value).save_as(saved)
    lines = [json.loads(line) for line in saved.read_text().splitlines()]
    assert [e["seq"] for e in lines] == expected
    assert all(e["topic"] == topic and set(e) >= {"seq", "time", "args", "kwargs"} for e in lines)
    await expect(page.locator("#export-status")).to_have_text(f"Exported {len(expected)} events.")
    assert console.errors == []


async def test_archive_at_390px(browser: Browser, gateway: Gateway, url: str) -> None:
    topic, _ = await journaled(url, 30)
    context = await browser.new_context(viewport=NARROW)
    page = await context.new_page()
    try:
        await show(page, gateway, topic)
        await page.click("#pick-form button[type=submit]")
        await expect(page.locator("#events tr[data-seq]")).to_have_count(30)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW["width"], width
        await screenshot(page, "archive-narrow")
    finally:
        await context.close()
