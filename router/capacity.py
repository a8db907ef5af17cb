"""How many connections this process can hold: the open-file limit, raised at start.

Every WebSocket costs the router one file descriptor, and Crossbar inherits
the launcher's limits. Distributions often set a soft limit of 1024 under a
much higher hard limit; :func:`raise_open_files` lifts the soft limit to the
hard one (or to :data:`CEILING` when the hard limit is unlimited) before
Crossbar starts, and :func:`describe` says what that leaves for clients.
"""

from __future__ import annotations

import resource
from dataclasses import dataclass

#: Used when the hard limit is unlimited (RLIM_INFINITY): the kernel's usual nr_open.
CEILING = 1_048_576
#: Descriptors the router itself needs besides client sockets (logs, pipes, backend).
RESERVED = 64


@dataclass(frozen=True)
class FileLimit:
    before: int
    after: int
    hard: int

    @property
    def connections(self) -> int:
        """Client connections the router worker can hold at this limit, roughly."""
        return max(self.after - RESERVED, 0)


def raise_open_files() -> FileLimit:
    """Raise this process's soft open-file limit to its hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = CEILING if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            target = soft
    else:
        target = soft
    return FileLimit(before=soft, after=target, hard=hard)


def describe(limit: FileLimit) -> str:
    raised = f"raised from {limit.before} to" if limit.after > limit.before else "is"
    return (
        f"open-file limit {raised} {limit.after} (hard limit {limit.hard}): "
        f"room for about {limit.connections} client connections"
    )
