"""``wampgate up`` as a user runs it: one per state dir, restarts, stop signals, file limit.

One real ``wampgate up`` process runs for this module, with its soft file
limit lowered the way many distributions set it. The tests kill parts of it
for real and wait on what it logs and on the processes themselves.
"""

from __future__ import annotations

import json
import os
import re
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from wampgate.clients import connect
from wampgate.contract import logformat, uris

from tests.conftest import ARTIFACTS, ROOT
from tests.helpers import free_port
from tests.router.test_launcher import group_members, port_open

WAMPGATE = str(Path(sys.executable).parent / "wampgate")
LOW_SOFT_LIMIT = 1024


class Up:
    """A ``wampgate up`` process and every line it printed."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.port, self.echo_port = free_port(), free_port()
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        self.process = subprocess.Popen(
            [
                *(WAMPGATE, "up", "--state-dir", str(state_dir), "--root", str(ROOT)),
                *("--port", str(self.port), "--echo-port", str(self.echo_port)),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            preexec_fn=lambda: resource.setrlimit(
                resource.RLIMIT_NOFILE, (min(LOW_SOFT_LIMIT, hard), hard)
            ),
        )
        self.lines: list[tuple[float, str]] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self.lines.append((time.monotonic(), line.rstrip("\n")))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def count(self, pattern: str) -> int:
        with self._changed:
            return sum(1 for _, line in self.lines if re.search(pattern, line))

    def wait_for(self, pattern: str, times: int = 1, timeout: float = 120) -> tuple[float, str]:
        """The ``times``-th line matching ``pattern`` (when it was read, and the line)."""
        with self._changed:
            found = self._changed.wait_for(lambda: self.count(pattern) >= times, timeout)
            if not found:
                tail = "\n".join(line for _, line in self.lines[-30:])
                raise AssertionError(f"no {times}. line matching {pattern!r}; last lines:\n{tail}")
            return [(t, line) for t, line in self.lines if re.search(pattern, line)][times - 1]

    def joined_before_back(self, downs: int) -> tuple[set[str], set[str]]:
        """Who joined before the first start was announced, and who between the
        ``downs+1``-th going down and the gateway being back."""
        with self._changed:
            text = [line for _, line in self.lines]
        first = next(i for i, line in enumerate(text) if "the gateway went down" in line)
        down = [i for i, line in enumerate(text) if "the gateway went down" in line][downs]
        back = next(i for i, line in enumerate(text) if i > down and "the gateway is back" in line)

        def joined(lines: list[str]) -> set[str]:
            return {m.group(1) for line in lines if (m := logformat.JOINED_PATTERN.search(line))}

        return joined(text[:first]), joined(text[down:back])

    def crossbar_pid(self) -> int:
        _, line = self.wait_for(r"started Crossbar \(pid \d+\)", self.count("started Crossbar"))
        return int(re.search(r"pid (\d+)", line).group(1))  # type: ignore[union-attr]


def children(pid: int) -> list[tuple[int, str]]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append((int(entry), cmdline.strip()))
    return found


def child(pid: int, needle: str) -> int:
    matches = [p for p, cmd in children(pid) if needle in cmd]
    assert len(matches) == 1, (needle, children(pid))
    return matches[0]


def wait_gone(pid: int, timeout: float = 30) -> bool:
    """Whether process ``pid`` ended within ``timeout`` (a pidfd turns readable when it does)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], timeout)[0])
    finally:
        os.close(fd)


async def add_works(url: str) -> bool:
    async with connect(url, connect_timeout=60) as session:
        return bool(await session.call(uris.CALC_ADD, 20, 22) == 42)


def record(name: str, seconds: float) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "recovery.json"
    figures = json.loads(path.read_text()) if path.exists() else {}
    figures[name] = round(seconds, 2)
    path.write_text(json.dumps(figures, indent=2) + "\n")


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    gateway = Up(tmp_path_factory.mktemp("up"))
    try:
        gateway.wait_for("wampgate is up")
        yield gateway
    finally:
        if gateway.process.poll() is None:
            os.killpg(gateway.process.pid, signal.SIGTERM)
            gateway.process.wait(60)


