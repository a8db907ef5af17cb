"""``/metrics`` on the web port: counts of what a test published, delivered and called."""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable

import pytest
from prometheus_client.parser import text_string_to_metric_families
from wampgate.clients import CallError, connect
from wampgate.router.launcher import Gateway
from wampgate.router.metrics.counts import LATENCY_BUCKETS, MAX_LABELS, OTHER, Counts

from tests.conftest import TEST_PASSWORD, TEST_USER

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def metrics_url(gateway: Gateway) -> str:
    return f"http://{gateway.settings.host}:{gateway.settings.port}/metrics"


def scrape(gateway: Gateway) -> Samples:
    with urllib.request.urlopen(metrics_url(gateway), timeout=10) as response:
        assert response.headers["content-type"].startswith("text/plain")
        text = response.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def scraped_until(
    gateway: Gateway, done: Callable[[Samples], bool], timeout: float = 15
) -> Samples:
    """Scrape until ``done`` holds (the page is cached for half a second), or fail."""
    deadline = time.monotonic() + timeout
    while True:
        samples = await asyncio.to_thread(scrape, gateway)
        if done(samples) or time.monotonic() > deadline:
            return samples
        await asyncio.sleep(0.1)  # polling with a deadline: the page has no push


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_count_what_was_published_delivered_and_called(
    gateway: Gateway, url: str
) -> None:
    topic = f"demo.metrics.t{uuid.uuid4().hex[:8]}"
    before = await asyncio.to_thread(scrape, gateway)
    calls_before = value(before, "wampgate_calls_total", procedure="demo.calc.add")
    async with (
        connect(url, authid=TEST_USER, password=TEST_PASSWORD) as publisher,
        connect(url) as first,
        connect(url) as second,
    ):
        async with first.subscribe(topic) as a, second.subscribe(topic) as b:
            for n in range(7):
                await publisher.publish(topic, n)
            for events in (a, b):
                assert [(await anext(events)).value for _ in range(7)] == list(range(7))
        for n in range(5):
            assert await first.call("demo.calc.add", n, 1) == n + 1
        for _ in range(3):
            with pytest.raises(CallError):
                await first.call("demo.calc.broken")
        samples = await scraped_until(
            gateway,
            lambda s: (
                value(s, "wampgate_calls_total", procedure="demo.calc.add") >= calls_before + 5
                and value(s, "wampgate_call_errors_total", procedure="demo.calc.broken") >= 3
            ),
        )
        assert value(samples, "wampgate_sessions", role="user") >= 1
        assert value(samples, "wampgate_sessions", role="anonymous") >= 2
    assert value(samples, "wampgate_topic_published_total", topic=topic) == 7
    assert value(samples, "wampgate_topic_delivered_total", topic=topic) == 14
    assert value(samples, "wampgate_published_total") >= 7
    assert value(samples, "wampgate_delivered_total") >= 14
    add = {"procedure": "demo.calc.add"}
    assert value(samples, "wampgate_calls_total", **add) == calls_before + 5
    assert value(samples, "wampgate_call_duration_seconds_count", **add) == calls_before + 5
    assert value(samples, "wampgate_call_duration_seconds_bucket", le="+Inf", **add) == (
        calls_before + 5
    )
    assert value(samples, "wampgate_call_duration_seconds_sum", **add) > 0
    assert value(samples, "wampgate_call_errors_total", **add) == value(
        before, "wampgate_call_errors_total", **add
    )
    assert value(samples, "wampgate_call_errors_total", procedure="demo.calc.broken") >= 3
    assert value(samples, "wampgate_sessions", role="backend") >= 1
    assert value(samples, "wampgate_sessions_joined_total") >= 3


def test_metrics_refuse_anything_but_get(gateway: Gateway) -> None:
    request = urllib.request.Request(metrics_url(gateway), data=b"x=1", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 405
    # The router is still serving.
    assert value(scrape(gateway), "wampgate_sessions", role="backend") >= 1


def test_label_sets_are_bounded_and_totals_exact() -> None:
    counts = Counts()
    for n in range(MAX_LABELS + 20):
        counts.publish(f"t.{n}")
        counts.deliver(f"t.{n}")
        counts.call(f"p.{n}").answered(0.003, ok=n % 2 == 0)
    assert len(counts.topic_published) == MAX_LABELS + 1
    assert counts.topic_published[OTHER] == 20
    assert counts.topic_delivered[OTHER] == 20
    assert counts.published == counts.delivered == MAX_LABELS + 20
    assert counts.procedures[OTHER].calls == 20
    assert counts.procedures["p.1"].errors == 1
    bucket = counts.procedures["p.0"].buckets
    assert bucket[LATENCY_BUCKETS.index(0.005)] == 1
    assert sum(bucket) == 1
