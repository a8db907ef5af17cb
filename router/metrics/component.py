"""The counters as a component of the router worker: it installs the hook when the router starts.

Like :mod:`wampgate.router.bounds.component`, Crossbar starts it before any
transport, so the first connection is counted; it registers and subscribes
nothing.
"""

from __future__ import annotations

from typing import Any

import txaio
from autobahn.twisted.wamp import ApplicationSession
from wampgate.router.metrics import hook

log = txaio.make_logger()


class Metrics(ApplicationSession):  # type: ignore[misc]
    """Router-embedded session whose only job is :func:`hook.install` at construction."""

    def __init__(self, config: Any = None) -> None:
        hook.install()
        log.info("wampgate metrics installed")
        super().__init__(config)
