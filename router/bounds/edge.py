"""Where a message from the network becomes WAMP messages: the depth check and the HELLO timer.

Autobahn hands every received WebSocket message to
``WampWebSocketProtocol.onMessage`` and every RawSocket message to
``WampRawSocketProtocol.stringReceived``; both parse it with the
connection's serializer and pass each WAMP message to the router session.
That is the one place that sees the raw bytes before anything expensive
runs, so the bounds replace these two methods on Crossbar's *server*
protocols (client protocols, e.g. router links, are left alone):

- JSON deeper than ``max_depth`` is refused before parsing (the stock path
  recurses once per level, and a 100,000-deep message costs the whole
  router tens of seconds and megabytes of traceback);
- a message that does not parse, or that the session refuses as a protocol
  violation, closes its own connection with one log line and no payload.

The HELLO timer starts when the protocol gets its connection and closes it
if no WAMP session has joined by ``hello_timeout``; losing the connection
cancels it (a session that joined and left is not reported as never joined).
"""

from __future__ import annotations

import json
from typing import Any

import txaio
from autobahn.wamp import message
from autobahn.wamp.exception import ApplicationError, ProtocolError
from crossbar.router import protocol as crossbar_protocol
from wampgate.router.bounds.deadline import joined
from wampgate.router.bounds.limits import (
    Limits,
    call_request_id,
    excerpt,
    json_depth_exceeds,
    lone_surrogate_outside_payload,
)
from wampgate.router.bounds.transport import abort, peer_of

log = txaio.make_logger()

# WebSocket close code 1008: policy violation (RFC 6455, 7.4.1).
_POLICY_VIOLATION = 1008
# WebSocket close code 1007: data not consistent with the message type (not Unicode).
_INVALID_DATA = 1007


def refuse(proto: Any, reason: str, code: int = _POLICY_VIOLATION) -> None:
    """Close the connection of ``proto`` with one log line naming ``reason``."""
    reason = excerpt(reason)
    log.warn(
        "refused a message from {peer}: {reason}; connection closed",
        peer=peer_of(proto),
        reason=reason,
    )
    if isinstance(proto, crossbar_protocol.WampWebSocketServerProtocol):
        proto._bailout(code, reason)
    else:
        abort(proto)


def _too_deep(proto: Any, payload: bytes, limits: Limits) -> bool:
    """Refuse JSON nested deeper than the limit; a CALL gets its ERROR, the rest a close."""
    if proto._serializer.SERIALIZER_ID != "json":
        return False
    if not json_depth_exceeds(payload, limits.max_depth):
        return False
    reason = f"message nests deeper than {limits.max_depth} levels"
    request = call_request_id(payload)
    if request is None or not joined(proto):
        refuse(proto, reason)
        return True
    log.warn("refused a call from {peer}: {reason}", peer=peer_of(proto), reason=reason)
    proto.send(
        message.Error(
            message.Call.MESSAGE_TYPE, request, ApplicationError.INVALID_ARGUMENT, args=[reason]
        )
    )
    return True


def _not_unicode(proto: Any, payload: bytes) -> bool:
    """Close a connection whose JSON message has a lone surrogate outside its payload."""
    if proto._serializer.SERIALIZER_ID != "json" or b"\\u" not in payload:
        return False
    try:
        parsed = json.loads(payload)
    except ValueError:
        return False
    if not lone_surrogate_outside_payload(payload, parsed):
        return False
    refuse(proto, "a string in the message is not valid Unicode", _INVALID_DATA)
    return True


def _deliver(proto: Any, payload: bytes, is_binary: bool | None, limits: Limits) -> None:
    if proto._session is None or _too_deep(proto, payload, limits):
        return
    if _not_unicode(proto, payload):
        return
    try:
        messages = proto._serializer.unserialize(payload, is_binary)
        for msg in messages:
            proto._session.onMessage(msg)
    except ProtocolError as exc:
        refuse(proto, str(exc))
    except Exception as exc:
        log.error(
            "closed {peer} after an internal error on its message: {kind}: {err}",
            peer=peer_of(proto),
            kind=type(exc).__name__,
            err=excerpt(str(exc)),
        )
        abort(proto)


def _start_hello_timer(proto: Any, limits: Limits) -> None:
    def expire() -> None:
        if not joined(proto) and not getattr(proto, "_wampgate_aborted", False):
            log.warn(
                "closed {peer}: no WAMP session after {timeout:.0f}s",
                peer=peer_of(proto),
                timeout=limits.hello_timeout,
            )
            abort(proto)

    proto._wampgate_hello_timer = txaio.call_later(limits.hello_timeout, expire)


def _stop_hello_timer(proto: Any) -> None:
    """A closed connection needs no timer (its session, if any, has already left)."""
    timer = getattr(proto, "_wampgate_hello_timer", None)
    proto._wampgate_hello_timer = None
    if timer is not None and timer.active():
        timer.cancel()


def install(limits: Limits) -> None:
    """Replace the receive path of Crossbar's WebSocket and RawSocket server protocols."""
    websocket = crossbar_protocol.WampWebSocketServerProtocol
    rawsocket = crossbar_protocol.WampRawSocketServerProtocol

    def on_message(self: Any, payload: bytes, is_binary: bool) -> None:
        _deliver(self, payload, is_binary, limits)

    def string_received(self: Any, payload: bytes) -> None:
        _deliver(self, payload, None, limits)

    def wrap_connection_made(original: Any) -> Any:
        def connection_made(self: Any) -> None:
            original(self)
            _start_hello_timer(self, limits)

        return connection_made

    def wrap_connection_lost(original: Any) -> Any:
        def connection_lost(self: Any, reason: Any) -> None:
            _stop_hello_timer(self)
            original(self, reason)

        return connection_lost

    websocket.onMessage = on_message
    rawsocket.stringReceived = string_received
    for cls in (websocket, rawsocket):
        cls.connectionMade = wrap_connection_made(cls.connectionMade)
        cls.connectionLost = wrap_connection_lost(cls.connectionLost)
