"""RabbitMQ <-> WAMP mapping rules, pure: specs, topic names, messages, loop prevention.

Inbound (RabbitMQ -> WAMP), one spec per exchange::

    exchange[:kind[:binding key]][=topic]

``kind`` is ``fanout`` (default), ``direct`` or ``topic``; the binding key
defaults to ``#`` for topic exchanges. The WAMP topic is the one given, else
``amqp.<exchange>.<routing key>`` (``amqp.<exchange>`` for an empty key).

Outbound (WAMP -> RabbitMQ), one spec per topic prefix::

    topic prefix=exchange[:kind]

An event on ``<prefix><rest>`` is published to the exchange with routing key
``<rest>``.

Every event published from RabbitMQ carries the keyword argument ``_amqp``
(exchange, routing key, headers, content type), and every message published
from WAMP carries the header ``x-wampgate-origin``. The bridge never sends an
event with ``_amqp`` to RabbitMQ and never publishes a message with that
header to WAMP, so WAMP -> AMQP -> WAMP loops cannot form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from wampgate.components.bridge import Payload, decode_body, encode_event, join_topic
from wampgate.components.errors import SettingsError
from wampgate.contract import uris

ExchangeKind = Literal["fanout", "direct", "topic"]
KINDS: tuple[ExchangeKind, ...] = ("fanout", "direct", "topic")
META = "_amqp"
ORIGIN_HEADER = "x-wampgate-origin"
TOPIC_HEADER = "x-wampgate-topic"
#: Keyword names a WAMP publish cannot carry as keyword arguments.
RESERVED = frozenset({"options", META})

_NAME = re.compile(r"[A-Za-z0-9_.:-]+")
_TOPIC = re.compile(r"[^\s#]+")


def _kind(text: str, spec: str) -> ExchangeKind:
    if text not in KINDS:
        raise SettingsError(f"{spec!r}: exchange kind {text!r} is not one of {', '.join(KINDS)}")
    return text


def _exchange(name: str, spec: str) -> str:
    if not _NAME.fullmatch(name):
        raise SettingsError(f"{spec!r}: {name!r} is not an exchange name")
    return name


@dataclass(frozen=True)
class Inbound:
    """RabbitMQ -> WAMP: one exchange (and binding key) to WAMP topics."""

    exchange: str
    kind: ExchangeKind = "fanout"
    binding_key: str = ""
    topic: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Inbound:
        source, _, topic = spec.partition("=")
        name, _, rest = source.strip().partition(":")
        kind_text, _, binding = rest.partition(":")
        kind = _kind(kind_text or "fanout", spec)
        if topic and not _TOPIC.fullmatch(topic.strip()):
            raise SettingsError(f"{spec!r}: {topic.strip()!r} is not a WAMP topic")
        if kind == "topic" and not binding:
            binding = "#"
        return cls(_exchange(name, spec), kind, binding, topic.strip() or None)

    def queue_name(self, bridge: str) -> str:
        """The bridge's durable queue: survives the bridge, so nothing published is lost."""
        key = f".{self.binding_key}" if self.binding_key else ""
        return f"wampgate.{bridge}.{self.exchange}{key}"

    def topic_for(self, routing_key: str) -> str:
        if self.topic is not None:
            return self.topic
        return join_topic(uris.AMQP_TOPIC_PREFIX, self.exchange, routing_key)

    def describe(self) -> str:
        key = f" ({self.binding_key})" if self.binding_key else ""
        target = self.topic or f"{join_topic(uris.AMQP_TOPIC_PREFIX, self.exchange)}.<routing key>"
        return f"amqp {self.kind} {self.exchange}{key} -> wamp {target}"


@dataclass(frozen=True)
class Outbound:
    """WAMP -> RabbitMQ: events under a topic prefix to an exchange."""

    prefix: str
    exchange: str
    kind: ExchangeKind = "fanout"

    @classmethod
    def parse(cls, spec: str) -> Outbound:
        prefix, sep, target = spec.partition("=")
        if not sep or not prefix.strip() or not _TOPIC.fullmatch(prefix.strip()):
            raise SettingsError(f"{spec!r}: expected 'topic prefix=exchange[:kind]'")
        name, _, kind_text = target.strip().partition(":")
        return cls(prefix.strip(), _exchange(name, spec), _kind(kind_text or "fanout", spec))

    def routing_key(self, topic: str) -> str:
        return topic.removeprefix(self.prefix).strip(".")

    def describe(self) -> str:
        return f"wamp {self.prefix}* -> amqp {self.kind} {self.exchange}"


@dataclass(frozen=True)
class Event:
    """What to publish on WAMP for one RabbitMQ message."""

    topic: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


def to_event(
    route: Inbound,
    body: bytes,
    *,
    routing_key: str = "",
    content_type: str | None = None,
    headers: Mapping[str, Any] | None = None,
) -> Event | None:
    """The WAMP event for a message, or None when it came from WAMP (loop prevention)."""
    headers = dict(headers or {})
    if ORIGIN_HEADER in headers:
        return None
    payload: Payload = decode_body(body, content_type)
    meta: dict[str, Any] = {"exchange": route.exchange, "routing_key": routing_key}
    if headers:
        meta["headers"] = {k: _plain(v) for k, v in headers.items()}
    if content_type:
        meta["content_type"] = content_type
    if payload.encoding:
        meta["encoding"] = payload.encoding
    args, kwargs = payload.args, dict(payload.kwargs or {})
    if RESERVED & kwargs.keys():
        # Autobahn's publish() takes "options" for itself: keep such an object whole.
        args, kwargs = (kwargs,), {}
    kwargs[META] = meta
    return Event(route.topic_for(routing_key), args, kwargs)


def _plain(value: Any) -> Any:
    """A header value the WAMP serializers can carry (AMQP tables may hold bytes)."""
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


@dataclass(frozen=True)
class Message:
    """What to publish on RabbitMQ for one WAMP event."""

    exchange: str
    routing_key: str
    body: bytes
    headers: dict[str, str]
    content_type: str = "application/json"


def to_message(
    route: Outbound, topic: str, args: Sequence[Any], kwargs: Mapping[str, Any], bridge: str
) -> Message | None:
    """The RabbitMQ message for an event, or None when it came from RabbitMQ."""
    if META in kwargs:
        return None
    return Message(
        exchange=route.exchange,
        routing_key=route.routing_key(topic),
        body=encode_event(args, kwargs),
        headers={ORIGIN_HEADER: bridge, TOPIC_HEADER: topic},
    )


def routes_for(topic: str, routes: Sequence[Outbound]) -> list[Outbound]:
    return [r for r in routes if topic.startswith(r.prefix)]
