"""The work-queue scenario of ``wampgate bench``: ``demo.jobs.slow_square`` over 1, 2, ... workers.

Each phase keeps twice as many jobs in flight as the most workers measured,
so the queue never runs dry, and counts finished jobs per second. The
gateway's own processes of the jobs component count as workers; where a
phase wants more, the bench starts them itself on the gateway's backend
transport (with the backend secret from its state directory), the way a
worker on another machine would join, and stops them after the run. A phase
with fewer workers than the gateway runs is left out: start the gateway
with ``--workers 1`` to measure from one.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

from wampgate.clients import bench_rows as measure
from wampgate.clients.bench_procs import READY_TIMEOUT, LoadGroup, ProcessSampler
from wampgate.clients.errors import BenchError
from wampgate.contract import env, logformat, uris

MODULE = "wampgate.components.jobs"
#: CPU seconds of one job: long against a call's overhead, short against a phase.
JOB_SECONDS = 0.05


def gateway_workers(sampler: ProcessSampler) -> int:
    """How many processes of the jobs component the gateway runs (0: unknown or none)."""
    count = 0
    for process in sampler.components:
        with contextlib.suppress(Exception):
            cmdline = process.cmdline()
            if cmdline[-1:] == [MODULE] and not any("supervise" in part for part in cmdline):
                count += 1
    return count


def _joined(proc: subprocess.Popen[str], deadline: float) -> None:
    assert proc.stderr is not None  # created with PIPE
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], deadline - time.monotonic())
        line = proc.stderr.readline() if ready else ""
        if logformat.JOINED_PATTERN.search(line):
            return
        if not line and proc.poll() is not None:
            break
    raise BenchError(f"an extra jobs worker did not join (exit status {proc.poll()})")


@contextlib.contextmanager
def extra_workers(backend: dict[str, Any], count: int, first: int) -> Iterator[None]:
    """``count`` more processes of the jobs component, joined, numbered from ``first``."""
    if count <= 0:  # the gateway's own workers are enough: no backend secret needed
        yield
        return
    wampcra = backend["authentication"]["wampcra"]
    environ = os.environ | {
        env.BACKEND: backend["url"],
        env.BACKEND_SECRET: wampcra["secret"],
        env.REALM: backend["realm"],
    }
    procs: list[subprocess.Popen[str]] = []
    try:
        for n in range(first, first + count):
            proc = subprocess.Popen(
                [sys.executable, "-m", MODULE],
                env=environ | {env.WORKER: str(n)},
                stderr=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                text=True,
            )
            procs.append(proc)
            _joined(proc, time.monotonic() + READY_TIMEOUT)
        yield
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def measure_jobs(bench: Any, path: Any, counts: tuple[int, ...], backend: dict[str, Any]) -> None:
    """One ``jobs-throughput`` row per worker count of ``counts`` that can be measured."""
    own = gateway_workers(bench.sampler)
    if own == 0:
        bench._progress("jobs: the gateway's jobs workers are not on this machine; left out")
        return
    in_flight = 2 * max(counts)
    target = {"url": path.url, "realm": bench.plan.realm, "serializer": path.serializer}
    spec = {
        "target": target,
        "procedure": uris.JOBS_SLOW_SQUARE,
        "args": [3, JOB_SECONDS],
        "seconds": bench.plan.seconds,
        "in_flight": in_flight,
        "warmup": 2,
    }
    rows: list[dict[str, Any]] = []
    for workers in sorted(counts):
        if workers < own:
            bench._progress(f"jobs: {workers} worker(s) left out, the gateway runs {own}")
            continue
        if workers > own and not backend:
            bench._progress("jobs: no backend secret to start more workers with; left out")
            break
        bench._progress(f"jobs-throughput {path.label}, {workers} worker(s)")
        with (
            extra_workers(backend, workers - own, own + 1),
            LoadGroup(bench.sampler, [("call", spec)]) as group,
        ):
            rate, errors = measure.rate(group.run())
        row = measure.measurement(
            "jobs-throughput", path, rate, "jobs/s", in_flight=in_flight, errors=errors
        )
        row |= {"workers": workers, "job_cpu_seconds": JOB_SECONDS}
        rows.append(row)
        bench._phase(group, [row])
    for row in rows:  # the gain over the fewest workers measured in this run
        row["speedup"] = round(row["value"] / rows[0]["value"], 3) if rows[0]["value"] else None
