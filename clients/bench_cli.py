"""``wampgate bench`` on the command line: its options and the command (see :mod:`bench`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from wampgate.clients import bench
from wampgate.clients.bench_procs import ProcessSampler
from wampgate.clients.errors import BenchError, ConnectError, UsageError
from wampgate.clients.settings import ClientSettings
from wampgate.contract import env

log = logging.getLogger("wampgate")

#: Where the JSON and the plot go unless --json / --plot say otherwise.
RESULTS = Path("bench") / "results"


def subscriber_counts(text: str) -> tuple[int, ...]:
    """``"1,10,100"`` → ``(1, 10, 100)``; each at least 1."""
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        values = ()
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expects whole numbers >= 1 like 1,10,100, got {text!r}")
    return values


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expects a whole number >= 1, got {text!r}")
    return value


def add_arguments(p: argparse.ArgumentParser, seconds: Any) -> None:
    """The bench's own options; ``seconds`` is the parser's positive-seconds type."""
    p.add_argument("--quick", action="store_true", help="short phases (under a minute)")
    p.add_argument("--seconds", type=seconds, help="seconds per phase (default 5, --quick 1)")
    p.add_argument(
        "--in-flight", type=positive, default=100, help="calls in flight (default %(default)s)"
    )
    p.add_argument(
        "--subscribers", type=subscriber_counts, help="pub/sub subscriber counts (default 1,10,100)"
    )
    p.add_argument(
        "--rawsocket-url",
        default=os.environ.get(env.RAWSOCKET_URL),
        help=f"also measure RawSocket + msgpack at rs://HOST:PORT (env {env.RAWSOCKET_URL})",
    )
    p.add_argument(
        "--workers",
        type=subscriber_counts,
        help="worker processes of the jobs scenario (default 1,2; the bench starts the extra ones)",
    )
    p.add_argument(
        "--only",
        choices=["rpc", "pubsub", "jobs", "journal"],
        help=f"only this scenario (journal: pub/sub on {bench.UNJOURNALED_TOPIC}, which is not "
        f"journaled, then on the journaled {bench.BENCH_TOPIC})",
    )
    p.add_argument(
        "--proxy-url", help="also measure /ws through the proxy workers (wampgate up --proxies)"
    )
    p.add_argument("--rlink-url", help="also measure /ws of the rlinked second router")
    p.add_argument("--json", metavar="FILE", help=f"JSON results (default {RESULTS}/)")
    p.add_argument("--plot", metavar="FILE", help=f"PNG plot (default {RESULTS}/)")
    p.add_argument("--state-dir", help="the gateway's state dir (for the pub/sub publisher)")
    p.add_argument("--root", help="the wampgate checkout (default: found automatically)")


def _publisher(args: argparse.Namespace, client: ClientSettings, state_dir: Path) -> dict[str, Any]:
    """How the publisher joins: as the named user, else as a backend on this machine."""
    from wampgate.clients.bench_procs import backend_publisher
    from wampgate.router.errors import RouterError

    if client.password is not None:
        login = {"authid": client.authid, "secret": client.password}
        return {"url": client.url, "realm": client.realm, "authentication": {"wampcra": login}}
    try:
        return backend_publisher(state_dir, client.realm)
    except (BenchError, RouterError) as exc:
        log.warning("no pub/sub figures: %s", exc)
        return {}


def _backend(state_dir: Path, realm: str) -> dict[str, Any]:
    """How extra jobs workers join: as a backend on this machine (empty: they cannot)."""
    from wampgate.clients.bench_procs import backend_publisher
    from wampgate.router.errors import RouterError

    try:
        return backend_publisher(state_dir, realm)
    except (BenchError, RouterError):
        return {}


def _reachable(url: str) -> int:
    """The port of ``url`` once a TCP connection to it succeeded (else :class:`ConnectError`)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme in ("wss", "https") else 80)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=5):
            return port
    except OSError as exc:
        raise ConnectError(url, exc.strerror or type(exc).__name__) from None


def measure(plan: bench.BenchPlan, progress: Callable[[str], None]) -> dict[str, Any]:
    """Measure ``plan`` against a running gateway; the report :mod:`bench_report` shows."""
    port = _reachable(plan.paths[0].url)
    for path in plan.paths[1:]:
        _reachable(path.url)
    sampler = ProcessSampler(port)
    if sampler.router is None:
        progress("the router's process is not on this machine: no CPU or memory figures")
    try:
        return bench.Bench(plan, sampler, progress).run()
    except (KeyError, ValueError) as exc:  # a load process answered something unexpected
        raise BenchError(f"a load process gave an unexpected answer: {exc!r}") from None


async def command(
    args: argparse.Namespace, out: TextIO, client: ClientSettings, state_dir: Path
) -> None:
    from wampgate.clients import bench_report

    if args.rawsocket_url is not None and not args.rawsocket_url.startswith("rs://"):
        raise UsageError(f"--rawsocket-url {args.rawsocket_url!r}: expected rs://HOST:PORT")
    options: dict[str, Any] = {"in_flight": args.in_flight, "realm": client.realm}
    if args.seconds is not None:
        options["seconds"] = args.seconds
    if args.subscribers is not None:
        options |= {"subscribers": args.subscribers, "other_subscribers": None}
    if args.workers is not None:
        options["workers"] = args.workers
    publisher = _publisher(args, client, state_dir)
    plan = bench.BenchPlan.for_gateway(
        client.url,
        args.rawsocket_url,
        args.proxy_url,
        args.rlink_url,
        quick=args.quick,
        publisher=publisher,
        backend=_backend(state_dir, client.realm),
        only=args.only,
        **options,
    )
    log.info("benchmarking %s", ", ".join(f"{p.label} at {p.url}" for p in plan.paths))
    report = await asyncio.to_thread(measure, plan, lambda text: log.info("%s", text))
    print(bench_report.format_table(report), file=out)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    json_path = Path(args.json or RESULTS / f"bench-{stamp}.json")
    plot_path = Path(args.plot or RESULTS / f"bench-{stamp}.png")
    bench_report.save_json(report, json_path)
    bench_report.save_plot(report, plot_path)
    log.info("results in %s, plot in %s", json_path, plot_path)
