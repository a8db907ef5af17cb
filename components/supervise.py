"""Keep one component running: restart it when it dies, stop it when told to.

Crossbar starts each component as a guest worker but does not restart a
guest that exits. The router starts ``python -m wampgate.components.supervise
wampgate.components.calc`` instead: this small parent runs the component,
restarts it after a crash with growing delays (reset once it has run a
while), and passes SIGTERM/SIGINT on so that stopping stays clean. With
``WAMPGATE_WORKERS=N`` it runs N copies of the component side by side, each
restarted on its own: they share their registrations (a work queue).

The component is a dotted module path (run as ``python -m MODULE``; the
package's own, or one importable from the working directory) or the path of
a ``.py`` file (run as ``python FILE``). Its stderr is the supervisor's, so
what it prints when it fails reaches the router's log right before the
restart line.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from wampgate.components import lifeline
from wampgate.contract import env as names
from wampgate.contract import logformat

log = logging.getLogger("wampgate.components.supervise")


@dataclass(frozen=True)
class Backoff:
    """Restart delays: ``initial``, doubling up to ``maximum``; reset after a healthy run."""

    initial: float = 0.5
    maximum: float = 30.0
    healthy: float = 30.0

    def next_delay(self, previous: float | None, ran_for: float) -> float:
        if previous is None or ran_for >= self.healthy:
            return self.initial
        return min(previous * 2, self.maximum)


def _run(
    command: Sequence[str],
    backoff: Backoff,
    sleep: Callable[[float], None],
    stopping: threading.Event,
    children: dict[int, subprocess.Popen[bytes]],
    worker: int,
) -> int:
    """Keep worker number ``worker`` of ``command`` running; return its last status."""
    env = {**os.environ, names.WORKER: str(worker)}
    delay: float | None = None
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command, env=env, preexec_fn=lifeline.preexec())
        children[worker] = child
        code = child.wait()
        if stopping.is_set() or code == 0:
            return code
        ran_for = time.monotonic() - started
        delay = backoff.next_delay(delay, ran_for)
        log.error(logformat.RESTARTING, command[-1], code, ran_for, delay)
        sleep(delay)
        if stopping.is_set():
            return code


def supervise(
    command: Sequence[str],
    backoff: Backoff = Backoff(),
    sleep: Callable[[float], None] = time.sleep,
    workers: int = 1,
) -> int:
    """Run ``workers`` copies of ``command``, each until it exits 0 or we are told to stop.

    Each copy is restarted on its own and learns its number (1, 2, ...) from
    ``WAMPGATE_WORKER``. Returns the last status of the first copy that ended.
    """
    stopping = threading.Event()
    children: dict[int, subprocess.Popen[bytes]] = {}

    def forward(signum: int, frame: object) -> None:
        stopping.set()
        for child in list(children.values()):
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    if workers == 1:
        return _run(command, backoff, sleep, stopping, children, 1)
    codes: list[int] = []

    def run(worker: int) -> None:
        codes.append(_run(command, backoff, sleep, stopping, children, worker))

    # One thread per copy: each waits for its own child (and is the thread whose
    # end the child's lifeline is tied to).
    threads = [threading.Thread(target=run, args=(n,)) for n in range(1, workers + 1)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        for thread in threads:
            thread.join(timeout=0.5)  # short joins: signals reach the main thread
    return codes[0] if codes else 0


def workers_from_env(environ: Mapping[str, str] = os.environ) -> int:
    """How many copies to run: ``WAMPGATE_WORKERS`` (default 1)."""
    raw = environ.get(names.WORKERS, "1")
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"{names.WORKERS}={raw!r} is not a number of processes (1 or more)")
    return int(raw)


_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
USAGE = "usage: python -m wampgate.components.supervise MODULE|FILE.py"


def component_command(target: str) -> list[str] | None:
    """The command that runs ``target`` (a ``.py`` file or a dotted module path), if either."""
    if target.endswith(".py"):
        return [sys.executable, target]
    if _DOTTED.match(target):
        return [sys.executable, "-m", target]
    return None


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        raise SystemExit(USAGE)
    command = component_command(args[0])
    if command is None:
        raise SystemExit(f"{args[0]!r} is neither a dotted module path nor a .py file\n{USAGE}")
    lifeline.die_with_parent()
    logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
    raise SystemExit(supervise(command, workers=workers_from_env()))


if __name__ == "__main__":
    main()
