"""Tie a child process's life to its parent's, so nothing outlives its supervisor.

On Linux ``prctl(PR_SET_PDEATHSIG)`` asks the kernel to signal a process as
soon as its parent dies, whatever killed the parent (even SIGKILL). The
component supervisor uses it for itself (it goes when Crossbar goes) and for
its component; the launcher uses it for the Crossbar node. Elsewhere these
are no-ops: the process-group kill on stop remains the backstop.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    return prctl


def die_with_parent(signum: int = signal.SIGTERM) -> None:
    """Have this process receive ``signum`` when its parent dies (now, if it already has)."""
    prctl = _prctl()
    if prctl is None:
        return
    parent = os.getppid()
    prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)
    if parent == 1 or os.getppid() != parent:  # orphaned before the request took effect
        os.kill(os.getpid(), signum)


def preexec(signum: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A ``preexec_fn`` for :class:`subprocess.Popen`: the child dies with its parent.

    The C function is looked up here, in the parent, so the forked child runs
    as little Python as possible before it execs. The signal is tied to the
    thread that calls Popen: call it from a thread that lives as long as the child.
    """
    prctl = _prctl()
    if prctl is None:
        return None
    parent = os.getpid()

    def in_child() -> None:
        prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)
        if os.getppid() != parent:
            os.kill(os.getpid(), signum)

    return in_child
