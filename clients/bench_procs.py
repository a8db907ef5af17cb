"""Processes around a benchmark: the load processes it starts and the gateway's it samples."""

from __future__ import annotations

import contextlib
import json
import select
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import psutil
from wampgate.clients.errors import BenchError

#: Seconds a load process may take to join and get ready before the run gives up.
READY_TIMEOUT = 60.0


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The value below which a fraction ``q`` of ``sorted_values`` lies (nearest rank)."""
    if not sorted_values:
        raise ValueError("no samples")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def _processes_listening_on(port: int) -> list[psutil.Process]:
    pids = {
        c.pid
        for c in psutil.net_connections(kind="tcp")
        if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port and c.pid
    }
    return [psutil.Process(pid) for pid in sorted(pids)]


class ProcessSampler:
    """CPU and memory of the router worker and the components, per phase.

    The router worker is the process listening on the gateway's web port; the
    components are the other workers of the same Crossbar node.
    """

    def __init__(self, port: int) -> None:
        routers = _processes_listening_on(port)
        self.router = routers[0] if routers else None
        self.components: list[psutil.Process] = []
        if self.router is not None:
            node = self.router.parent()
            if node is not None:
                self.components = [
                    p
                    for p in node.children(recursive=True)
                    if p.pid != self.router.pid and "wampgate.components" in " ".join(p.cmdline())
                ]

    def _all(self) -> list[psutil.Process]:
        return [p for p in [self.router, *self.components] if p is not None]

    def begin(self) -> None:
        self._started = time.perf_counter()
        self._cpu = {p.pid: p.cpu_times() for p in self._all() if p.is_running()}
        self._machine = psutil.cpu_times()

    def end(self) -> dict[str, float | None]:
        wall = time.perf_counter() - self._started

        def pct(process: psutil.Process) -> float:
            before = self._cpu.get(process.pid)
            with contextlib.suppress(psutil.Error):
                now = process.cpu_times()
                if before is not None:
                    used = now.user + now.system - before.user - before.system
                    return max(0.0, 100 * used / wall)
            return 0.0

        machine = psutil.cpu_times()
        busy = sum(machine) - machine.idle - (sum(self._machine) - self._machine.idle)
        stats: dict[str, float | None] = {
            "router_cpu_pct": None,
            "router_rss_mb": None,
            "components_cpu_pct": round(sum(pct(p) for p in self.components), 1),
            "all_cpu_pct": round(100 * busy / wall, 1),
        }
        if self.router is not None:
            stats["router_cpu_pct"] = round(pct(self.router), 1)
            with contextlib.suppress(psutil.Error):
                stats["router_rss_mb"] = round(self.router.memory_info().rss / 2**20, 1)
        return stats


@dataclass
class _Proc:
    role: str
    popen: subprocess.Popen[str]

    @property
    def stdin(self) -> IO[str]:
        assert self.popen.stdin is not None  # created with PIPE
        return self.popen.stdin

    def readline(self, timeout: float) -> str:
        stdout = self.popen.stdout
        assert stdout is not None  # created with PIPE
        ready, _, _ = select.select([stdout], [], [], timeout)
        line = stdout.readline() if ready else ""
        if not line:
            code = self.popen.poll()
            raise BenchError(f"{self.role} load process gave no answer (exit status {code})")
        return line.strip()

    def send(self, line: str) -> None:
        self.stdin.write(line + "\n")
        self.stdin.flush()


def _spawn(role: str, spec: dict[str, Any]) -> _Proc:
    popen = subprocess.Popen(
        [sys.executable, "-m", "wampgate.clients.bench_load", role, json.dumps(spec)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    return _Proc(role, popen)


@dataclass(frozen=True)
class EchoServer:
    url: str


class LoadGroup:
    """Load processes that start together; :meth:`run` returns their results in order."""

    def __init__(
        self, sampler: ProcessSampler, roles: Sequence[tuple[str, dict[str, Any]]]
    ) -> None:
        self.sampler = sampler
        self.roles = roles
        self.procs: list[_Proc] = []
        self.stats: dict[str, float | None] = {}

    def __enter__(self) -> LoadGroup:
        self.procs = [_spawn(role, spec) for role, spec in self.roles]
        try:
            for proc in self.procs:
                if proc.readline(READY_TIMEOUT) != "ready":
                    raise BenchError(f"{proc.role} load process did not get ready")
        except BaseException:
            self.__exit__()
            raise
        return self

    def run(self, seconds_limit: float = 600.0) -> list[dict[str, Any]]:
        self.sampler.begin()
        for proc in self.procs:
            proc.send("go")
        results: dict[int, dict[str, Any]] = {}
        for i, proc in enumerate(self.procs):
            if proc.role != "subscribe":
                results[i] = json.loads(proc.readline(seconds_limit))
        published = next((r["count"] for r in results.values() if "started" in r), 0)
        for i, proc in enumerate(self.procs):
            if proc.role == "subscribe":
                proc.send(str(published))
                results[i] = json.loads(proc.readline(seconds_limit))
        self.stats = self.sampler.end()
        return [results[i] for i in range(len(self.procs))]

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            with contextlib.suppress(OSError):
                proc.stdin.close()
            try:
                proc.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait()

    @staticmethod
    @contextlib.contextmanager
    def echo_server() -> Iterator[EchoServer]:
        proc = _spawn("echo-server", {})
        try:
            word, _, port = proc.readline(READY_TIMEOUT).partition(" ")
            if word != "ready":
                raise BenchError("the reference echo server did not start")
            yield EchoServer(f"ws://127.0.0.1:{port}/")
        finally:
            with contextlib.suppress(OSError):
                proc.stdin.close()
            try:
                proc.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.popen.kill()


def backend_publisher(state_dir: Path, realm: str) -> dict[str, Any]:
    """The publisher joins like a component: the backend transport with the gateway's secret.

    Anonymous clients may not publish, and a benchmark run on the gateway's own
    machine can read its state directory; nothing else is given these rights.
    """
    from wampgate.router.config import GatewaySettings, find_root

    settings = GatewaySettings(root=find_root(), state_dir=state_dir)
    try:
        secret = settings.secret_file.read_text().strip()
    except OSError as exc:
        raise BenchError(
            f"cannot read the backend secret in {state_dir} ({exc.strerror}): run the bench on "
            "the gateway's machine, or as a named user (--user, password in WAMPGATE_PASSWORD)"
        ) from None
    return {
        "url": f"unix:{settings.socket_path}",
        "realm": realm,
        "serializer": "msgpack",
        "authentication": {"wampcra": {"authid": "backend", "secret": secret}},
    }
