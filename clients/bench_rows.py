"""The rows of a ``wampgate bench`` report: one figure each, with its ratio to the reference."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wampgate.clients.bench_procs import percentile


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
        """The summary of ``seconds`` (nearest-rank percentiles); ValueError if empty."""
        ms = sorted(s * 1000 for s in seconds)
        if not ms:
            raise ValueError("no samples")
        return cls(
            len(ms),
            round(statistics.median(ms), 3),
            round(percentile(ms, 0.90), 3),
            round(percentile(ms, 0.99), 3),
            round(ms[-1], 3),
        )


def measurement(scenario: str, path: Any, value: float, unit: str, **extra: Any) -> dict[str, Any]:
    """One row of the JSON output (see the module docstring for the scenarios)."""
    return {
        "scenario": scenario,
        "transport": path.transport if path else "websocket",
        "serializer": path.serializer if path else "text",
        "subscribers": extra.pop("subscribers", None),
        "in_flight": extra.pop("in_flight", None),
        "value": round(value, 3),
        "unit": unit,
        "ratio_to_reference": None,
        "router_cpu_pct": None,
        "router_rss_mb": None,
    } | extra


def latency_rows(scenario: str, path: Any, latencies: list[float]) -> list[dict[str, Any]]:
    summary = Latency.of(latencies)
    return [
        measurement(scenario, path, getattr(summary, name), "ms", in_flight=1, metric=name)
        for name in ("p50", "p90", "p99", "max")
    ]


def rate(results: Sequence[dict[str, Any]]) -> tuple[float, int]:
    """Operations per second over processes that ran side by side, and their errors."""
    seconds = max(r["seconds"] for r in results)
    return sum(r["count"] for r in results) / seconds, sum(r["errors"] for r in results)


def add_ratios(measured: list[dict[str, Any]]) -> None:
    """Fill in each row's ratio to the reference rows of the same run."""
    reference = {
        row["scenario"] + row.get("metric", ""): row["value"]
        for row in measured
        if row["scenario"].startswith("reference")
    }
    for row in measured:
        base = reference["reference-latencyp50" if row["unit"] == "ms" else "reference-throughput"]
        row["ratio_to_reference"] = round(row["value"] / base, 3)
