"""The limits the router enforces on every connection, and the pure checks behind them.

Defaults (each can be changed in ``extra.limits`` of the bounds component in
``.crossbar/config.json``):

``max_depth`` = 64
    Nesting of one JSON message (arrays and objects, the WAMP envelope
    included). A deeper CALL is answered with ``wamp.error.invalid_argument``
    without being parsed; any other deeper message closes its connection.
    MessagePack and CBOR input are bounded by their decoders (CBOR 400,
    MessagePack 1024 levels); deeper input closes the connection.
``hello_timeout`` = 10 s
    From the moment a WebSocket or RawSocket connection is open until its
    WAMP session has joined (HELLO, authentication, WELCOME). A connection
    still without a session then is closed.
``connect_timeout`` = 20 s
    From TCP accept on the web port until a joined WAMP session, whatever
    the client sends meanwhile (a request dribbled byte by byte included).
``max_send_buffer_client`` = 4 MiB, ``max_send_buffer_backend`` = 64 MiB
    Bytes the router holds for a peer that does not read what it is sent:
    a client connection (WebSocket, RawSocket over TCP) or a component on
    the backend socket. A connection whose pending output passes the limit
    is closed at once and its buffer freed.
``max_callee_backlog`` = 1 MiB
    Bytes waiting for a component before the router stops handing it new
    calls: past it, a CALL whose INVOCATION is larger than 4 KiB is answered
    ``wamp.error.unavailable`` at once (small calls still pass), and past
    twice it every CALL is, so callers flooding a component with large
    arguments get an answer and the component is never dropped for it.
``hold_calls`` = 200
    Calls in flight at which the router stops reading a session's socket
    until half of them are answered: a pipelined flood waits in its own
    connection, not in front of everyone else's.
``max_calls_in_flight`` = 1000, ``max_callee_invocations`` = 2000
    Calls one session may have waiting for their answers, and calls that
    may wait for one component; past either, a CALL is answered
    ``wamp.error.unavailable`` at once.

Message size and connection count are Crossbar's own transport options
(``max_message_size``, ``max_connections``, ``client_timeout``), set in the
node configuration template.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from itertools import accumulate
from typing import Any

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one router worker allows each connection."""

    max_depth: int = 64
    hello_timeout: float = 10.0
    connect_timeout: float = 20.0
    max_send_buffer_client: int = 4 * MIB
    max_send_buffer_backend: int = 64 * MIB
    max_callee_backlog: int = 1 * MIB
    max_calls_in_flight: int = 1000
    hold_calls: int = 200
    max_callee_invocations: int = 2000

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"limit {item.name} must be a positive number, not {value!r}")

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any] | None) -> Limits:
        """Limits from a mapping (the component's ``extra.limits``); unknown keys are an error."""
        extra = dict(extra or {})
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(extra) - known)
        if unknown:
            raise ValueError(f"unknown limit(s): {', '.join(unknown)}")
        return cls(**extra)


# A JSON string literal: brackets inside it do not nest anything.
_STRING = re.compile(rb'"(?:[^"\\]+|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = tuple(1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256))
_CALL_HEAD = re.compile(rb"\s*\[\s*48\s*,\s*(\d{1,16})\s*,")


def json_depth_exceeds(payload: bytes, limit: int) -> bool:
    """Whether the JSON text nests arrays/objects deeper than ``limit``.

    Runs at C speed (regex, translate, accumulate) so that it costs little
    next to parsing and is cheap exactly for the messages parsing cannot
    afford: a 200 KB message nested 100,000 deep takes milliseconds.
    """
    if payload.count(b"[") + payload.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", payload).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit


def call_request_id(payload: bytes) -> int | None:
    """The request id if the JSON text starts like a WAMP CALL (``[48, id, ...``)."""
    match = _CALL_HEAD.match(payload)
    return int(match.group(1)) if match else None


# A \uD800-\uDFFF escape in JSON text: the only way JSON can carry a lone surrogate.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
# How many leading elements of a WAMP message are not payload (args/kwargs follow).
_HEAD_LENGTH = {48: 4, 16: 4, 70: 3, 8: 5}  # CALL, PUBLISH, YIELD, ERROR


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    return False


def lone_surrogate_outside_payload(payload: bytes, parsed: Any) -> bool:
    """Whether a parsed JSON WAMP message has a string that is not valid Unicode outside its
    payload arguments (those get their own answer further on)."""
    if _SURROGATE_ESCAPE.search(payload) is None or not isinstance(parsed, list) or not parsed:
        return False
    kind = parsed[0]
    head = parsed[: _HEAD_LENGTH.get(kind, len(parsed))] if isinstance(kind, int) else parsed
    return _has_lone_surrogate(head)


def excerpt(text: str, limit: int = 120) -> str:
    """``text`` as printable ASCII (escapes for the rest), cut to ``limit`` characters."""
    safe = text.encode("ascii", "backslashreplace").decode("ascii")
    return safe if len(safe) <= limit else safe[: limit - 3] + "..."
