"""Layout and input rules of the pages, measured in a real Chromium."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Browser, Page, expect
from wampgate.components.framework import Api
from wampgate.router.launcher import Gateway

from tests.helpers import free_port, serving
from tests.web.conftest import ARTIFACTS, DESKTOP, NARROW, Console, base, screenshot


async def call(page: Page, uri: str, fields: dict[str, str]) -> None:
    await page.fill("#filter", "")
    await page.click(f'#procs button[data-uri="{uri}"]')
    await expect(page.locator("#call-title")).to_have_text(uri)
    for name, value in fields.items():
        await page.fill(f"#f-{name}", value)
    calls = await page.locator("#history tr .tag").count()
    await page.click("#call-button")
    await expect(page.locator("#history tr .tag")).to_have_count(calls + 1)


async def page_width(page: Page) -> int:
    return int(await page.evaluate("document.documentElement.scrollWidth"))


LONG = '["' + "a-long-word-without-spaces" * 8 + '", {"key": [1, 2, 3, 4, 5, 6, 7, 8, 9]}]'


async def test_console_at_390px_never_grows_wider_than_the_screen(
    browser: Browser, gateway: Gateway
) -> None:
    context = await browser.new_context(viewport=NARROW)
    page = await context.new_page()
    try:
        await page.goto(f"{base(gateway)}/")
        await expect(page.locator("#conn")).to_have_text("live")
        await call(page, "demo.echo", {"args": LONG})
        await expect(page.locator("#result-value")).to_contain_text("a-long-word")
        assert await page_width(page) <= NARROW["width"]
        await call(page, "wampgate.catalog.list", {})
        await expect(page.locator("#result-value")).to_contain_text("demo.calc.add")
        assert await page_width(page) <= NARROW["width"]
        await screenshot(page, "console-narrow-catalog")
        await page.locator("#result-panel").scroll_into_view_if_needed()
        await page.screenshot(path=str(ARTIFACTS / "console-narrow-result.png"))
        await page.locator("#history").scroll_into_view_if_needed()
        await page.screenshot(path=str(ARTIFACTS / "console-narrow-history.png"))
    finally:
        await context.close()


async def test_procedure_names_break_only_at_dots(page: Page, gateway: Gateway) -> None:
    await page.goto(f"{base(gateway)}/")
    await expect(page.locator("#conn")).to_have_text("live")
    # Long results in the history must not squeeze the list of names.
    await call(page, "demo.echo", {"args": LONG})
    await call(page, "wampgate.catalog.list", {})
    assert await page_width(page) <= DESKTOP["width"]
    # Where a line of a name starts, the character before it must be a dot.
    bad = await page.evaluate(
        """() => [...document.querySelectorAll('#procs .uri')].flatMap((node) => {
            const text = node.textContent;
            const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
            const tops = [];
            for (let t = walker.nextNode(); t; t = walker.nextNode()) {
              for (let i = 0; i < t.length; i += 1) {
                const r = document.createRange();
                r.setStart(t, i); r.setEnd(t, i + 1);
                tops.push(r.getBoundingClientRect().top);
              }
            }
            const breaks = [];
            for (let i = 1; i < tops.length; i += 1) {
              if (tops[i] > tops[i - 1] + 1 && text[i - 1] !== '.') breaks.push(`${text} at ${i}`);
            }
            return breaks;
        })"""
    )
    assert bad == []
    await page.screenshot(path=str(ARTIFACTS / "console-desktop-long-results.png"))


async def test_password_field_is_as_wide_as_user(page: Page, gateway: Gateway) -> None:
    await page.goto(f"{base(gateway)}/topics.html")
    user = await page.locator("#login-user").bounding_box()
    secret = await page.locator("#login-password").bounding_box()
    assert user is not None and secret is not None
    assert abs(user["width"] - secret["width"]) < 1, (user, secret)


@pytest.mark.parametrize(
    ("topic", "match"),
    [("demo..tick", "wildcard"), ("demo.", "prefix"), ("demo.clock.tick", "exact")],
)
async def test_topics_accept_each_match_kind(
    page: Page, gateway: Gateway, console: Console, topic: str, match: str
) -> None:
    await page.goto(f"{base(gateway)}/topics.html")
    await expect(page.locator("#conn")).to_have_text("live")
    await page.fill("#topic", topic)
    await page.select_option("#match", match)
    await page.click("#sub-form button[type=submit]")
    await expect(page.locator("#topic-error")).to_have_text("")
    await expect(page.locator(f'.sub[data-topic="{topic}"][data-match="{match}"]')).to_be_visible()
    event = page.locator("#events li .topic", has_text="demo.clock.tick").first
    await expect(event).to_be_visible(timeout=10000)
    assert console.errors == []


@pytest.mark.parametrize(
    ("topic", "match", "fragment"),
    [
        ("demo..tick", "exact", "empty part"),
        ("demo clock", "exact", "space"),
        ("demo clock.", "prefix", "space"),
        ("demo.#", "wildcard", "#"),
        ("", "exact", "Enter a topic"),
    ],
)
async def test_topics_refuse_what_the_match_kind_cannot_take(
    page: Page, gateway: Gateway, topic: str, match: str, fragment: str
) -> None:
    await page.goto(f"{base(gateway)}/topics.html")
    await page.fill("#topic", topic)
    await page.select_option("#match", match)
    await page.click("#sub-form button[type=submit]")
    await expect(page.locator("#topic-error")).to_contain_text(fragment)
    await expect(page.locator(".sub")).to_have_count(0)


async def test_a_call_without_a_router_settles(page: Page, gateway: Gateway) -> None:
    await page.goto(f"{base(gateway)}/topics.html")  # a page with the Autobahn bundle
    nobody = free_port()
    outcome = await page.evaluate(
        """async (url) => {
            const { Gateway } = await import('/js/wamp.js');
            const gw = new Gateway({ url, timeout: 1500 });
            const fresh = new Gateway({ url });
            gw.start();
            try {
              await gw.call('demo.calc.add', [1, 2]);
              return { settled: 'resolved' };
            } catch (err) {
              return { settled: 'rejected', uri: err.uri, message: err.message,
                       default: fresh.timeout };
            } finally {
              gw.stop();
            }
        }""",
        f"ws://127.0.0.1:{nobody}/ws",
    )
    assert outcome["settled"] == "rejected"
    assert outcome["uri"] == "wampgate.error.timeout"
    assert f"ws://127.0.0.1:{nobody}/ws" in outcome["message"]
    assert outcome["default"] == 30000


async def test_a_call_on_a_stopped_gateway_rejects_at_once(page: Page, gateway: Gateway) -> None:
    await page.goto(f"{base(gateway)}/topics.html")
    outcome = await page.evaluate(
        """async (url) => {
            const { Gateway } = await import('/js/wamp.js');
            const gw = new Gateway({ url, timeout: 600000 });
            gw.start();
            await gw.call('demo.calc.add', [1, 2]);
            gw.stop();
            try {
              await gw.call('demo.calc.add', [1, 2]);
              return { settled: 'resolved' };
            } catch (err) {
              return { settled: 'rejected', uri: err.uri, message: err.message };
            }
        }""",
        gateway.settings.url,
    )
    assert outcome["settled"] == "rejected"
    assert outcome["uri"] == "wampgate.error.not_connected"


async def test_a_slow_call_times_out_and_the_callee_is_interrupted(
    page: Page, gateway: Gateway
) -> None:
    started = asyncio.Event()
    interrupted = asyncio.Event()
    api = Api("slowtest")

    @api.procedure("demo.slowtest.wait")
    async def wait() -> str:
        """Take a minute."""
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            interrupted.set()
            raise
        return "late"

    async with serving(api, gateway):
        await page.goto(f"{base(gateway)}/topics.html")
        outcome = await page.evaluate(
            """async (url) => {
                const { Gateway } = await import('/js/wamp.js');
                const gw = new Gateway({ url, timeout: 1500 });
                gw.start();
                try {
                  return { settled: 'resolved', value: (await gw.call('demo.slowtest.wait')).value };
                } catch (err) {
                  return { settled: 'rejected', uri: err.uri, message: err.message };
                } finally {
                  gw.stop();
                }
            }""",
            gateway.settings.url,
        )
        assert started.is_set()
        assert outcome["settled"] == "rejected", outcome
        assert outcome["uri"] == "wampgate.error.timeout"
        assert "demo.slowtest.wait did not answer within 1.5 s" in outcome["message"]
        # The router passed the cancel on: the callee stopped working.
        await asyncio.wait_for(interrupted.wait(), 30)
