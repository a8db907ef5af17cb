"""One gateway's processes: a Crossbar node and the components it runs as guests.

:class:`Gateway` is used by ``wampgate up`` and by the test suite. It checks
everything it can before starting (config, ports, Crossbar installed), runs
Crossbar in a process group of its own, feeds its output to a
:class:`~wampgate.router.nodelog.NodeLog` until the node has booted and every
component has joined, and on stop leaves nothing running. It holds the state
directory's :class:`~wampgate.router.lock.StateLock` from prepare to stop, and
copies Crossbar's output into a size-rotated ``node.log``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from wampgate.components import lifeline
from wampgate.contract import env as names
from wampgate.router import render, rlinks, userstore
from wampgate.router import secret as backend_secret
from wampgate.router.config import GatewaySettings
from wampgate.router.errors import GatewayError
from wampgate.router.lock import StateLock
from wampgate.router.logfile import RotatingLog
from wampgate.router.nodelog import Line, NodeLog
from wampgate.router.preflight import (
    check_config,
    check_journal,
    check_port_free,
    crossbar_executable,
)

log = logging.getLogger("wampgate.router")


class Gateway:
    """One Crossbar node started from :class:`GatewaySettings`."""

    def __init__(
        self,
        settings: GatewaySettings,
        *,
        echo: Callable[[str], None] | None = None,
        lock: StateLock | None = None,
        die_with_parent: bool = False,
        check: bool = True,
    ) -> None:
        self.settings = settings
        self._echo = echo
        #: Without a lock given, the gateway takes the state directory's for itself.
        self._own_lock = lock is None
        self._lock = lock or StateLock(settings.state_dir)
        self._die_with_parent = die_with_parent
        self._check = check  # a restart renders the config Crossbar already accepted
        self._interrupted = False
        self._exited = False
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self._log = NodeLog(())
        self.users: list[str] = []
        self._changed = threading.Condition()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def log_file(self) -> Path:
        return self.settings.node_dir / "node.log"

    @property
    def components(self) -> frozenset[str]:
        return self._log.components

    @property
    def joins(self) -> dict[str, int]:
        """How many times each component joined (more than once: it was restarted)."""
        with self._changed:
            return dict(self._log.joins)

    @property
    def ready(self) -> bool:
        return self._log.ready

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env[names.BACKEND_SECRET] = backend_secret.load_or_create(self.settings.secret_file)
        # Guests find python3 and wampgate where this interpreter lives.
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONUNBUFFERED"] = "1"
        env.pop("PYTHONASYNCIODEBUG", None)
        return env

    def prepare(self) -> tuple[list[str], dict[str, str]]:
        """Check and render everything; return the command and environment of the node.

        Nothing in the state directory is touched unless its lock is ours.
        """
        self._lock.acquire()
        try:
            return self._prepare()
        except BaseException:
            if self._own_lock:
                self._lock.release()
            raise

    def _prepare(self) -> tuple[list[str], dict[str, str]]:
        settings = self.settings
        # Written now if absent, so unknown names get the same decoy salt all along.
        store = userstore.ensure(settings.users_file)
        key = rlinks.node_key(settings.node_dir) if settings.rlink_port is not None else None
        config = render.render(render.load_template(settings.root), settings, key)
        self.users = sorted(store.users)
        self._log = NodeLog(render.components(config))
        check_port_free(settings.host, settings.port, "web")
        check_port_free(settings.host, settings.echo_port, "echo")
        if settings.rawsocket_port is not None:
            check_port_free(settings.host, settings.rawsocket_port, "rawsocket")
        if len(str(settings.socket_path).encode()) > 100:
            raise GatewayError(f"state dir path too long for a unix socket: {settings.socket_path}")
        if not settings.vendor_dir.is_dir():
            log.warning("web/node_modules is missing: the pages need `make setup` (npm packages)")
        env = self._environment()
        crossbar = crossbar_executable()
        render.write(config, settings.node_dir)
        if self._check:
            check_config(settings.node_dir, crossbar, env)
            check_journal(settings.journal_url)
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
            preexec_fn=lifeline.preexec() if self._die_with_parent else None,
        )
        if self._process.stdout is None:
            raise GatewayError("Crossbar started without an output pipe")
        self._reader = threading.Thread(
            target=self._follow, args=(self._process.stdout,), name="crossbar-log", daemon=True
        )
        self._reader.start()
        log.info("started Crossbar (pid %d), log in %s", self._process.pid, self.log_file)

    def _follow(self, stream: IO[str]) -> None:
        with RotatingLog(self.log_file) as logfile:
            for line in stream:
                with self._changed:
                    seen = self._log.feed(line)
                if seen is Line.NOISE:
                    continue
                logfile.write(line)
                if self._echo is not None:
                    self._echo(line.rstrip("\n"))
                if seen is Line.CHANGED:  # only once shown: "ready" follows the last join
                    with self._changed:
                        self._changed.notify_all()
        with self._changed:
            if self._log.failure is None:
                self._log.failure = "Crossbar exited"
            self._exited = True
            self._changed.notify_all()

    def interrupt(self) -> None:
        """Wake :meth:`wait_ready` (it raises) and :meth:`wait_down`; safe in a signal handler."""
        with self._changed:  # re-entrant: the handler may run while this thread holds it
            self._interrupted = True
            self._changed.notify_all()

    def wait_down(self) -> str | None:
        """Block until Crossbar exits or loses a worker or guest (say why) or an interrupt."""
        with self._changed:
            self._changed.wait_for(lambda: self._interrupted or self._exited or self._log.down)
            if self._interrupted:
                return None
            if self._log.down is not None:
                return self._log.down
        code = self._process.wait() if self._process is not None else None
        return f"Crossbar exited (status {code})"

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the node booted and every component joined; raise on failure."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self._log.ready:
                if self._interrupted:
                    raise GatewayError("the start was interrupted")
                if self._log.failure is not None:
                    failure = self._log.failure
                    raise GatewayError(
                        f"the gateway failed to start: {failure} (more in {self.log_file})"
                    )
                left = deadline - time.monotonic()
                if left <= 0:
                    raise GatewayError(
                        f"the gateway was not ready after {timeout:.0f}s "
                        f"({self._log.not_ready_reason()}; see {self.log_file})"
                    )
                self._changed.wait(left)

    def wait_for_join(self, component: str, count: int, timeout: float = 60.0) -> None:
        """Block until ``component`` has joined ``count`` times (restarts join again)."""
        with self._changed:
            if not self._changed.wait_for(
                lambda: self._log.joins.get(component, 0) >= count, timeout
            ):
                raise GatewayError(
                    f"{component} did not join a {count}. time within {timeout:.0f}s"
                )

    def wait(self) -> int:
        if self._process is None:
            raise GatewayError("the gateway was never started")
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
        if self._own_lock:
            self._lock.release()
        return code
