"""The console, live topics and echo pages in a real Chromium against the real router."""

from __future__ import annotations

import asyncio
import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect
from wampgate.router.config import GatewaySettings
from wampgate.router.launcher import Gateway

from tests.helpers import free_port
from tests.web.conftest import DESKTOP, NARROW, Console, base, screenshot

ROOT = Path(__file__).resolve().parents[2]
DEMO = ["demo.calc.add", "demo.calc.mul", "demo.calc.xsum", "demo.calc.broken", "demo.echo"]


async def open_procedure(page: Page, gateway: Gateway, uri: str) -> None:
    await page.goto(f"{base(gateway)}/")
    await page.click(f'#procs button[data-uri="{uri}"]')
    await expect(page.locator("#call-title")).to_have_text(uri)


async def test_console_lists_every_demo_procedure(
    page: Page, gateway: Gateway, console: Console
) -> None:
    await page.goto(f"{base(gateway)}/")
    await expect(page.locator("#conn")).to_have_text("live")
    for uri in DEMO:
        await expect(page.locator(f'#procs button[data-uri="{uri}"]')).to_be_visible()
    await expect(page.locator('#procs button[data-uri="demo.calc.add"] .doc')).to_have_text(
        "Add two numbers."
    )
    await page.fill("#filter", "xsum")
    await expect(page.locator("#procs button")).to_have_count(1)
    assert console.errors == []


async def test_form_call_of_add_shows_5(page: Page, gateway: Gateway, console: Console) -> None:
    await open_procedure(page, gateway, "demo.calc.add")
    await expect(page.locator('label[for="f-a"] .req')).to_have_count(1)
    await page.fill("#f-a", "2")
    await page.fill("#f-b", "3")
    await page.click("#call-button")
    await expect(page.locator("#result-value")).to_have_text("5")
    await expect(page.locator("#cli")).to_have_text("wampgate call demo.calc.add 2 3")
    await expect(page.locator("#js")).to_have_text(
        'const result = await session.call("demo.calc.add", [2,3]);'
    )
    row = page.locator("#history tr").first
    await expect(row).to_contain_text("demo.calc.add")
    await expect(row.locator("td").nth(3)).to_have_text(re.compile(r"^\d+\.\d ms$"))
    await screenshot(page, "console-desktop")
    assert console.errors == []


async def test_array_argument_and_keyboard_only_use(
    page: Page, gateway: Gateway, console: Console
) -> None:
    await page.goto(f"{base(gateway)}/")
    await page.fill("#filter", "xsum")
    await expect(page.locator("#procs button")).to_have_count(1)  # the catalog has loaded
    await page.keyboard.press("Tab")  # to the only procedure left
    await page.keyboard.press("Enter")
    await expect(page.locator("#call-title")).to_have_text("demo.calc.xsum")
    await page.focus("#f-numbers")
    await page.keyboard.type("[1, 2, 3.5]")
    await page.keyboard.press("Tab")  # to the Call button
    await page.keyboard.press("Enter")
    await expect(page.locator("#result-value")).to_have_text("6.5")
    assert console.errors == []


async def test_wrong_input_is_explained_and_not_sent(
    page: Page, gateway: Gateway, console: Console
) -> None:
    await open_procedure(page, gateway, "demo.calc.add")
    await page.fill("#f-a", "two")
    await page.click("#call-button")
    await expect(page.locator("#f-a-error")).to_have_text('a: "two" is not a number')
    await expect(page.locator("#f-a")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#f-b-error")).to_have_text("b is required")
    await expect(page.locator("#call-status")).to_contain_text("nothing was sent")
    await expect(page.locator("#history td[colspan]")).to_have_text("No calls yet.")
    await screenshot(page, "console-invalid")
    assert console.errors == []


async def test_broken_shows_its_error_uri(page: Page, gateway: Gateway, console: Console) -> None:
    await open_procedure(page, gateway, "demo.calc.broken")
    await expect(page.locator("#fields")).to_contain_text("takes no arguments")
    await page.click("#call-button")
    await expect(page.locator("#result-error-uri")).to_have_text("demo.calc.error.broken")
    await expect(page.locator("#result-error-message")).to_contain_text("always fails")
    await expect(page.locator("#history .tag.bad")).to_have_text("error")
    await screenshot(page, "console-error")
    assert console.errors == []


async def test_server_side_invalid_argument_is_shown(
    page: Page, gateway: Gateway, console: Console
) -> None:
    # The catalog's describe takes a string: an unknown URI passes the form but not the router.
    await open_procedure(page, gateway, "wampgate.catalog.describe")
    await page.fill("#f-uri", "demo.not.there")
    await page.click("#call-button")
    await expect(page.locator("#result-error-uri")).to_have_text("wamp.error.no_such_procedure")
    assert console.errors == []


async def at_least(page: Page, selector: str, n: int, timeout: float = 15000) -> None:
    await page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length >= n",
        arg=[selector, n],
        timeout=timeout,
    )


