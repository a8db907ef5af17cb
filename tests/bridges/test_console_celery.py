"""The long demo Celery task from the console page: progress as it runs, the result, cancel."""

from __future__ import annotations

import asyncio
import json

import pytest
from playwright.async_api import Browser, Page, expect
from wampgate.router.launcher import Gateway

from tests.bridges.test_celery_bridge import _revoked_state
from tests.web.conftest import NARROW, Console, base, browser, console, page, screenshot  # noqa: F401

pytestmark = pytest.mark.usefixtures("celery_bridge")


async def call_countdown(tab: Page, gateway: Gateway, steps: int, seconds: float) -> None:
    await tab.goto(f"{base(gateway)}/#celery.countdown")
    await expect(tab.locator("#conn")).to_have_text("live")
    await expect(tab.locator("#call-title")).to_have_text("celery.countdown")
    await tab.fill("#f-steps", str(steps))
    await tab.fill("#f-seconds", str(seconds))
    await tab.click("#call-button")


async def test_progress_then_the_result(
    page: Page,  # noqa: F811
    console: Console,  # noqa: F811
    gateway: Gateway,
) -> None:
    await call_countdown(page, gateway, 6, 0.4)
    await expect(page.locator("#progress-count")).to_contain_text("of 6 done", timeout=60_000)
    await expect(page.locator("#cancel-button")).to_be_visible()
    assert 0 <= await page.locator("#progress-bar").evaluate("b => b.value") < 1
    await screenshot(page, "console-celery-progress-1280")
    await expect(page.locator("#result-value")).to_have_text("6", timeout=60_000)
    await expect(page.locator("#result")).to_contain_text("progress updates before it")
    await expect(page.locator("#cancel-button")).to_be_hidden()
    shown = json.loads(await page.locator("#progress-value").text_content() or "{}")
    # The latest update seen (the bridge reads the task's state every 0.1 s).
    assert shown["state"] == "PROGRESS" and shown["meta"]["total"] == 6
    await screenshot(page, "console-celery-result-1280")
    assert console.errors == []


async def test_cancel_revokes_the_task_at_390px(
    browser: Browser,  # noqa: F811
    gateway: Gateway,
    celery_env: dict[str, str],
) -> None:
    context = await browser.new_context(viewport=NARROW)
    try:
        page = await context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        await call_countdown(page, gateway, 1000, 0.1)
        await expect(page.locator("#progress-count")).to_contain_text(
            "of 1000 done", timeout=60_000
        )
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW["width"]
        await screenshot(page, "console-celery-progress-390")
        shown = json.loads(await page.locator("#progress-value").text_content() or "{}")
        await page.click("#cancel-button")
        await expect(page.locator("#result-error-uri")).to_have_text("wamp.error.canceled")
        await screenshot(page, "console-celery-cancelled-390")
        state = await asyncio.to_thread(_revoked_state, shown["task_id"], celery_env)
        assert state == "REVOKED"
        assert errors == []
    finally:
        await context.close()
