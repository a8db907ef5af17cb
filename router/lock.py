"""One gateway per state directory: an advisory lock that holds the owner's pid.

``wampgate up`` takes an exclusive :func:`fcntl.flock` on ``<state>/up.lock``
before it touches anything in the state directory (secret, rendered config,
backend socket). A second ``up`` on the same directory finds the lock taken
and stops at once, naming the pid that holds it; the running gateway is left
as it was. The kernel drops the lock when its holder dies, so a crash never
leaves a stale lock behind; the pid in the file is only for the message.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from wampgate.router.errors import GatewayError

LOCK_NAME = "up.lock"


class StateLock:
    """The exclusive lock of one state directory (re-entrant for its holder)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def holder(self) -> str:
        """The pid written by whoever holds the lock (``unknown`` if unreadable)."""
        try:
            return self.path.read_text().strip() or "unknown"
        except OSError:
            return "unknown"

    def acquire(self) -> None:
        if self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Not inherited by Crossbar (os.open fds are non-inheritable): the lock
        # lives exactly as long as this process holds it.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise GatewayError(
                f"another wampgate up (pid {self.holder()}) is running on state dir "
                f"{self.path.parent}; stop it first or pass another --state-dir"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        os.ftruncate(fd, 0)
        os.close(fd)  # closing the only descriptor drops the flock

    def __enter__(self) -> StateLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
