"""The log lines the launcher reads to follow a gateway, written and parsed from here.

The components and their supervisor write these lines through ``logging``;
the launcher matches them in Crossbar's log. Keep writer and reader together
so they cannot drift apart.
"""

import re
from typing import Final

#: Crossbar logs this (at info level) once the node and all its workers are up.
BOOT_COMPLETE: Final = "NODE_BOOT_COMPLETE"

#: A component logs this when its session has joined and its procedures are registered.
JOINED: Final = "%s joined %s as %s; serving %d procedure(s)"
JOINED_PATTERN: Final = re.compile(r"\b([\w.-]+) joined \S+ as backend\b")

#: A supervisor logs this when its component died and will be restarted.
RESTARTING: Final = "%s exited with status %s after %.1fs; restarting in %.1fs"

#: Lines that mean a guest could not start (Crossbar's words and the supervisor's).
GUEST_FAILED_PATTERN: Final = re.compile(
    r"Guest .*exited with error|Could not start worker|invalid configuration"
    r"|exited with status -?\d+ after"
)
