"""A CALL that reuses the request id of a call still in flight closes its connection.

WAMP request ids are unique per session while a request is outstanding.
Crossbar's dealer does not check: it keys its invocations by (session,
request id), so a second CALL with the same id overwrites the first's entry,
and when the session leaves, ``Dealer.detach`` fails with a ``KeyError``
(a traceback of ~15 lines per session, and its entries are never removed).
Any anonymous client could repeat that; here the second CALL is a protocol
violation and closes that one connection before the dealer sees it.
"""

from __future__ import annotations

from typing import Any

from crossbar.router.dealer import Dealer
from wampgate.router.bounds.edge import refuse


def install() -> None:
    original = Dealer.processCall

    def process_call(self: Any, session: Any, call: Any) -> None:
        key = (session._session_id, call.request)
        if key in self._invocations_by_call and session._transport is not None:
            refuse(session._transport, f"CALL request id {call.request} is still in flight")
            return
        original(self, session, call)

    Dealer.processCall = process_call