def test_the_file_limit_is_raised_and_logged(up: Up) -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard <= LOW_SOFT_LIMIT:
        pytest.skip("the hard file limit leaves nothing to raise")
    _, line = up.wait_for("open-file limit")
    assert f"raised from {LOW_SOFT_LIMIT} to {hard}" in line
    assert "client connections" in line
    limits = Path(f"/proc/{up.crossbar_pid()}/limits").read_text()
    soft = next(row for row in limits.splitlines() if row.startswith("Max open files")).split()[3]
    assert int(soft) == hard


async def test_a_second_up_on_the_same_state_dir_is_refused(up: Up) -> None:
    config = up.state_dir / "node" / "config.json"
    before = config.stat().st_mtime_ns, config.read_bytes()
    second = subprocess.run(
        [
            *(WAMPGATE, "up", "--state-dir", str(up.state_dir), "--root", str(ROOT)),
            *("--port", str(free_port()), "--echo-port", str(free_port())),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert second.returncode == 1
    output = second.stdout + second.stderr
    assert f"another wampgate up (pid {up.process.pid}) is running" in output, output
    assert "Traceback" not in output
    assert (config.stat().st_mtime_ns, config.read_bytes()) == before
    assert (up.state_dir / "node" / "backend.sock").exists()
    assert await add_works(up.url)
    # A crashed component of the first gateway still rejoins.
    joins = up.count("calc joined")
    supervisor = child(up.crossbar_pid(), "supervise wampgate.components.calc")
    calc = child(supervisor, "-m wampgate.components.calc")
    killed = time.monotonic()
    os.kill(calc, signal.SIGKILL)
    rejoined, _ = up.wait_for("calc joined", joins + 1)
    assert await add_works(up.url)
    record("component_kill_to_rejoin_s", rejoined - killed)


async def test_a_killed_router_worker_is_restarted(up: Up) -> None:
    downs = up.count("the gateway went down")
    worker = child(up.crossbar_pid(), "crossbar.worker.router.RouterController")
    killed = time.monotonic()
    os.kill(worker, signal.SIGKILL)
    _, why = up.wait_for("the gateway went down", downs + 1)
    assert "router worker router died" in why and "restarting in" in why
    back, _ = up.wait_for("the gateway is back", downs + 1)
    assert up.process.poll() is None
    at_start, before_back = up.joined_before_back(downs)
    assert at_start and at_start <= before_back, at_start - before_back
    assert await add_works(up.url)
    record("router_worker_kill_to_ready_s", back - killed)


async def test_a_killed_component_supervisor_takes_its_component_along(up: Up) -> None:
    downs = up.count("the gateway went down")
    supervisor = child(up.crossbar_pid(), "supervise wampgate.components.calc")
    calc = child(supervisor, "-m wampgate.components.calc")
    killed = time.monotonic()
    os.kill(supervisor, signal.SIGKILL)
    assert wait_gone(calc), "the component outlived its supervisor"
    _, why = up.wait_for("the gateway went down", downs + 1)
    assert "guest calc died" in why
    back, _ = up.wait_for("the gateway is back", downs + 1)
    assert await add_works(up.url)
    record("component_supervisor_kill_to_ready_s", back - killed)


@pytest.mark.parametrize("signum", [signal.SIGHUP])
def test_sighup_stops_everything(up: Up, signum: int) -> None:
    crossbar = up.crossbar_pid()
    assert len(group_members(crossbar)) >= 6
    up.process.send_signal(signum)
    assert up.process.wait(60) == 0
    assert group_members(crossbar) == []
    assert not port_open(up.port) and not port_open(up.echo_port)
    assert not (up.state_dir / "node" / "backend.sock").exists()
