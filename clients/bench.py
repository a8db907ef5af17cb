"""``wampgate bench``: RPC latency, RPC throughput and pub/sub delivery through the router.

Every figure is taken in one run on one machine next to a reference measured
in the same run, a plain ``websockets`` echo pair with the same payload, and
is reported as a ratio to it: absolute numbers move with the machine and its
load, ratios much less. Load runs in processes of its own
(:mod:`wampgate.clients.bench_load`) and each phase samples the CPU and memory
of the router worker and of the components.

Scenarios, for each path (WebSocket + JSON, WebSocket + msgpack, RawSocket +
msgpack when the gateway serves it):

- ``rpc-latency``: one caller, one call at a time: p50/p90/p99/max in ms.
- ``rpc-throughput``: ``in_flight`` calls at once for a fixed time: calls/s, errors.
- ``pubsub``: one publisher, 1, 10 and 100 subscribers spread over processes:
  delivered events/s, and lost = published x subscribers - delivered.

and once, on the first path, ``jobs-throughput``: ``demo.jobs.slow_square``
over 1 and 2 worker processes (:mod:`wampgate.clients.bench_jobs`).
"""

from __future__ import annotations

import json
import math
import os
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wampgate.clients import bench_jobs
from wampgate.clients import bench_rows as measure
from wampgate.clients.bench_procs import LoadGroup, ProcessSampler
from wampgate.contract import uris

#: The payload of one call to demo.calc.add as JSON on the wire: the reference sends as much.
CALL_PAYLOAD = json.dumps([48, 1, {}, uris.CALC_ADD, [2, 3]])
BENCH_TOPIC = "demo.bench.events"
UNJOURNALED_TOPIC = "wampgate.bench.events"  # outside every journal rule by default


@dataclass(frozen=True)
class WampPath:
    """One way to reach the router: transport and serializer."""

    transport: str
    serializer: str
    url: str

    @property
    def label(self) -> str:
        return f"{self.transport}+{self.serializer}"


@dataclass(frozen=True)
class BenchPlan:
    """What one run measures, and for how long."""

    paths: tuple[WampPath, ...]
    seconds: float = 5.0
    in_flight: int = 100
    subscribers: tuple[int, ...] = (1, 10, 100)
    call_processes: int = 2
    #: How the publisher joins: a Target's fields (url, serializer, authentication).
    publisher: dict[str, Any] = field(default_factory=dict)
    realm: str = "realm1"

    #: Subscriber counts for the paths after the first (all of them in a full run).
    other_subscribers: tuple[int, ...] | None = None
    #: Worker counts of the work-queue scenario, and how extra workers join (a Target).
    workers: tuple[int, ...] = (1, 2)
    backend: dict[str, Any] = field(default_factory=dict)
    #: Only this scenario (``rpc``, ``pubsub`` or ``jobs``) after the reference; all if None.
    only: str | None = None

    @classmethod
    def for_gateway(
        cls,
        url: str,
        rawsocket_url: str | None = None,
        proxy_url: str | None = None,
        rlink_url: str | None = None,
        *,
        quick: bool = False,
        **options: Any,
    ) -> BenchPlan:
        """WebSocket with JSON and msgpack, and RawSocket with msgpack where it is served."""
        paths = [WampPath("websocket", "json", url), WampPath("websocket", "msgpack", url)]
        if rawsocket_url:
            paths.append(WampPath("rawsocket", "msgpack", rawsocket_url))
        if proxy_url:  # /ws through Crossbar proxy workers (wampgate up --proxies N)
            paths += [WampPath("proxy", "json", proxy_url), WampPath("proxy", "msgpack", proxy_url)]
        if rlink_url:  # /ws of a second router, the components behind an rlink (--rlink-port)
            paths += [WampPath("rlink", "json", rlink_url), WampPath("rlink", "msgpack", rlink_url)]
        if quick:  # under a minute: short phases, every subscriber count on one path only
            options = {"seconds": 1.0, "other_subscribers": (10,)} | options
        return cls(paths=tuple(paths), **options)