async def seqs_on_page(page: Page) -> list[int]:
    texts = await page.locator("#events pre").all_text_contents()
    return [int(m.group(1)) for t in texts if (m := re.search(r'"seq": (\d+)', t))]


async def test_topics_show_ticks_newest_first(
    page: Page, gateway: Gateway, console: Console
) -> None:
    await page.goto(f"{base(gateway)}/topics.html")
    await expect(page.locator("#conn")).to_have_text("live")
    await page.click("#sub-form button[type=submit]")
    await at_least(page, "#events li", 4)
    seqs = await seqs_on_page(page)
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == len(seqs), seqs
    assert seqs[0] - seqs[-1] == len(seqs) - 1
    stats = page.locator('.sub[data-topic="demo.clock.tick"] [data-role="stats"]')
    await expect(stats).to_contain_text(re.compile(r"\d+ event\(s\) · \d+\.\d/s"))
    # A second, prefix subscription at the same time.
    await page.fill("#topic", "demo.")
    await page.select_option("#match", "prefix")
    await page.click("#sub-form button[type=submit]")
    await expect(page.locator(".sub")).to_have_count(2)
    await expect(
        page.locator("#events li .meta", has_text="via demo. (prefix)").first
    ).to_be_visible(timeout=10000)
    # Pause holds the list still; resume brings what came meanwhile.
    await page.click("#pause")
    newest = await page.locator("#events li").first.inner_text()
    await expect(page.locator("#paused-note")).to_contain_text(
        re.compile(r"Paused: [1-9]\d* event"), timeout=10000
    )
    assert await page.locator("#events li").first.inner_text() == newest
    await page.click("#pause")
    await expect(page.locator("#events li").first).not_to_have_text(newest)
    await screenshot(page, "topics-desktop")
    await page.click("#clear")
    await expect(page.locator("#events li")).to_have_count(0)
    assert console.errors == []


async def test_bad_topic_is_refused_in_the_page(page: Page, gateway: Gateway) -> None:
    await page.goto(f"{base(gateway)}/topics.html")
    await page.fill("#topic", "demo clock")
    await page.click("#sub-form button[type=submit]")
    await expect(page.locator("#topic-error")).to_contain_text("no spaces")
    await expect(page.locator(".sub")).to_have_count(0)


async def test_echo_page_round_trips(page: Page, gateway: Gateway, console: Console) -> None:
    await page.goto(f"{base(gateway)}/echo.html")
    await expect(page.locator("#conn")).to_have_text("connected")
    await page.select_option("#mode", "json")
    await page.fill("#message", "{not json")
    await page.click("#send")
    await expect(page.locator("#message-error")).to_contain_text("Not valid JSON")
    await expect(page.locator(".reply")).to_have_count(0)
    await page.fill("#message", '{"greeting": "hello", "n": [1, 2]}')
    await page.click("#send")
    reply = page.locator(".reply").first
    await expect(reply.locator(".tag")).to_have_text("echoed unchanged")
    await expect(reply.locator(".rtt")).to_have_text(re.compile(r"^\d+\.\d\d ms round trip$"))
    await expect(reply.locator("pre")).to_contain_text('"greeting": "hello"')
    await screenshot(page, "echo-desktop")
    assert console.errors == []


@pytest.mark.parametrize("path", ["/", "/topics.html", "/echo.html"])
async def test_narrow_screens(browser: Browser, gateway: Gateway, path: str) -> None:
    context = await browser.new_context(viewport=NARROW)
    page = await context.new_page()
    await page.goto(f"{base(gateway)}{path}")
    await expect(page.locator("#conn")).to_have_text(re.compile("live|connected"))
    if path == "/":
        await page.click('#procs button[data-uri="demo.calc.mul"]')
        await page.fill("#f-a", "6")
        await page.fill("#f-b", "7")
        await page.click("#call-button")
        await expect(page.locator("#result-value")).to_have_text("42")
    elif path == "/topics.html":
        await page.click("#sub-form button[type=submit]")
        await at_least(page, "#events li", 2)
    else:
        await page.click("#send")
        await expect(page.locator(".reply")).to_have_count(1)
    # Nothing sticks out sideways at 390 px.
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], width
    name = {"/": "console", "/topics.html": "topics", "/echo.html": "echo"}[path]
    await screenshot(page, f"{name}-narrow")
    await context.close()


