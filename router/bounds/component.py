"""The bounds as a component of the router worker: it installs the hooks when the router starts.

Crossbar starts the ``components`` of a router worker before its transports,
so the hooks are in place before the first connection is accepted. The
component's ``extra`` block holds the limits (see
:mod:`wampgate.router.bounds.limits`); it registers and subscribes nothing.
"""

from __future__ import annotations

from typing import Any

import txaio
from autobahn.twisted.wamp import ApplicationSession
from wampgate.router import lazylog
from wampgate.router.bounds import deadline, delivery, edge, reuse
from wampgate.router.bounds.limits import Limits

log = txaio.make_logger()

_installed: list[Limits] = []


def install(limits: Limits) -> None:
    """Install the hooks once per process (a second call with other limits is refused)."""
    if _installed:
        if _installed[0] != limits:
            raise ValueError("the bounds are already installed with other limits")
        return
    edge.install(limits)
    deadline.install(limits)
    reuse.install()
    delivery.install(limits)
    _installed.append(limits)
    deferred = lazylog.install()
    log.info("log arguments built only when logged: {n} helpers", n=len(deferred))
    log.info("wampgate bounds installed: {limits}", limits=limits)


class Bounds(ApplicationSession):  # type: ignore[misc]
    """Router-embedded session whose only job is :func:`install` at construction."""

    def __init__(self, config: Any = None) -> None:
        extra = getattr(config, "extra", None) or {}
        install(Limits.from_extra(extra.get("limits")))
        super().__init__(config)
