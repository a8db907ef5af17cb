"""Calls in flight when their connection goes fail at once, not at their deadline.

Autobahn's Component sessions (``_SessionShim.onLeave``) never fail the
requests still outstanding when the transport is lost, as a plain
``ApplicationSession`` does: a call sent just before the router dropped the
connection (say, after pings this process was too busy to answer) would get
no answer and wait out its whole timeout. :class:`InFlight` marks when each
joined session is lost, and :meth:`InFlight.answer` then fails its calls with
``TransportLost`` right away. They are not sent again: they may have run.
"""

from __future__ import annotations

import asyncio
from typing import Any

from autobahn.wamp.exception import TransportLost


class InFlight:
    """The loss of the current session, as something a call can wait on."""

    def __init__(self) -> None:
        self._lost: asyncio.Future[None] | None = None

    def joined(self) -> None:
        self._lost = asyncio.get_running_loop().create_future()

    def lost(self) -> None:
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(None)

    async def answer(self, call: asyncio.Future[Any]) -> Any:
        """The outcome of ``call`` (made on the current session), or TransportLost."""
        lost = self._lost
        if lost is None:
            return await call
        try:
            await asyncio.wait({call, lost}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            call.cancel()  # the deadline passed: the router is told to cancel it
            raise
        if call.done():
            return call.result()
        raise TransportLost("the connection was lost before the answer; the call may have run")