# Two gateways boot one after the other here (each waits up to 90 s on a busy machine).
@pytest.mark.timeout(300)
async def test_topics_page_survives_a_router_restart(browser: Browser, tmp_path: Path) -> None:
    settings = GatewaySettings(
        root=ROOT, state_dir=tmp_path, port=free_port(), echo_port=free_port(), clock_interval=0.25
    )
    first = Gateway(settings)
    await asyncio.to_thread(first.start)
    second = None
    context = await browser.new_context(viewport=DESKTOP)
    try:
        await asyncio.to_thread(first.wait_ready, 90)
        page = await context.new_page()
        await page.goto(f"http://127.0.0.1:{settings.port}/topics.html")
        await page.click("#sub-form button[type=submit]")
        await at_least(page, "#events li", 3)
        await asyncio.to_thread(first.stop)
        await expect(page.locator("#banner")).to_contain_text("reconnecting", timeout=15000)
        await expect(page.locator("#conn")).to_have_text("reconnecting…")
        await screenshot(page, "topics-reconnecting")
        before = await page.locator("#events li").count()
        second = Gateway(settings)
        await asyncio.to_thread(second.start)
        await asyncio.to_thread(second.wait_ready, 90)
        await expect(page.locator("#banner")).to_contain_text(
            "Live again: 1 subscription(s) restored", timeout=30000
        )
        await expect(page.locator("#conn")).to_have_text("live again")
        await expect(page.locator("#events li")).not_to_have_count(before, timeout=10000)
        await screenshot(page, "topics-live-again")
    finally:
        await context.close()
        await asyncio.to_thread(first.stop)
        if second is not None:
            await asyncio.to_thread(second.stop)


def test_browser_javascript_comes_from_npm(gateway: Gateway) -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "web"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [f for f in tracked if "node_modules" in f or f.endswith(".min.js")], tracked
    bundle = ROOT / "web/node_modules/autobahn-browser/autobahn.min.js"
    import urllib.request

    with urllib.request.urlopen(f"{base(gateway)}/vendor/autobahn.min.js", timeout=10) as response:
        served = response.read()
    assert hashlib.sha256(served).digest() == hashlib.sha256(bundle.read_bytes()).digest()


async def test_node_example_client(gateway: Gateway) -> None:
    proc = await asyncio.create_subprocess_exec(
        "node",
        str(ROOT / "web/node/example.mjs"),
        gateway.settings.url,
        "2",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert lines[0] == "demo.calc.add(2, 3) = 5"
    seqs = [int(re.match(r"tick (\d+) at ", line).group(1)) for line in lines[1:]]  # type: ignore[union-attr]
    assert len(seqs) == 2 and seqs[1] == seqs[0] + 1


async def test_named_user_signs_in_and_publishes(
    page: Page, gateway: Gateway, console: Console
) -> None:
    from tests.conftest import TEST_PASSWORD, TEST_USER

    await page.goto(f"{base(gateway)}/topics.html")
    await page.fill("#topic", "demo.chat.")
    await page.select_option("#match", "prefix")
    await page.click("#sub-form button[type=submit]")
    await expect(page.locator(".sub")).to_have_count(1)
    # A wrong password is refused and said so; the form stays.
    await page.fill("#login-user", TEST_USER)
    await page.fill("#login-password", "wrong-password")
    await page.click("#login-form button[type=submit]")
    await expect(page.locator("#login-error")).to_have_text(
        "Sign-in refused: wrong user name or password."
    )
    await expect(page.locator("#pub-form")).to_be_hidden()
    await page.fill("#login-password", TEST_PASSWORD)
    await page.click("#login-form button[type=submit]")
    await expect(page.locator("#pub-who")).to_have_text(f"Signed in as {TEST_USER} (role user).")
    await page.fill("#pub-payload", '{"text": "hello from the page"}')
    await page.click("#pub-form button[type=submit]")
    await expect(page.locator("#pub-status")).to_have_text("Published to demo.chat.lobby.")
    event = page.locator("#events li", has_text="hello from the page")
    await expect(event.locator(".topic")).to_have_text("demo.chat.lobby")
    # Users may not forge the clock.
    await page.fill("#pub-topic", "demo.clock.tick")
    await page.click("#pub-form button[type=submit]")
    await expect(page.locator("#pub-error")).to_contain_text("wamp.error.not_authorized")
    await screenshot(page, "topics-publish")
    # The refused sign-in above makes the browser log nothing; errors stay empty.
    assert console.errors == []


async def test_unknown_user_is_refused_like_a_wrong_password(
    page: Page, gateway: Gateway, console: Console
) -> None:
    await page.goto(f"{base(gateway)}/topics.html")
    await page.fill("#login-user", "nobody-by-this-name")
    await page.fill("#login-password", "whatever")
    await page.click("#login-form button[type=submit]")
    await expect(page.locator("#login-error")).to_have_text(
        "Sign-in refused: wrong user name or password."
    )
    await expect(page.locator("#pub-form")).to_be_hidden()
