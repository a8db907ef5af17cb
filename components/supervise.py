"""Keep one component running: restart it when it dies, stop it when told to.

Crossbar starts each component as a guest worker but does not restart a
guest that exits. The router starts ``python -m wampgate.components.supervise
wampgate.components.calc`` instead: this small parent runs the component,
restarts it after a crash with growing delays (reset once it has run a
while), and passes SIGTERM/SIGINT on so that stopping stays clean.

The component is a dotted module path (run as ``python -m MODULE``; the
package's own, or one importable from the working directory) or the path of
a ``.py`` file (run as ``python FILE``). Its stderr is the supervisor's, so
what it prints when it fails reaches the router's log right before the
restart line.
"""

from __future__ import annotations

import logging
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wampgate.components import lifeline
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


def supervise(
    command: Sequence[str],
    backoff: Backoff = Backoff(),
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run ``command`` until it exits 0 or we are told to stop; return its last status."""
    stopping = False
    child: subprocess.Popen[bytes] | None = None

    def forward(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    delay: float | None = None
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command, preexec_fn=lifeline.preexec())
        code = child.wait()
        if stopping or code == 0:
            return code
        ran_for = time.monotonic() - started
        delay = backoff.next_delay(delay, ran_for)
        log.error(
            logformat.RESTARTING,
            command[-1],
            code,
            ran_for,
            delay,
        )
        sleep(delay)
        if stopping:
            return code


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
    raise SystemExit(supervise(command))


if __name__ == "__main__":
    main()
