"""``wampgate soak``: many subscribers, a steady publisher and concurrent callers, counted.

It holds ``subscribers`` sessions on one topic while a named user publishes
``publishes`` events (acknowledged) at ``rate`` per second and ``callers``
sessions call ``demo.calc.add`` back to back. When the publisher is done it
waits (at most ``drain`` seconds) for every event to arrive, then reports
what each subscriber got, what was lost, call errors and latency, and the
router worker's resident memory before, at the peak and after everything
closed. Everything is bounded: counts are capped, and the whole run stops
after ``max_seconds``. Loopback only: the router's memory is read from /proc.
"""

from __future__ import annotations

import asyncio
import ipaddress
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from wampgate.clients.bench_rows import Latency
from wampgate.clients.errors import WampgateError
from wampgate.clients.localproc import listener_pid, rss_mib
from wampgate.clients.session import ClientSettings, Session
from wampgate.contract import uris

MAX_SUBSCRIBERS = 5000
MAX_PUBLISHES = 100_000
MAX_CALLERS = 500


@dataclass(frozen=True)
class SoakSettings:
    client: ClientSettings
    publisher: ClientSettings
    subscribers: int = 1000
    publishes: int = 2000
    rate: float = 50.0
    callers: int = 20
    drain: float = 30.0
    max_seconds: float = 900.0
    topic: str = uris.SOAK_EVENTS


@dataclass
class SoakReport:
    sessions_held: int = 0
    #: Sessions that lost their connection and joined again during the run.
    reconnects: int = 0
    published: int = 0
    delivered_min: int = 0
    delivered_median: float = 0
    delivered_max: int = 0
    lost: int = 0
    calls: int = 0
    call_errors: int = 0
    call_p50_ms: float = 0.0
    call_p99_ms: float = 0.0
    first_call_error: str | None = None
    router_rss_mib: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


def problem(settings: SoakSettings) -> str | None:
    """Why these settings may not run (not loopback, out of bounds), or None."""
    host = urlsplit(settings.client.url).hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        return f"soak runs against a gateway on this machine only (loopback), not {host!r}"
    for name, value, cap in (
        ("subscribers", settings.subscribers, MAX_SUBSCRIBERS),
        ("publishes", settings.publishes, MAX_PUBLISHES),
        ("callers", settings.callers, MAX_CALLERS),
    ):
        if not 0 <= value <= cap:
            return f"{name} must be between 0 and {cap}, not {value}"
    if settings.rate <= 0:
        return f"rate must be positive, not {settings.rate:g}"
    if settings.publisher.authid is None:
        return "soak publishes as a named user: give --user (and WAMPGATE_PASSWORD or --key-file)"
    return None


async def _open_all(settings: ClientSettings, count: int, window: int = 50) -> list[Session]:
    gate = asyncio.Semaphore(window)

    async def one() -> Session:
        async with gate:
            return await Session(settings).open()

    opened = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    sessions = [s for s in opened if isinstance(s, Session)]
    failed = [e for e in opened if isinstance(e, BaseException)]
    if failed:
        await asyncio.gather(*(s.close() for s in sessions))
        raise WampgateError(f"{len(failed)} of {count} sessions could not join: {failed[0]}")
    return sessions


async def _count_events(
    session: Session, topic: str, seen: set[int], subscribed: asyncio.Future[None]
) -> None:
    events = session.subscribe(topic, maxsize=MAX_PUBLISHES)
    try:
        await events.start()
    except BaseException as exc:
        subscribed.set_exception(exc)  # the run stops instead of waiting for it
        raise
    subscribed.set_result(None)
    try:
        async for event in events:
            seen.add(int(event.value["seq"]))
    finally:
        await events.close()


async def _publish(session: Session, settings: SoakSettings) -> int:
    started = time.monotonic()
    for seq in range(settings.publishes):
        delay = started + seq / settings.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)  # pacing the steady rate, not waiting for anything
        await session.publish(settings.topic, {"seq": seq})
    return settings.publishes


async def _call_until(
    session: Session, done: asyncio.Event, times: list[float], errors: list[str]
) -> None:
    while not done.is_set():
        began = time.perf_counter()
        try:
            await session.call(uris.CALC_ADD, len(times), 1)
            times.append(time.perf_counter() - began)
        except WampgateError as exc:
            errors.append(str(exc))
            # An error may come back without a round trip: yield, or the loop starves.
            await asyncio.sleep(0.1)


