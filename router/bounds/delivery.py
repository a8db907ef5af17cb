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

import time
from typing import Any

import txaio
from autobahn.wamp import message, serializer
from autobahn.wamp.exception import ApplicationError, SerializationError
from crossbar.router import protocol as crossbar_protocol
from crossbar.router.router import Router
from wampgate.router.bounds.backlog import max_send_buffer, refusal, throttle
from wampgate.router.bounds.limits import Limits
from wampgate.router.bounds.transport import abort, peer_of, pending_bytes

log = txaio.make_logger()

# What the serializers raise for values they cannot encode (msgpack raises the
# builtin errors, not Autobahn's SerializationError, on the RawSocket path).
UNENCODABLE = (SerializationError, OverflowError, ValueError, TypeError, RecursionError)

_last_skipped_publication: list[int | None] = [None]


_SERVER_PROTOCOLS = (
    crossbar_protocol.WampWebSocketServerProtocol,
    crossbar_protocol.WampRawSocketServerProtocol,
)


def _error(request_type: int, request: int, uri: str, text: str) -> Any:
    return message.Error(request_type, request, uri, args=[text])


def _invalid(request_type: int, request: int, text: str) -> Any:
    return message.Error(request_type, request, ApplicationError.INVALID_ARGUMENT, args=[text])


def _refuse_invocation(
    router: Any, callee: Any, invocation: Any, why: str, busy: bool = False
) -> Any:
    dealer = router._dealer
    pending = dealer._invocations.get(invocation.request)
    if pending is None:
        return None
    extra = pending.registration.observers_extra.get(callee, None)
    if extra:
        extra.concurrency_current -= 1
    dealer._remove_invoke_request(pending)
    request = pending.call.request
    if busy:
        text = f"{pending.call.procedure} is not taking more calls now: {why}"
        uri = "wamp.error.unavailable"
        return pending.caller, _error(message.Call.MESSAGE_TYPE, request, uri, text)
    text = f"the arguments of {pending.call.procedure} cannot be passed to its callee: {why}"
    return pending.caller, _invalid(message.Call.MESSAGE_TYPE, request, text)


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


_last_busy_log = [0.0]


def _log_busy(session: Any, why: str) -> None:
    """One line per second at most: a flood would otherwise flood the log too."""
    now = time.monotonic()
    if now - _last_busy_log[0] >= 1.0:
        _last_busy_log[0] = now
        log.warn("refused calls to session {session}: {why}", session=session._session_id, why=why)


def _check_send_buffer(session: Any, limits: Limits) -> None:
    proto = session._transport
    if not isinstance(proto, _SERVER_PROTOCOLS) or getattr(proto, "_wampgate_aborted", False):
        return
    limit = max_send_buffer(proto, limits)
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


def strict_json() -> None:
    """JSON out of the router is standard JSON: NaN and the infinities cannot be carried.

    Python's ``json`` writes them as ``NaN``/``Infinity``, which JavaScript's
    ``JSON.parse`` and most other parsers reject, closing the client's
    connection. Autobahn's encoder class is made to refuse them, so they take
    the unencodable path above.
    """
    encoder = getattr(serializer, "_WAMPJsonEncoder", None)  # absent with AUTOBAHN_USE_UJSON
    if encoder is None or getattr(encoder, "_wampgate_strict", False):
        return

    class StrictEncoder(encoder):  # type: ignore[misc, valid-type]
        _wampgate_strict = True

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **(kwargs | {"allow_nan": False}))

    serializer._WAMPJsonEncoder = StrictEncoder


def install(limits: Limits) -> None:
    """Wrap ``Router.send`` of every router in this worker."""
    strict_json()
    original = Router.send

    def send(self: Any, session: Any, msg: Any) -> None:
        try:
            busy = refusal(self, session, msg, limits)
            if busy is not None:
                _log_busy(session, busy)
                replacement = _refuse_invocation(self, session, msg, busy, busy=True)
                if replacement is not None:
                    original(self, *replacement)
                return
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
        throttle(self, session, msg, limits)

    Router.send = send
