"""What every bridge shares: payload mapping, topic names, backoff and its live state.

A bridge is a component that moves messages between the router and another
broker (RabbitMQ, ZeroMQ, Kafka) or runs another system's jobs (Celery). The
mapping rules here are pure and the same for every broker:

- A JSON body becomes the event's arguments: an array is the positional
  arguments, an object the keyword arguments, any other JSON value the one
  positional argument.
- A text body (``text/*``) is one string argument; any other body is one
  base64 string argument, with its content type kept in the metadata.
- Back from WAMP, one positional argument alone is sent as that JSON value,
  only keyword arguments as a JSON object, several positional ones as an array,
  both kinds as ``{"args": [...], "kwargs": {...}}``.

Every bridge registers ``wampgate.bridge.state.<name>`` (see
:meth:`BridgeState.snapshot`) so ``wampgate bridge list`` and the bridges page
can show it.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from wampgate.components.errors import SettingsError
from wampgate.components.framework import Api
from wampgate.contract import env, uris

BrokerState = Literal["connecting", "connected", "reconnecting", "stopped"]

_NOT_IN_URI = re.compile(r"[\s#]+")


def uri_part(text: str) -> str:
    """A broker's name (routing key, subject, topic) as dotted WAMP URI components.

    >>> uri_part("robot.arm 1..x#")
    'robot.arm_1._.x_'
    """
    return ".".join(_NOT_IN_URI.sub("_", part) or "_" for part in text.split("."))


def join_topic(*parts: str) -> str:
    """Dotted URI of the non-empty ``parts``: ``join_topic("amqp.", "ex", "")`` is ``amqp.ex``."""
    return ".".join(uri_part(p.strip(".")) for p in parts if p.strip("."))


@dataclass(frozen=True)
class Payload:
    """A message's content as WAMP arguments, plus what the broker said about it."""

    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] | None = None
    #: ``"base64"`` when the body was binary; the content type is kept beside it.
    encoding: str | None = None


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    kind = content_type.split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def decode_body(body: bytes, content_type: str | None = None) -> Payload:
    """A broker's message body as WAMP arguments (the rules in the module docstring).

    Without a content type, a body that parses as JSON is JSON.
    """
    if _is_json(content_type) or not content_type:
        try:
            value = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            if _is_json(content_type):
                return Payload((base64.b64encode(body).decode(),), encoding="base64")
        else:
            if isinstance(value, list):
                return Payload(tuple(value))
            if isinstance(value, dict):
                return Payload((), value)
            return Payload((value,))
    if not content_type or content_type.lower().startswith("text/"):
        try:
            return Payload((body.decode(),))
        except UnicodeDecodeError:
            pass
    return Payload((base64.b64encode(body).decode(),), encoding="base64")


def encode_event(args: Sequence[Any], kwargs: Mapping[str, Any]) -> bytes:
    """A WAMP event's arguments as a JSON body (the inverse of :func:`decode_body`)."""
    value: Any
    if kwargs and args:
        value = {"args": list(args), "kwargs": dict(kwargs)}
    elif kwargs:
        value = dict(kwargs)
    elif len(args) == 1:
        value = args[0]
    else:
        value = list(args)
    return json.dumps(value, separators=(",", ":")).encode()


def decode_base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SettingsError("not valid base64") from None


def split_specs(text: str) -> list[str]:
    """Comma- or newline-separated mapping specs, blanks dropped."""
    return [s.strip() for s in re.split(r"[,\n]", text) if s.strip()]


def backoff(initial: float = 0.5, maximum: float = 30.0, factor: float = 2.0) -> Iterator[float]:
    """Delays between reconnection attempts: growing by ``factor`` up to ``maximum``.

    >>> import itertools; list(itertools.islice(backoff(1, 5), 5))
    [1.0, 2.0, 4.0, 5.0, 5.0]
    """
    delay = float(initial)
    while True:
        yield delay
        delay = min(maximum, delay * factor)


def bridge_name(default: str, environ: Mapping[str, str] = os.environ) -> str:
    name = environ.get(env.BRIDGE_NAME, default)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise SettingsError(f"{env.BRIDGE_NAME}={name!r}: use letters, digits, '-' and '_' only")
    return name


class BridgeState:
    """Counters and broker connection state of one bridge, as its state procedure serves them."""

    def __init__(self, name: str, kind: str, mappings: Sequence[str]) -> None:
        self.name = name
        self.kind = kind
        self.mappings = list(mappings)
        self.broker: BrokerState = "connecting"
        self.error = ""
        self.reconnects = 0
        self.counts = {"to_wamp": 0, "from_wamp": 0, "dropped": 0, "skipped": 0}
        self._started = time.monotonic()
        self._window: dict[str, tuple[float, int]] = {}

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] += n

    def connected(self) -> None:
        self.broker = "connected"
        self.error = ""

    def lost(self, error: str) -> None:
        self.broker = "reconnecting"
        self.error = error
        self.reconnects += 1

    def _rate(self, what: str, now: float) -> float:
        # Messages per second since the previous snapshot (or since the start).
        since, before = self._window.get(what, (self._started, 0))
        self._window[what] = (now, self.counts[what])
        return round((self.counts[what] - before) / max(now - since, 1e-3), 2)

    def snapshot(self) -> dict[str, Any]:
        now = time.monotonic()
        return {
            "name": self.name,
            "kind": self.kind,
            "mappings": list(self.mappings),
            "broker": self.broker,
            "error": self.error,
            "reconnects": self.reconnects,
            "counts": dict(self.counts),
            "rates": {w: self._rate(w, now) for w in ("to_wamp", "from_wamp")},
            "uptime": round(now - self._started, 1),
        }


def state_api(state: BridgeState) -> Api:
    """An :class:`Api` holding the bridge's state procedure (more may be added to it).

    Its component name is ``<bridge name>_bridge``: the guest worker id that
    ``wampgate up --bridge`` gives it, and unique when several bridges run.
    """
    api = Api(f"{state.name}_bridge")

    def bridge_state() -> dict[str, Any]:
        """This bridge's mappings, message counters and rates, and broker connection state."""
        return state.snapshot()

    api.procedure(uris.BRIDGE_STATE_PREFIX + state.name)(bridge_state)
    return api
