"""Where the router hands a WAMP message to a peer: unencodable values and slow readers.

Every message the router sends (INVOCATION to a callee, RESULT and ERROR to a
caller, EVENT to each subscriber) goes through ``Router.send``, which asks
the peer's transport to serialize and write it. This module wraps that one
method because it is the only place that knows both the message and the peer:

- The peer's serializer may not carry a value another peer sent (MessagePack
  has no integers beyond 64 bits, no lone UTF-16 surrogates, no nesting past
  its limit). Stock Crossbar lets that exception escape into a Deferred, so
  the call is never answered. Here a CALL whose INVOCATION cannot be encoded
  is answered with ``wamp.error.invalid_argument`` and forgotten by the
  dealer; a RESULT or ERROR becomes that error; an EVENT is skipped for that
  subscriber only, logged once per publication.
- After each write it looks at the bytes still waiting in the peer's socket
  buffer. Twisted buffers without bound when a peer stops reading; checking
  here catches it whether or not the peer keeps sending, and before the
  buffer grows past the limit by more than one message.
"""

from __future__ import annotations

from typing import Any

import txaio
from autobahn.wamp import message
from autobahn.wamp.exception import ApplicationError, SerializationError
from crossbar.router import protocol as crossbar_protocol
from crossbar.router.router import Router
from wampgate.router.bounds.limits import Limits
from wampgate.router.bounds.transport import abort, peer_of, pending_bytes

log = txaio.make_logger()

# What the serializers raise for values they cannot encode (msgpack raises the
# builtin errors, not Autobahn's SerializationError, on the RawSocket path).
UNENCODABLE = (SerializationError, OverflowError, ValueError, TypeError, RecursionError)

_last_skipped_publication: list[int | None] = [None]


def _invalid(request_type: int, request: int, text: str) -> Any:
    return message.Error(request_type, request, ApplicationError.INVALID_ARGUMENT, args=[text])


def _refuse_invocation(router: Any, callee: Any, invocation: Any, why: str) -> Any:
    dealer = router._dealer
    pending = dealer._invocations.get(invocation.request)
    if pending is None:
        return None
    extra = pending.registration.observers_extra.get(callee, None)
    if extra:
        extra.concurrency_current -= 1
    dealer._remove_invoke_request(pending)
    text = f"the arguments of {pending.call.procedure} cannot be passed to its callee: {why}"
    return pending.caller, _invalid(message.Call.MESSAGE_TYPE, pending.call.request, text)


def _replacement(router: Any, session: Any, msg: Any, why: str) -> Any:
    """The (session, message) to send instead of ``msg``, or None to send nothing."""
    if isinstance(msg, message.Invocation):
        return _refuse_invocation(router, session, msg, why)
    if isinstance(msg, message.Result):
        text = f"the result cannot be passed to the caller: {why}"
        return session, _invalid(message.Call.MESSAGE_TYPE, msg.request, text)
    if isinstance(msg, message.Error) and msg.error != ApplicationError.INVALID_ARGUMENT:
        text = f"the error {msg.error} cannot be passed to the caller: {why}"
        return session, _invalid(msg.request_type, msg.request, text)
    return None


def _log_unencodable(session: Any, msg: Any, why: str) -> None:
    if isinstance(msg, message.Event):
        if _last_skipped_publication[0] == msg.publication:
            return
        _last_skipped_publication[0] = msg.publication
    log.warn(
        "could not pass a {kind} on to session {session}: {why}",
        kind=type(msg).__name__.upper(),
        session=session._session_id,
        why=why,
    )


def _max_send_buffer(proto: Any, limits: Limits) -> int | None:
    if isinstance(proto, crossbar_protocol.WampWebSocketServerProtocol):
        return limits.max_send_buffer_websocket
    if isinstance(proto, crossbar_protocol.WampRawSocketServerProtocol):
        return limits.max_send_buffer_rawsocket
    return None


def _check_send_buffer(session: Any, limits: Limits) -> None:
    proto = session._transport
    limit = _max_send_buffer(proto, limits)
    if limit is None or getattr(proto, "_wampgate_aborted", False):
        return
    pending = pending_bytes(proto)
    if pending > limit:
        log.warn(
            "closed {peer} (session {session}): {pending} bytes wait unread, limit {limit}",
            peer=peer_of(proto),
            session=session._session_id,
            pending=pending,
            limit=limit,
        )
        abort(proto)


def install(limits: Limits) -> None:
    """Wrap ``Router.send`` of every router in this worker."""
    original = Router.send

    def send(self: Any, session: Any, msg: Any) -> None:
        try:
            original(self, session, msg)
        except UNENCODABLE as exc:
            why = f"{type(exc).__name__}: {str(exc)[:160]}"
            _log_unencodable(session, msg, why)
            replacement = _replacement(self, session, msg, why)
            if replacement is not None:
                original(self, *replacement)
            return
        if session._transport is not None:
            _check_send_buffer(session, limits)

    Router.send = send
