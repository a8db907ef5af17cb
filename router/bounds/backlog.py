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

from typing import Any, cast

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


def refusal(router: Any, session: Any, msg: Any, limits: Limits) -> str | None:
    """Why the INVOCATION ``msg`` must not go to ``session`` now, or ``None``."""
    if not isinstance(msg, message.Invocation):
        return None
    dealer = router._dealer
    caller = _caller_of(router, msg)
    in_flight = len(dealer._caller_to_invocations.get(caller, ()))
    if in_flight > limits.max_calls_in_flight:
        return (
            f"its caller has {in_flight - 1} calls in flight (limit {limits.max_calls_in_flight})"
        )
    proto = session._transport
    if proto is None or not is_backend(proto):
        return None
    waiting = len(dealer._callee_to_invocations.get(session, ()))
    if waiting > limits.max_callee_invocations:
        return f"its callee has {waiting - 1} calls waiting (limit {limits.max_callee_invocations})"
    backlog = pending_bytes(proto)
    if backlog <= limits.max_callee_backlog:
        return None
    # Serializing here fills the message's cache: the send that follows reuses it.
    size = len(msg.serialize(proto._serializer._serializer))
    if size <= SMALL_INVOCATION and backlog <= 2 * limits.max_callee_backlog:
        return None
    return f"its callee is {backlog} bytes behind (limit {limits.max_callee_backlog})"


def _caller_of(router: Any, invocation: Any) -> Any:
    pending = router._dealer._invocations.get(invocation.request)
    return getattr(pending, "caller", None)


def throttle(router: Any, session: Any, msg: Any, limits: Limits) -> None:
    """Stop reading a caller with many calls in flight; read again once half are answered.

    Its further CALLs wait in its own socket instead of in front of every
    other session's (the router parses and routes what it reads, so a
    pipelined flood read at once costs everyone seconds). Reading resumes
    as answers go out; a caller never waits on itself for long, since its
    calls are already with their callees.
    """
    if isinstance(msg, message.Invocation):
        caller = _caller_of(router, msg)
        if caller is None or getattr(caller, "_wampgate_held", False):
            return
        if len(router._dealer._caller_to_invocations.get(caller, ())) >= limits.hold_calls:
            sock = socket_of(caller._transport)
            if sock is not None:
                caller._wampgate_held = True
                cast(Any, sock).stopReading()
    elif isinstance(msg, message.Result | message.Error) and getattr(
        session, "_wampgate_held", False
    ):
        _release(router, session, limits)


def _release(router: Any, session: Any, limits: Limits) -> None:
    if len(router._dealer._caller_to_invocations.get(session, ())) > limits.hold_calls // 2:
        return
    session._wampgate_held = False
    sock = socket_of(session._transport)
    if sock is not None and sock.connected:
        cast(Any, sock).startReading()
