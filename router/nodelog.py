"""What Crossbar's output says about a gateway: booted, who joined, why a start failed.

:class:`NodeLog` is fed Crossbar's output one line at a time. It does no I/O
and knows no threads: the launcher owns the process, the log file and the
locking. The lines it looks for are defined in :mod:`wampgate.contract.logformat`,
where the components and their supervisor write them.
"""

from __future__ import annotations

import enum
import re
from collections import deque
from collections.abc import Iterable

from wampgate.contract import logformat

# Crossbar's import chain prints a NumPy ABI traceback from an optional
# dependency; it is harmless and says nothing about wampgate.
_NOISE_START = "compiled using NumPy 1.x"
_NOISE_END = "_ARRAY_API not found"

# Crossbar prefixes each line with a time stamp and the worker kind and pid.
_PREFIX = re.compile(r"^\S+ \[(?P<kind>\w+)\s+(?P<pid>\d+)\] ?")
# Our own log lines carry "<logger> <LEVEL> " before the message.
_LOGGER = re.compile(r"^[\w.]+ (?:DEBUG|INFO|WARNING|ERROR|CRITICAL) ")
# Crossbar's words when, once the gateway is up, a worker or a guest dies.
_DOWN = re.compile(
    r"Node worker (?P<worker>\S+) ended with error|Guest (?P<guest>\S+) exited with error"
)
# The line of a guest's stderr that names why it stopped.
_REASON = re.compile(
    r"\w(?:Error|Exception)\b|No module named|can't open file|not found|Permission denied"
)


class Line(enum.Enum):
    """What one line of Crossbar's output meant."""

    NOISE = "noise"  # known harmless output: neither logged nor shown
    PLAIN = "plain"  # log it, nothing changed
    CHANGED = "changed"  # booted, a join or a failure: wake up whoever waits


def message(line: str) -> str:
    """``line`` without Crossbar's time stamp and worker prefix, nor our logger prefix."""
    return _LOGGER.sub("", _PREFIX.sub("", line.strip()))


def worth_showing(line: str) -> bool:
    """Whether ``wampgate up`` shows ``line`` on the console when not verbose."""
    return bool(
        logformat.JOINED_PATTERN.search(line)
        or "ERROR" in line
        or "WARN" in line
        or "error" in line
    )


class NodeLog:
    """The state of a starting gateway, as read from Crossbar's output."""

    def __init__(self, components: Iterable[str], tail: int = 40) -> None:
        self.components = frozenset(components)
        self.booted = False
        #: How many times each component joined (more than once: it was restarted).
        self.joins: dict[str, int] = {}
        #: Names that joined but are no component of the config (a misnamed ``Api``).
        self.strangers: set[str] = set()
        #: Why the start failed, in one line, once it has.
        self.failure: str | None = None
        #: Why a gateway that was up lost its router worker or a guest, once it has.
        self.down: str | None = None
        self._noise = False
        self._guest_lines: deque[tuple[str, str]] = deque(maxlen=tail)  # (pid, message)
        self._joined_pids: set[str] = set()

    @property
    def ready(self) -> bool:
        return self.booted and self.components <= set(self.joins)

    @property
    def missing(self) -> list[str]:
        return sorted(self.components - set(self.joins))

    def feed(self, line: str) -> Line:
        """Take one line of output; say whether to keep it and whether anything changed."""
        if _NOISE_START in line:
            self._noise = True
        if self._noise:
            self._noise = _NOISE_END not in line
            return Line.NOISE
        prefix = _PREFIX.match(line)
        pid = prefix.group("pid") if prefix and prefix.group("kind") == "Guest" else None
        if logformat.BOOT_COMPLETE in line:
            self.booted = True
        elif joined := logformat.JOINED_PATTERN.search(line):
            name = joined.group(1)
            if name not in self.components:
                self.strangers.add(name)
                return Line.PLAIN
            self.joins[name] = self.joins.get(name, 0) + 1
            if pid is not None:
                self._joined_pids.add(pid)
        elif self.ready and self.down is None and (gone := _DOWN.search(line)):
            what = f"router worker {gone['worker']}" if gone["worker"] else f"guest {gone['guest']}"
            self.down = f"{what} died: {message(line)[:160]}"
        elif logformat.GUEST_FAILED_PATTERN.search(line) and not self.ready:
            self.failure = self._explain(message(line), pid)
        else:
            if pid is not None and message(line):
                self._guest_lines.append((pid, message(line)))
            return Line.PLAIN
        return Line.CHANGED

    def _explain(self, failed: str, pid: str | None) -> str:
        """The failure line with the last words of the guest that failed, if it left any."""
        if pid is not None:
            said = [text for p, text in self._guest_lines if p == pid]
        else:  # Crossbar's own line: the guest is one that never joined
            said = [text for p, text in self._guest_lines if p not in self._joined_pids]
        reasons = [text for text in said if _REASON.search(text)] or said
        if not reasons or reasons[-1] in failed:
            return failed
        return f"{reasons[-1]} ({failed})"

    def not_ready_reason(self) -> str:
        """What a start that timed out was still waiting for."""
        waiting = ", ".join(self.missing) or "node boot"
        if self.strangers:
            names = ", ".join(sorted(self.strangers))
            return (
                f"waiting for {waiting}; {names} joined instead: a component's Api name must "
                "equal its guest worker id in .crossbar/config.json"
            )
        return f"waiting for {waiting}"