class Bench:
    """Runs a :class:`BenchPlan` against one gateway; :meth:`run` returns the report."""

    def __init__(
        self, plan: BenchPlan, sampler: ProcessSampler, progress: Callable[[str], None]
    ) -> None:
        self.plan = plan
        self.sampler = sampler
        self.rows: list[dict[str, Any]] = []
        self._progress = progress

    def _phase(self, group: LoadGroup, rows: list[dict[str, Any]]) -> None:
        stats = group.stats
        for row in rows:
            row["router_cpu_pct"] = stats.get("router_cpu_pct")
            row["router_rss_mb"] = stats.get("router_rss_mb")
            row["components_cpu_pct"] = stats.get("components_cpu_pct")
            row["all_cpu_pct"] = stats.get("all_cpu_pct")
        self.rows.extend(rows)

    def reference(self) -> None:
        self._progress("reference: websockets echo pair")
        with LoadGroup.echo_server() as server:
            spec = {"url": server.url, "payload": CALL_PAYLOAD, "seconds": self.plan.seconds}
            with LoadGroup(self.sampler, [("echo", spec | {"in_flight": 1})]) as group:
                (result,) = group.run()
            self._phase(group, measure.latency_rows("reference-latency", None, result["latencies"]))
            with LoadGroup(
                self.sampler, [("echo", spec | {"in_flight": self.plan.in_flight})]
            ) as group:
                rate, errors = measure.rate(group.run())
            self._phase(
                group,
                [
                    measure.measurement(
                        "reference-throughput",
                        None,
                        rate,
                        "msg/s",
                        in_flight=self.plan.in_flight,
                        errors=errors,
                    )
                ],
            )

    def rpc(self, path: WampPath) -> None:
        target = {"url": path.url, "realm": self.plan.realm, "serializer": path.serializer}
        spec = {
            "target": target,
            "procedure": uris.CALC_ADD,
            "args": [2, 3],
            "seconds": self.plan.seconds,
        }
        self._progress(f"rpc-latency {path.label}")
        with LoadGroup(self.sampler, [("call", spec | {"in_flight": 1})]) as group:
            (result,) = group.run()
        self._phase(group, measure.latency_rows("rpc-latency", path, result["latencies"]))
        self._progress(f"rpc-throughput {path.label}, {self.plan.in_flight} in flight")
        procs = self.plan.call_processes
        lanes = [math.ceil(self.plan.in_flight / procs)] * procs
        with LoadGroup(self.sampler, [("call", spec | {"in_flight": n}) for n in lanes]) as group:
            rate, errors = measure.rate(group.run())
        self._phase(
            group,
            [
                measure.measurement(
                    "rpc-throughput",
                    path,
                    rate,
                    "calls/s",
                    in_flight=self.plan.in_flight,
                    errors=errors,
                )
            ],
        )

    def pubsub(self, path: WampPath, subscribers: int, topic: str = BENCH_TOPIC) -> None:
        if not self.plan.publisher:
            return
        self._progress(f"pubsub {path.label}, {subscribers} subscriber(s) on {topic}")
        target = {"url": path.url, "realm": self.plan.realm, "serializer": path.serializer}
        procs = min(subscribers, max(1, subscribers // 25), 4) if subscribers > 1 else 1
        procs = max(procs, 2) if subscribers >= 10 else procs
        shares = [
            subscribers // procs + (1 if i < subscribers % procs else 0) for i in range(procs)
        ]
        subs = [("subscribe", {"target": target, "topic": topic, "sessions": n}) for n in shares]
        publisher = (
            "publish",
            {
                "target": self.plan.publisher,
                "topic": topic,
                "payload": {"n": 1},
                "seconds": self.plan.seconds,
                "in_flight": 20,
            },
        )
        with LoadGroup(self.sampler, [publisher, *subs]) as group:
            published, *received = group.run()
        delivered = sum(sum(r["counts"]) for r in received)
        last = max(r["last"] for r in received)
        seconds = max(last - published["started"], published["seconds"])
        lost = published["count"] * subscribers - delivered
        disconnected = sum(r.get("disconnected", 0) for r in received)
        row = measure.measurement(
            "pubsub",
            path,
            delivered / seconds,
            "events/s",
            subscribers=subscribers,
            published=published["count"],
            delivered=delivered,
            lost=lost,
            disconnected=disconnected,
            topic=topic,
        )
        self._phase(group, [row])

    def run(self) -> dict[str, Any]:
        self.reference()
        wanted = {self.plan.only} if self.plan.only else {"rpc", "pubsub", "jobs"}
        for topic in (UNJOURNALED_TOPIC, BENCH_TOPIC) if "journal" in wanted else ():
            self.pubsub(self.plan.paths[0], 1, topic)
        for index, path in enumerate(self.plan.paths):
            if "rpc" in wanted:
                self.rpc(path)
            counts = self.plan.subscribers
            if index and self.plan.other_subscribers is not None:
                counts = self.plan.other_subscribers
            for count in counts if "pubsub" in wanted else ():
                self.pubsub(path, count)
        if "jobs" in wanted and self.plan.workers:
            path = self.plan.paths[0]
            bench_jobs.measure_jobs(self, path, self.plan.workers, self.plan.backend)
        measure.add_ratios(self.rows)
        return {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "seconds_per_phase": self.plan.seconds,
            "measurements": self.rows,
        }
