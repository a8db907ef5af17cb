"""The benchmark driver: statistics, and one short run against the real gateway."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from wampgate.clients.bench import Latency
from wampgate.router.launcher import Gateway

from tests.clients.test_cli import run


def test_latency_summary() -> None:
    lat = Latency.of([i / 1000 for i in range(1, 101)])  # 1..100 ms
    assert lat.count == 100
    assert lat.p50 == 50.5
    assert lat.p90 == 91.0
    assert lat.p99 == 100.0
    assert lat.max == 100.0
    with pytest.raises(ValueError):
        Latency.of([])


async def test_bench_writes_results(gateway: Gateway, tmp_path: Path) -> None:
    code, out, err = await run(
        gateway,
        "bench",
        "--calls",
        "30",
        "--window",
        "4",
        "--serializers",
        "json,msgpack",
        "--out",
        str(tmp_path),
    )
    assert code == 0, err
    assert "websocket echo (baseline)" in out and "call demo.calc.add (msgpack)" in out
    (path,) = tmp_path.glob("bench-*.json")
    report = json.loads(path.read_text())
    names = [r["name"] for r in report["results"]]
    assert names == [
        "websocket echo (baseline)",
        "call demo.calc.add (json)",
        "call demo.calc.add (msgpack)",
    ]
    for result in report["results"]:
        assert result["latency"]["count"] == 30
        assert 0 < result["latency"]["p50"] <= result["latency"]["p99"] <= result["latency"]["max"]
        assert result["per_second"] > 0
    assert report["results"][0]["p50_vs_baseline"] == 1.0


async def test_bench_rejects_unknown_serializers(gateway: Gateway) -> None:
    code, _, err = await run(gateway, "bench", "--serializers", "xml")
    assert code == 2 and "--serializers" in err
