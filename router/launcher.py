"""Start and stop a gateway: one Crossbar node and the components it runs as guests.

:class:`Gateway` is used by ``wampgate up`` and by the test suite. It checks
everything it can before starting (config, ports, Crossbar installed), runs
Crossbar in a process group of its own, follows its log until the node has
booted and every component has joined, and on stop leaves nothing running.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from wampgate.router import config as node_config
from wampgate.router import secret as backend_secret
from wampgate.router import users as named_users
from wampgate.router.config import GatewaySettings
from wampgate.router.errors import GatewayError as GatewayError  # also importable from here
from wampgate.router.errors import RouterError

log = logging.getLogger("wampgate.router")

BOOT_COMPLETE = "NODE_BOOT_COMPLETE"
_JOINED = re.compile(r"\b(\w+) joined \S+ as backend\b")
# Before the gateway is ready, a component that dies (its supervisor says so) or a
# guest that cannot start fails the start at once instead of at the timeout.
_GUEST_FAILED = re.compile(
    r"Guest .*exited with error|Could not start worker|invalid configuration"
    r"|exited with status -?\d+ after"
)
# Crossbar's import chain prints a NumPy ABI traceback from an optional
# dependency; it is harmless and says nothing about wampgate.
_NOISE_START = "compiled using NumPy 1.x"
_NOISE_END = "_ARRAY_API not found"


def crossbar_executable() -> str:
    beside = Path(sys.executable).parent / "crossbar"
    if beside.is_file():
        return str(beside)
    found = shutil.which("crossbar")
    if found is None:
        raise GatewayError("crossbar is not installed: run `make setup` (or pip install -e .)")
    return found


def check_port_free(host: str, port: int, what: str) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise GatewayError(
                    f"{what} port {port} on {host} is already in use: stop what holds it "
                    f"(ss -ltnp 'sport = :{port}') or choose another port"
                ) from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise GatewayError(f"{host} is not an address of this machine") from None
            raise GatewayError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


class Gateway:
    """One Crossbar node started from :class:`GatewaySettings`."""

    def __init__(
        self,
        settings: GatewaySettings,
        *,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self._echo = echo
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self.components: set[str] = set()
        self._joined: set[str] = set()
        #: How many times each component joined (more than once: it was restarted).
        self.joins: dict[str, int] = {}
        self._booted = False
        self._failure: str | None = None
        self.users: list[str] = []
        self._changed = threading.Condition()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def log_file(self) -> Path:
        return self.settings.node_dir / "node.log"

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env[backend_secret.ENV_SECRET] = backend_secret.load_or_create(self.settings.secret_file)
        # Guests find python3 and wampgate where this interpreter lives.
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONUNBUFFERED"] = "1"
        env.pop("PYTHONASYNCIODEBUG", None)
        return env

    def prepare(self) -> tuple[list[str], dict[str, str]]:
        """Check and render everything; return the command and environment of the node."""
        settings = self.settings
        users = named_users.load(settings.users_file)
        config = node_config.render(node_config.load_template(settings.root), settings, users)
        self.users = sorted(users)
        self.components = set(node_config.components(config))
        check_port_free(settings.host, settings.port, "web")
        check_port_free("127.0.0.1", settings.echo_port, "echo")
        if len(str(settings.socket_path).encode()) > 100:
            raise GatewayError(f"state dir path too long for a unix socket: {settings.socket_path}")
        if not settings.vendor_dir.is_dir():
            log.warning("web/node_modules is missing: the pages need `make setup` (npm packages)")
        env = self._environment()
        crossbar = crossbar_executable()
        node_config.write(config, settings.node_dir)
        node_config.check(settings.node_dir, crossbar, env)
        settings.socket_path.unlink(missing_ok=True)
        cbdir = str(settings.node_dir)
        return [crossbar, "start", "--cbdir", cbdir, "--loglevel", "info"], env

    def start(self) -> None:
        command, env = self.prepare()
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            env=env,
            start_new_session=True,  # our own process group: stop() reaches every guest
        )
        assert self._process.stdout is not None
        self._reader = threading.Thread(
            target=self._follow, args=(self._process.stdout,), name="crossbar-log", daemon=True
        )
        self._reader.start()
        log.info("started Crossbar (pid %d), log in %s", self._process.pid, self.log_file)

    def _follow(self, stream: IO[str]) -> None:
        noise = False
        with self.log_file.open("a") as logfile:
            for line in stream:
                if _NOISE_START in line:
                    noise = True
                if noise:
                    noise = _NOISE_END not in line
                    continue
                logfile.write(line)
                logfile.flush()
                self._observe(line)
                if self._echo is not None:
                    self._echo(line.rstrip("\n"))
        with self._changed:
            if self._failure is None:
                self._failure = "Crossbar exited"
            self._changed.notify_all()

    def _observe(self, line: str) -> None:
        with self._changed:
            if BOOT_COMPLETE in line:
                self._booted = True
            elif (match := _JOINED.search(line)) and match.group(1) in self.components:
                self._joined.add(match.group(1))
                self.joins[match.group(1)] = self.joins.get(match.group(1), 0) + 1
            elif _GUEST_FAILED.search(line) and not self.ready:
                self._failure = line.strip()
            else:
                return
            self._changed.notify_all()

    @property
    def ready(self) -> bool:
        return self._booted and self.components <= self._joined

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the node booted and every component joined; raise on failure."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self.ready:
                if self._failure is not None:
                    raise GatewayError(
                        f"the gateway failed to start: {self._failure} (see {self.log_file})"
                    )
                left = deadline - time.monotonic()
                if left <= 0:
                    missing = ", ".join(sorted(self.components - self._joined)) or "node boot"
                    raise GatewayError(
                        f"the gateway was not ready after {timeout:.0f}s (waiting for {missing}; "
                        f"see {self.log_file})"
                    )
                self._changed.wait(left)

    def wait_for_join(self, component: str, count: int, timeout: float = 60.0) -> None:
        """Block until ``component`` has joined ``count`` times (restarts join again)."""
        with self._changed:
            if not self._changed.wait_for(lambda: self.joins.get(component, 0) >= count, timeout):
                raise GatewayError(
                    f"{component} did not join a {count}. time within {timeout:.0f}s"
                )

    def wait(self) -> int:
        assert self._process is not None
        return self._process.wait()

    def stop(self, timeout: float = 15.0) -> int | None:
        """Stop the node and its guests; return Crossbar's exit status (1 after SIGTERM)."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("Crossbar did not stop within %.0fs; killing it", timeout)
        # Whatever is left of the group (a guest that ignored the node's stop) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        code = process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)
        self.settings.socket_path.unlink(missing_ok=True)
        return code


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def up(settings: GatewaySettings, *, verbose: bool = False) -> int:
    """``wampgate up``: run a gateway in the foreground until Ctrl-C or SIGTERM."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)

    def show(line: str) -> None:
        if verbose or _JOINED.search(line) or "ERROR" in line or "WARN" in line or "error" in line:
            print(line, flush=True)

    gateway = Gateway(settings, echo=show)
    try:
        gateway.start()
        gateway.wait_ready()
    except (RouterError, OSError) as exc:
        gateway.stop()
        log.error("%s", exc)
        return 1
    except KeyboardInterrupt:
        gateway.stop()
        return 0
    http = f"http://{settings.host}:{settings.port}/"
    log.info("wampgate is up: open %s in a browser", http)
    log.info(
        "WAMP: %s (realm %s), echo: ws://%s:%d/echo",
        settings.url,
        settings.realm,
        settings.host,
        settings.port,
    )
    if gateway.users:
        log.info("named users who may publish: %s", ", ".join(gateway.users))
    log.info("components: %s. Ctrl-C stops everything.", ", ".join(sorted(gateway.components)))
    try:
        code = gateway.wait()
        log.error("Crossbar exited on its own (status %d); see %s", code, gateway.log_file)
        gateway.stop()
        return 1
    except KeyboardInterrupt:
        log.info("stopping ...")
        gateway.stop()
        log.info("stopped; nothing left running")
        return 0
