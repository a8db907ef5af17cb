"""A RabbitMQ fanout, published with aio-pika, live on the topics page in Chromium."""

from __future__ import annotations

import asyncio
import json

import aio_pika
from playwright.async_api import Page, expect
from playwright.async_api import TimeoutError as PageTimeout
from wampgate.contract import env
from wampgate.router.launcher import Gateway

from tests.bridges.conftest import StartBridge
from tests.bridges.servers import RabbitMQ
from tests.web.conftest import Console, base, browser, console, page, screenshot  # noqa: F401


async def test_fanout_arrives_on_the_topics_page(
    page: Page,  # noqa: F811
    console: Console,  # noqa: F811
    gateway: Gateway,
    rabbitmq: RabbitMQ,
    start_bridge: StartBridge,
) -> None:
    extra = {env.BRIDGE_NAME: "page", env.AMQP_URL: rabbitmq.url, env.AMQP_IN: "robots_page"}
    await asyncio.to_thread(start_bridge, "amqp_bridge", extra, "connected to RabbitMQ")
    await page.goto(f"{base(gateway)}/topics.html")
    await expect(page.locator("#conn")).to_have_text("live")
    await page.fill("#topic", "amqp.robots_page")
    await page.click("#sub-form button[type=submit]")
    await expect(page.locator(".sub")).to_have_count(1)
    shown = page.locator("#events li", has_text="r2-page")
    connection = await aio_pika.connect(rabbitmq.url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange("robots_page", "fanout", durable=True)
        body = json.dumps({"robot": "r2-page", "x": 1.5}).encode()
        # The page's subscription may still be on its way: publish until it shows.
        for _ in range(60):
            await exchange.publish(aio_pika.Message(body, content_type="application/json"), "")
            try:
                await shown.first.wait_for(timeout=500)
                break
            except PageTimeout:
                continue
    await expect(shown.first).to_contain_text("amqp.robots_page")
    await screenshot(page, "topics-amqp-fanout")
    assert console.errors == []


async def test_bridges_page_shows_state_and_counts(
    page: Page,  # noqa: F811
    console: Console,  # noqa: F811
    gateway: Gateway,
    rabbitmq: RabbitMQ,
    start_bridge: StartBridge,
) -> None:
    extra = {env.BRIDGE_NAME: "shown", env.AMQP_URL: rabbitmq.url, env.AMQP_IN: "shown_ex"}
    await asyncio.to_thread(start_bridge, "amqp_bridge", extra, "connected to RabbitMQ")
    await page.goto(f"{base(gateway)}/bridges.html")
    card = page.locator('[data-bridge="shown"]')
    await expect(card.locator('[data-role="broker"]')).to_have_text("connected", timeout=15000)
    await expect(card.locator('[data-role="mappings"]')).to_contain_text(
        "amqp fanout shown_ex -> wamp amqp.shown_ex.<routing key>"
    )
    connection = await aio_pika.connect(rabbitmq.url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange("shown_ex", "fanout", durable=True)
        await exchange.publish(aio_pika.Message(b'{"n": 1}', content_type="application/json"), "")
    await expect(card.locator('[data-role="rates"]')).to_contain_text("(1)", timeout=15000)
    await screenshot(page, "bridges-page")
    assert console.errors == []
