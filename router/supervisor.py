"""Keep a gateway up: restart the Crossbar node when it dies, give up loudly when it keeps dying.

:class:`NodeSupervisor` is what ``wampgate up`` runs. It holds the state
directory's lock for its whole life, starts a :class:`Gateway`, and when the
node goes down on its own (the router worker or a component's supervisor
died, or Crossbar exited) logs why, waits a growing delay
(:class:`RestartPolicy`) and starts it again. After ``limit`` restarts within
``window`` seconds it stops and says so. :meth:`NodeSupervisor.request_stop`
(called from the SIGINT/SIGTERM/SIGHUP handlers) ends it all at any point.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wampgate.router.config import GatewaySettings
from wampgate.router.errors import GatewayError
from wampgate.router.gateway import Gateway
from wampgate.router.lock import StateLock

log = logging.getLogger("wampgate.router")


@dataclass(frozen=True)
class RestartPolicy:
    """Delays ``initial`` doubling up to ``maximum``; at most ``limit`` restarts per ``window``."""

    initial: float = 1.0
    maximum: float = 30.0
    limit: int = 5
    window: float = 600.0

    def delay(self, restarts: Sequence[float], now: float) -> float | None:
        """Seconds to wait before the next restart, or None: give up."""
        recent = [t for t in restarts if now - t < self.window]
        if len(recent) >= self.limit:
            return None
        return min(self.initial * float(2 ** len(recent)), self.maximum)


class NodeSupervisor:
    """Runs one gateway until told to stop, restarting its node after a crash."""

    def __init__(
        self,
        settings: GatewaySettings,
        *,
        echo: Callable[[str], None] | None = None,
        policy: RestartPolicy = RestartPolicy(),
        on_ready: Callable[[Gateway], None] | None = None,
    ) -> None:
        self.settings = settings
        self.policy = policy
        self._echo = echo
        self._on_ready = on_ready
        self._lock = StateLock(settings.state_dir)
        self._stopping: str | None = None
        self._gateway: Gateway | None = None
        self._changed = threading.Condition()  # an RLock: usable from a signal handler

    def request_stop(self, why: str) -> None:
        with self._changed:
            self._stopping = self._stopping or why
            self._changed.notify_all()
        if self._gateway is not None:
            self._gateway.interrupt()

    def _run_once(self, first: bool) -> str | None:
        """Start a node, wait until it goes down; return why (None: we were told to stop)."""
        gateway = Gateway(
            self.settings, echo=self._echo, lock=self._lock, die_with_parent=True, check=first
        )
        self._gateway = gateway
        began = time.monotonic()
        try:
            gateway.start()
            gateway.wait_ready()
        except GatewayError as exc:
            gateway.stop()
            if first or self._stopping:
                raise
            return str(exc)
        except BaseException:
            gateway.stop()
            raise
        if first and self._on_ready is not None:
            self._on_ready(gateway)
        elif not first:
            log.warning(
                "the gateway is back (%.1fs after the restart began)", time.monotonic() - began
            )
        if self._stopping:
            gateway.stop()
            return None
        why = gateway.wait_down()
        gateway.stop()
        return None if self._stopping else why

    def run(self) -> int:
        """0 after a requested stop; 1 when the node could not start or kept dying."""
        self._lock.acquire()
        restarts: list[float] = []
        try:
            first = True
            while not self._stopping:
                why = self._run_once(first)
                first = False
                if why is None:
                    break
                now = time.monotonic()
                delay = self.policy.delay(restarts, now)
                if delay is None:
                    log.critical(
                        "giving up: the gateway went down %d times within %.0fs; the last "
                        "time: %s (see %s)",
                        len(restarts) + 1,
                        self.policy.window,
                        why,
                        self.settings.node_dir / "node.log",
                    )
                    return 1
                restarts.append(now)
                log.error("the gateway went down (%s); restarting in %.1fs", why, delay)
                with self._changed:
                    self._changed.wait_for(lambda: self._stopping is not None, delay)
            return 0
        finally:
            self._gateway = None
            self._lock.release()
