"""``wampgate bench``: the rows and the table, then one tiny run against the real gateway.

Only the output format and the counts are checked, never timings: speed is for
the benchmark itself, as ratios within one run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from wampgate.clients import bench_report, bench_rows
from wampgate.clients.bench import WampPath
from wampgate.router.launcher import Gateway

from tests.clients.test_cli import run

ROW_KEYS = {
    "scenario",
    "transport",
    "serializer",
    "subscribers",
    "in_flight",
    "value",
    "unit",
    "ratio_to_reference",
    "router_cpu_pct",
    "router_rss_mb",
}


def test_latency_summary() -> None:
    lat = bench_rows.Latency.of([i / 1000 for i in range(1, 101)])  # 1..100 ms
    assert (lat.count, lat.p50, lat.p90, lat.p99, lat.max) == (100, 50.5, 91.0, 100.0, 100.0)
    with pytest.raises(ValueError):
        bench_rows.Latency.of([])


def test_ratios_are_taken_to_the_reference_of_the_same_run() -> None:
    path = WampPath("websocket", "json", "ws://127.0.0.1:1/ws")
    rows = [
        *bench_rows.latency_rows("reference-latency", None, [0.001, 0.002, 0.003]),
        bench_rows.measurement("reference-throughput", None, 1000.0, "msg/s", in_flight=100),
        *bench_rows.latency_rows("rpc-latency", path, [0.004, 0.004, 0.010]),
        bench_rows.measurement("rpc-throughput", path, 250.0, "calls/s", in_flight=100),
    ]
    bench_rows.add_ratios(rows)
    by_name = {(r["scenario"], r.get("metric")): r for r in rows}
    assert by_name["reference-latency", "p50"]["ratio_to_reference"] == 1.0
    assert by_name["rpc-latency", "p50"]["ratio_to_reference"] == 2.0
    assert by_name["rpc-latency", "max"]["value"] == 10.0
    assert by_name["rpc-throughput", None]["ratio_to_reference"] == 0.25
    assert all(row.keys() >= ROW_KEYS for row in rows)


def _check_report(report: dict[str, Any], subscribers: int) -> None:
    rows = report["measurements"]
    for row in rows:
        assert row.keys() >= ROW_KEYS, row
        assert row["value"] >= 0 and row["ratio_to_reference"] is not None
    scenarios = {(r["scenario"], r["serializer"]) for r in rows}
    assert scenarios == {
        ("reference-latency", "text"),
        ("reference-throughput", "text"),
        *(
            (s, ser)
            for s in ("rpc-latency", "rpc-throughput", "pubsub")
            for ser in ("json", "msgpack")
        ),
        ("jobs-throughput", "json"),
    }
    # The session gateway runs two jobs workers; the bench started the third.
    jobs = [r for r in rows if r["scenario"] == "jobs-throughput"]
    assert [(r["workers"], r["errors"]) for r in jobs] == [(2, 0), (3, 0)]
    assert all(r["value"] > 0 for r in jobs) and jobs[0]["speedup"] == 1.0
    latency = [r for r in rows if r["scenario"] == "rpc-latency" and r["serializer"] == "json"]
    assert [r["metric"] for r in latency] == ["p50", "p90", "p99", "max"]
    assert all(r["unit"] == "ms" for r in latency)
    throughput = [r for r in rows if r["scenario"] == "rpc-throughput"]
    assert {r["in_flight"] for r in throughput} == {4}
    assert all(r["errors"] == 0 and r["value"] > 0 for r in throughput)
    for row in (r for r in rows if r["scenario"] == "pubsub"):
        assert row["subscribers"] == subscribers
        assert row["published"] > 0
        assert row["lost"] == 0 and row["delivered"] == row["published"] * subscribers
        assert row["disconnected"] == 0
    # The router worker of the session gateway was found and sampled.
    assert all(r["router_cpu_pct"] is not None and r["router_rss_mb"] > 0 for r in rows)


async def test_bench_writes_table_json_and_plot(gateway: Gateway, tmp_path: Path) -> None:
    out_json, out_png = tmp_path / "out.json", tmp_path / "out.png"
    code, out, err = await run(
        gateway,
        "bench",
        "--seconds",
        "0.3",
        "--in-flight",
        "4",
        "--subscribers",
        "3",
        "--workers",
        "2,3",
        "--rawsocket-url",
        str(gateway.settings.rawsocket_url),
        "--state-dir",
        str(gateway.settings.state_dir),
        "--json",
        str(out_json),
        "--plot",
        str(out_png),
        timeout=300,
    )
    assert code == 0, err
    report = json.loads(out_json.read_text())
    _check_report(report, subscribers=3)
    assert out_png.read_bytes().startswith(b"\x89PNG")
    assert out.splitlines()[1].split()[:3] == ["path", "measurement", "value"]
    assert "websockets echo pair" in out and "websocket+msgpack" in out
    assert "lost 0" in out
    assert out == bench_report.format_table(report) + "\n"


async def test_bench_usage_errors_exit_2(gateway: Gateway) -> None:
    code, _, err = await run(gateway, "bench", "--seconds", "0")
    assert code == 2 and "--seconds" in err
    code, _, err = await run(gateway, "bench", "--subscribers", "1,x")
    assert code == 2 and "--subscribers" in err


def test_no_extra_jobs_workers_need_no_backend_secret() -> None:
    """Run without the gateway's state dir, the 1-worker phase still runs on the gateway's own."""
    from wampgate.clients.bench_jobs import extra_workers

    with extra_workers({}, 0, 2):
        pass