async def _run(settings: SoakSettings, progress: Callable[[str], None]) -> SoakReport:
    report = SoakReport()
    router = listener_pid(urlsplit(settings.client.url).port or 80)
    report.router_rss_mib["before"] = rss_mib(router)
    began = time.monotonic()
    subscribers = await _open_all(settings.client, settings.subscribers)
    callers = await _open_all(settings.client, settings.callers)
    publisher = await Session(settings.publisher).open()
    everyone = [*subscribers, *callers, publisher]
    report.sessions_held = len(everyone)
    progress(f"{report.sessions_held} sessions joined in {time.monotonic() - began:.1f}s")
    seen: list[set[int]] = [set() for _ in subscribers]
    loop = asyncio.get_running_loop()
    readies: list[asyncio.Future[None]] = [loop.create_future() for _ in subscribers]
    listening = [
        asyncio.ensure_future(_count_events(s, settings.topic, got, ready))
        for s, got, ready in zip(subscribers, seen, readies, strict=True)
    ]
    done = asyncio.Event()
    times: list[float] = []
    errors: list[str] = []
    calling: list[Awaitable[None]] = []
    try:
        pending = (await asyncio.wait(readies, timeout=settings.client.connect_timeout * 6))[1]
        if pending:
            raise WampgateError(f"{len(pending)} of {len(readies)} subscriptions not confirmed")
        await asyncio.gather(*readies)  # raises the first subscription that failed
        progress(f"{len(readies)} subscribed")
        calling = [asyncio.ensure_future(_call_until(c, done, times, errors)) for c in callers]
        report.published = await _publish(publisher, settings)
        progress(f"published {report.published}; waiting for deliveries")
        deadline = time.monotonic() + settings.drain
        while time.monotonic() < deadline and any(len(g) < report.published for g in seen):
            await asyncio.sleep(0.1)  # polling delivery counts, bounded by the drain time
        done.set()
        await asyncio.gather(*calling)
        report.call_errors = len(errors)
        report.first_call_error = errors[0] if errors else None
        report.router_rss_mib["peak"] = rss_mib(router)
    finally:
        done.set()
        for task in listening:
            task.cancel()
        await asyncio.gather(*listening, return_exceptions=True)
        await asyncio.gather(*(s.close() for s in everyone), return_exceptions=True)
        report.reconnects = sum(max(s.joins - 1, 0) for s in everyone)
    counts = [len(g) for g in seen] or [0]
    report.delivered_min, report.delivered_max = min(counts), max(counts)
    report.delivered_median = statistics.median(counts)
    report.lost = sum(max(report.published - c, 0) for c in counts) if seen else 0
    report.calls = len(times)
    if times:
        latency = Latency.of(times)
        report.call_p50_ms, report.call_p99_ms = latency.p50, latency.p99
    report.router_rss_mib["after"] = rss_mib(router)
    report.seconds = round(time.monotonic() - began, 1)
    return report


async def soak(
    settings: SoakSettings, progress: Callable[[str], None] = lambda _: None
) -> SoakReport:
    """Run one bounded soak; raise :class:`WampgateError` if it cannot run or overruns."""
    why = problem(settings)
    if why is not None:
        raise WampgateError(why)
    try:
        return await asyncio.wait_for(_run(settings, progress), settings.max_seconds)
    except TimeoutError:
        raise WampgateError(f"the soak did not finish within {settings.max_seconds:g}s") from None


def format_report(report: SoakReport) -> str:
    rss = report.router_rss_mib
    growth = rss.get("after", 0.0) - rss.get("before", 0.0)
    return "\n".join(
        [
            f"sessions held:  {report.sessions_held}",
            f"reconnects:     {report.reconnects}",
            f"published:      {report.published}",
            f"delivered per subscriber: min {report.delivered_min}, "
            f"median {report.delivered_median:g}, max {report.delivered_max}",
            f"lost:           {report.lost}",
            f"calls:          {report.calls}, errors {report.call_errors}, "
            f"p50 {report.call_p50_ms:.1f} ms, p99 {report.call_p99_ms:.1f} ms",
            *([f"first call error: {report.first_call_error}"] if report.first_call_error else []),
            f"router RSS:     {rss.get('before', 0):.1f} MiB before, {rss.get('peak', 0):.1f} "
            f"at peak, {rss.get('after', 0):.1f} after ({growth:+.1f} MiB)",
            f"took:           {report.seconds:.1f}s",
        ]
    )


def as_json(report: SoakReport) -> dict[str, Any]:
    return asdict(report)
