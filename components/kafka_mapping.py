"""Kafka -> WAMP mapping rules, pure: specs, topic names, records to events.

One spec per Kafka topic::

    kafka topic[=wamp topic]

The WAMP topic is the one given, else ``kafka.<kafka topic>``. A record's
value follows the body rules of :mod:`wampgate.components.bridge` (its
``content-type`` header, when present, says what it is); the keyword argument
``_kafka`` carries topic, partition, offset, key and headers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wampgate.components.bridge import decode_body, join_topic
from wampgate.components.errors import SettingsError
from wampgate.contract import uris

META = "_kafka"
RESERVED = frozenset({"options", META})
_KAFKA_TOPIC = re.compile(r"[A-Za-z0-9._-]{1,249}")


@dataclass(frozen=True)
class KafkaRoute:
    topic: str
    wamp_topic: str

    @classmethod
    def parse(cls, spec: str) -> KafkaRoute:
        name, _, target = (part.strip() for part in spec.partition("="))
        if not _KAFKA_TOPIC.fullmatch(name):
            raise SettingsError(f"{spec!r}: {name!r} is not a Kafka topic name")
        if target and not re.fullmatch(r"[^\s#]+", target):
            raise SettingsError(f"{spec!r}: {target!r} is not a WAMP topic")
        return cls(name, target or join_topic(uris.KAFKA_TOPIC_PREFIX, name))

    def describe(self) -> str:
        return f"kafka {self.topic} -> wamp {self.wamp_topic}"


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode(errors="replace")


def to_event(
    route: KafkaRoute,
    value: bytes | None,
    *,
    partition: int,
    offset: int,
    key: bytes | None = None,
    headers: Sequence[tuple[str, bytes]] = (),
) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
    """The WAMP topic, args and kwargs of one record."""
    header_map = {k: _text(v) for k, v in headers}
    payload = decode_body(value or b"null", header_map.get("content-type"))
    args, kwargs = payload.args, dict(payload.kwargs or {})
    if RESERVED & kwargs.keys():
        args, kwargs = (kwargs,), {}
    meta: dict[str, Any] = {
        "topic": route.topic,
        "partition": partition,
        "offset": offset,
        "key": _text(key),
    }
    if header_map:
        meta["headers"] = header_map
    if payload.encoding:
        meta["encoding"] = payload.encoding
    kwargs[META] = meta
    return route.wamp_topic, args, kwargs


def routes_by_topic(routes: Sequence[KafkaRoute]) -> dict[str, KafkaRoute]:
    return {r.topic: r for r in routes}
