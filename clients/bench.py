"""``wampgate bench``: call latency and throughput through the real router.

Every number is taken in one run on one machine, next to a baseline measured
in the same run (a plain WebSocket round trip to the echo server), so results
are compared as ratios rather than against absolute targets. Results are
printed and written as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import websockets
from wampgate.clients.session import ClientSettings, Serializer, Session
from wampgate.contract import uris


@dataclass(frozen=True)
class Latency:
    """Round-trip times of sequential operations, in milliseconds."""

    count: int
    p50: float
    p90: float
    p99: float
    max: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        ms = sorted(s * 1000 for s in seconds)
        if not ms:
            raise ValueError("no samples")

        def pick(q: float) -> float:
            return round(ms[min(len(ms) - 1, int(q * len(ms)))], 3)

        return cls(
            len(ms), round(statistics.median(ms), 3), pick(0.9), pick(0.99), round(ms[-1], 3)
        )


@dataclass(frozen=True)
class BenchResult:
    name: str
    latency: Latency
    per_second: float


async def _sequential(op: Any, count: int) -> Latency:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        await op()
        samples.append(time.perf_counter() - start)
    return Latency.of(samples)


async def _pipelined(op: Any, count: int, window: int) -> float:
    """Operations per second with up to ``window`` in flight at once."""
    gate = asyncio.Semaphore(window)

    async def one() -> None:
        async with gate:
            await op()

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(count)))
    return round(count / (time.perf_counter() - start), 1)


async def bench_echo(url: str, count: int) -> BenchResult:
    """The baseline: a plain WebSocket round trip through the router's /echo."""
    async with websockets.connect(url) as ws:

        async def round_trip() -> None:
            await ws.send("ping")
            await ws.recv()

        for _ in range(min(200, count)):
            await round_trip()
        latency = await _sequential(round_trip, count)

        # Pipelined: the echo server answers in order, so send and receive side by side.
        async def send_all() -> None:
            for _ in range(count):
                await ws.send("ping")

        async def receive_all() -> None:
            for _ in range(count):
                await ws.recv()

        start = time.perf_counter()
        await asyncio.gather(send_all(), receive_all())
        rate = round(count / (time.perf_counter() - start), 1)
    return BenchResult("websocket echo (baseline)", latency, rate)


async def bench_calls(settings: ClientSettings, count: int, window: int) -> BenchResult:
    async with Session(settings) as session:

        async def call() -> None:
            await session.call(uris.CALC_ADD, 2, 3)

        for _ in range(min(200, count)):
            await call()
        latency = await _sequential(call, count)
        rate = await _pipelined(call, count, window)
    return BenchResult(f"call demo.calc.add ({settings.serializer})", latency, rate)


async def run(
    url: str,
    echo_url: str,
    realm: str,
    serializers: Sequence[Serializer],
    count: int,
    window: int,
) -> dict[str, Any]:
    results = [await bench_echo(echo_url, count)]
    for serializer in serializers:
        settings = ClientSettings(url=url, realm=realm, serializer=serializer)
        results.append(await bench_calls(settings, count, window))
    baseline = results[0].latency.p50
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "url": url,
        "calls": count,
        "window": window,
        "results": [
            asdict(r) | {"p50_vs_baseline": round(r.latency.p50 / baseline, 2)} for r in results
        ],
    }


def format_report(report: dict[str, Any]) -> str:
    lines = [
        f"{report['calls']} operations each, pipelined window {report['window']}, "
        f"{report['machine']['cpus']} CPUs",
        f"{'':34} {'p50 ms':>8} {'p99 ms':>8} {'x echo':>7} {'per s':>9}",
    ]
    for r in report["results"]:
        lat = r["latency"]
        lines.append(
            f"{r['name']:34} {lat['p50']:8.3f} {lat['p99']:8.3f} "
            f"{r['p50_vs_baseline']:7.2f} {r['per_second']:9.0f}"
        )
    return "\n".join(lines)


def save(report: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = report["when"].replace(":", "").replace("-", "").replace("+0000", "Z")
    path = directory / f"bench-{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path
