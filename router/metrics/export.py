"""The counters as Prometheus metric families (``prometheus_client`` renders the text).

A custom collector reads :class:`~wampgate.router.metrics.counts.Counts` when
``/metrics`` is asked for, so the hot path stays plain integer increments.

==================================  =========  ==========================================
series                              type       what
==================================  =========  ==========================================
``wampgate_published_total``        counter    PUBLISH messages the router received
``wampgate_delivered_total``        counter    EVENT messages it sent (one per subscriber)
``wampgate_topic_published_total``  counter    the same per ``topic``
``wampgate_topic_delivered_total``  counter    the same per ``topic``
``wampgate_calls_total``            counter    CALLs per ``procedure``
``wampgate_call_errors_total``      counter    CALLs answered with an ERROR per ``procedure``
``wampgate_call_duration_seconds``  histogram  CALL to final RESULT or ERROR per ``procedure``
``wampgate_sessions``               gauge      sessions joined now per ``role``
``wampgate_sessions_joined_total``  counter    sessions that joined since the router started
==================================  =========  ==========================================
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import accumulate

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector, CollectorRegistry
from wampgate.router.metrics.counts import COUNTS, LATENCY_BUCKETS, Counts
from wampgate.router.metrics.hook import sessions_by_role

_BOUNDS = [*(f"{b:g}" for b in LATENCY_BUCKETS), "+Inf"]


def _per_label(name: str, doc: str, label: str, table: dict[str, int]) -> Metric:
    family = CounterMetricFamily(name, doc, labels=[label])
    for key, value in sorted(table.items()):
        family.add_metric([key], value)
    return family


class CountsCollector(Collector):
    """Reads :class:`Counts` (and the sessions now) at every scrape."""

    def __init__(self, counts: Counts = COUNTS) -> None:
        self.counts = counts

    def collect(self) -> Iterator[Metric]:
        c = self.counts
        yield CounterMetricFamily(
            "wampgate_published", "PUBLISH messages the router received", value=c.published
        )
        yield CounterMetricFamily(
            "wampgate_delivered", "EVENT messages sent, one per subscriber", value=c.delivered
        )
        yield _per_label(
            "wampgate_topic_published", "PUBLISH messages per topic", "topic", c.topic_published
        )
        yield _per_label(
            "wampgate_topic_delivered", "EVENT messages per topic", "topic", c.topic_delivered
        )
        procedures = sorted(c.procedures.items())
        calls = CounterMetricFamily("wampgate_calls", "CALLs per procedure", labels=["procedure"])
        errors = CounterMetricFamily(
            "wampgate_call_errors", "CALLs answered with an ERROR", labels=["procedure"]
        )
        latency = HistogramMetricFamily(
            "wampgate_call_duration_seconds",
            "From CALL to its final RESULT or ERROR",
            labels=["procedure"],
        )
        for uri, p in procedures:
            calls.add_metric([uri], p.calls)
            errors.add_metric([uri], p.errors)
            cumulative = list(zip(_BOUNDS, accumulate(p.buckets), strict=True))
            latency.add_metric([uri], cumulative, sum_value=p.seconds)
        yield from (calls, errors, latency)
        sessions = GaugeMetricFamily("wampgate_sessions", "Sessions joined now", labels=["role"])
        for role, n in sorted(sessions_by_role().items()):
            sessions.add_metric([role], n)
        yield sessions
        yield CounterMetricFamily(
            "wampgate_sessions_joined", "Sessions joined since start", value=c.sessions_joined
        )


def registry(counts: Counts = COUNTS) -> CollectorRegistry:
    """A registry with the counters and the router process's CPU, memory and open files."""
    from prometheus_client import ProcessCollector

    reg = CollectorRegistry(auto_describe=False)
    reg.register(CountsCollector(counts))
    ProcessCollector(registry=reg)
    return reg
