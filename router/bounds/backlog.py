"""How much a peer may owe: send-buffer limits by kind of peer, and callee backlog.

A component on the backend socket reads as fast as it can process; callers
can send it more than that (large arguments, many at once). Dropping the
component when its buffer is full would hand every caller
``no_such_procedure`` until it rejoins, so before that the router stops
giving it new work: :func:`refusal` says why an INVOCATION is not sent, and
the CALL is answered ``wamp.error.unavailable`` at once. Small calls still
pass until the backlog is twice the limit, so one flooding caller does not
lock out the others' ordinary calls.
"""

from __future__ import annotations

from typing import Any

from autobahn.wamp import message
from twisted.internet import unix
from wampgate.router.bounds.limits import Limits
from wampgate.router.bounds.transport import pending_bytes, socket_of

#: INVOCATIONs up to this size pass a callee's backlog limit (up to twice it).
SMALL_INVOCATION = 4096


def is_backend(proto: Any) -> bool:
    """Whether ``proto`` is a connection on the backend (Unix) socket; cached per connection."""
    known = getattr(proto, "_wampgate_backend", None)
    if known is None:
        known = isinstance(socket_of(proto), unix.Server)
        proto._wampgate_backend = known
    return bool(known)


def max_send_buffer(proto: Any, limits: Limits) -> int:
    return limits.max_send_buffer_backend if is_backend(proto) else limits.max_send_buffer_client


def refusal(session: Any, msg: Any, limits: Limits) -> str | None:
    """Why the INVOCATION ``msg`` must not go to ``session`` now, or ``None``."""
    if not isinstance(msg, message.Invocation):
        return None
    proto = session._transport
    if proto is None or not is_backend(proto):
        return None
    backlog = pending_bytes(proto)
    if backlog <= limits.max_callee_backlog:
        return None
    # Serializing here fills the message's cache: the send that follows reuses it.
    size = len(msg.serialize(proto._serializer._serializer))
    if size <= SMALL_INVOCATION and backlog <= 2 * limits.max_callee_backlog:
        return None
    return f"its callee is {backlog} bytes behind (limit {limits.max_callee_backlog}); try again"
