"""Build the router's log arguments only when a line is really written.

Crossbar and Autobahn format the arguments of every ``log.debug`` call
before the logger drops it: ``pformat`` of the cached authorization on every
CALL and PUBLISH, and colour markup (``hltype``, ``hlid``, ``hlval``,
``hlflag``: click's ``style``) in the dealer, the broker and the WebSocket
send path. Profiled under load that was 22 % of the router's busy time.

:func:`install` replaces those helpers, in the modules of the message path
only, by versions that wrap the call in a :class:`Deferred`: nothing runs
unless the logger formats the line (a str, ``format`` or ``repr`` of it),
and then the text is exactly what the original helper returns.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

#: The modules a WAMP message passes through in the router worker.
MODULES = (
    "crossbar.router.router",
    "crossbar.router.dealer",
    "crossbar.router.broker",
    "crossbar.router.session",
    "crossbar.router.protocol",
    "autobahn.wamp.websocket",
    "autobahn.twisted.websocket",
    "autobahn.websocket.protocol",
)
#: Helpers whose results those modules only hand to the logger.
HELPERS = ("pformat", "hl", "hltype", "hlid", "hlval", "hlflag", "hluserid")
#: Where a helper's result is used as a value, not logged (``Timings.__str__``).
KEEP = {("autobahn.websocket.protocol", "pformat")}


class Deferred:
    """A helper call that runs when its text is asked for."""

    __slots__ = ("_args", "_helper", "_kwargs")

    def __init__(self, helper: Callable[..., Any], args: Any, kwargs: Any) -> None:
        self._helper, self._args, self._kwargs = helper, args, kwargs

    def __str__(self) -> str:
        return str(self._helper(*self._args, **self._kwargs))

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def deferred(helper: Callable[..., Any]) -> Callable[..., Deferred]:
    def call_later(*args: Any, **kwargs: Any) -> Deferred:
        return Deferred(helper, args, kwargs)

    call_later.__wrapped__ = helper  # type: ignore[attr-defined]
    return call_later


def install() -> list[str]:
    """Defer the helpers in :data:`MODULES`; returns what was replaced (idempotent)."""
    replaced = []
    for name in MODULES:
        module = importlib.import_module(name)
        for helper in HELPERS:
            original = getattr(module, helper, None)
            if original is None or (name, helper) in KEEP or hasattr(original, "__wrapped__"):
                continue
            setattr(module, helper, deferred(original))
            replaced.append(f"{name}.{helper}")
    return replaced
