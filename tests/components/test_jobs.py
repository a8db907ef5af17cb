"""The jobs component over two worker processes: a fair work queue through the router."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from wampgate.clients import CallError, Session, connect
from wampgate.components import jobs
from wampgate.components.framework import InvalidArgument
from wampgate.contract import uris
from wampgate.router.launcher import Gateway

from tests.router.test_launcher import group_members

WORKERS = 2  # the session gateway's (tests/conftest.py)


def test_work_burns_cpu_time() -> None:
    assert jobs.work(0.02) >= 0.02


async def test_slow_square_is_typed() -> None:
    proc = jobs.api.procedures[uris.JOBS_SLOW_SQUARE]
    job = await proc.invoke((7, 0), {})
    assert (job["x"], job["square"], job["pid"]) == (7, 49, os.getpid())
    with pytest.raises(InvalidArgument, match="seconds"):
        await proc.invoke((7, 61), {})
    with pytest.raises(InvalidArgument, match="'x'"):
        await proc.invoke((2**40,), {})


async def squares(session: Session, count: int, seconds: float) -> list[dict[str, Any]]:
    calls = [session.call(uris.JOBS_SLOW_SQUARE, n, seconds) for n in range(count)]
    return list(await asyncio.gather(*calls))


def overlapping(done: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Pairs of jobs that one process had at the same time."""
    return [
        (a["x"], b["x"])
        for a in done
        for b in done
        if a["x"] < b["x"] and a["pid"] == b["pid"]
        if a["started"] < b["finished"] and b["started"] < a["finished"]
    ]


async def test_jobs_are_spread_over_the_workers_one_at_a_time(session: Session) -> None:
    done = await squares(session, 3 * WORKERS, 0.2)
    assert [job["square"] for job in done] == [n * n for n in range(3 * WORKERS)]
    # the first calls reach different workers: a busy one gets no second job
    assert len({job["pid"] for job in done[:WORKERS]}) == WORKERS
    assert {job["worker"] for job in done} == set(range(1, WORKERS + 1))
    assert overlapping(done) == []


#: A caller process that sends two long jobs and dies without waiting for them.
LEAVING_CALLER = f"""
import asyncio, os, sys
from wampgate.clients import connect

async def main():
    async with connect(sys.argv[1]) as session:
        for n in range(2):
            asyncio.ensure_future(session.call({uris.JOBS_SLOW_SQUARE!r}, n, 5))
        await asyncio.sleep(0)  # the CALLs are written
        os._exit(0)

asyncio.run(main())
"""


async def test_a_worker_whose_caller_left_takes_jobs_again(url: str) -> None:
    # Both workers get a long job, then its caller dies: the router interrupts them,
    # and when they answer they are free again (Crossbar alone would count them busy).
    caller = await asyncio.create_subprocess_exec(sys.executable, "-c", LEAVING_CALLER, url)
    assert await caller.wait() == 0
    async with connect(url, call_timeout=20) as fresh:
        done = await squares(fresh, 2 * WORKERS, 0.05)
    assert len({job["pid"] for job in done}) == WORKERS


def worker_pids(gateway: Gateway) -> set[int]:
    """The processes running the jobs component (not their supervisor)."""
    assert gateway.pid is not None
    module = b"wampgate.components.jobs"
    pids = set()
    for pid in group_members(gateway.pid):
        with contextlib.suppress(OSError):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if cmdline[-2:] == [module, b""] and b"wampgate.components.supervise" not in cmdline:
                pids.add(pid)
    return pids


async def test_a_killed_worker_fails_only_its_own_job_and_comes_back(
    gateway: Gateway, session: Session
) -> None:
    joins = gateway.joins["jobs"]
    calls = [asyncio.ensure_future(session.call(uris.JOBS_SLOW_SQUARE, n, 0.5)) for n in range(6)]
    first, _ = await asyncio.wait(calls, return_when=asyncio.FIRST_COMPLETED)
    # Both workers got a job at once; one answered, the other is (most likely) mid-job.
    survivor = next(iter(first)).result()["pid"]
    (victim,) = worker_pids(gateway) - {survivor}
    os.kill(victim, signal.SIGKILL)
    outcomes = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 60)
    errors = [o for o in outcomes if not isinstance(o, dict)]
    # The router answers the victim's job wamp.error.canceled at once: not a timeout.
    assert all(isinstance(e, CallError) for e in errors), errors
    assert len(errors) <= 1  # only the job the victim had; the queued ones were served
    await asyncio.to_thread(gateway.wait_for_join, "jobs", joins + 1, 60)
    done = await squares(session, 2 * WORKERS, 0.05)
    pids = {job["pid"] for job in done}
    assert survivor in pids and victim not in pids and len(pids) == WORKERS
    assert "wampgate.components.jobs exited with status -9" in gateway.log_file.read_text()
