"""ZeroMQ <-> WAMP mapping rules, pure: specs, topic names, frames, loop prevention.

SUB (ZeroMQ -> WAMP), one spec per PUB endpoint to connect to::

    endpoint[|subscription prefix][=topic prefix]

A message's first frame is its ZeroMQ topic: the WAMP topic is
``<topic prefix>.<first frame>`` (topic prefix ``zmq`` by default), and every
further frame is one positional argument (JSON when it parses, else text,
else base64). A message of one frame goes to the topic prefix itself, with
that frame as its argument. Events carry the keyword argument ``_zmq``
(endpoint and ZeroMQ topic).

PUB (WAMP -> ZeroMQ), one spec per topic prefix::

    topic prefix=bind endpoint

An event on ``<prefix><rest>`` is sent as frames ``[<rest>, *args]`` (each
argument as JSON), plus one JSON object frame when it has keyword arguments.
Events that came from ZeroMQ (``_zmq``) are never sent back.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wampgate.components.bridge import join_topic
from wampgate.components.errors import SettingsError
from wampgate.contract import uris

META = "_zmq"
_ENDPOINT = re.compile(r"(tcp|ipc|inproc)://\S+")


def _endpoint(text: str, spec: str) -> str:
    if not _ENDPOINT.fullmatch(text):
        raise SettingsError(f"{spec!r}: {text!r} is not a ZeroMQ endpoint (tcp://HOST:PORT, ...)")
    return text


@dataclass(frozen=True)
class Sub:
    endpoint: str
    subscribe: str = ""
    prefix: str = uris.ZMQ_TOPIC_PREFIX

    @classmethod
    def parse(cls, spec: str) -> Sub:
        source, _, prefix = spec.partition("=")
        endpoint, _, subscribe = source.strip().partition("|")
        return cls(_endpoint(endpoint, spec), subscribe, prefix.strip() or uris.ZMQ_TOPIC_PREFIX)

    def describe(self) -> str:
        what = f" ({self.subscribe}*)" if self.subscribe else ""
        return f"zmq sub {self.endpoint}{what} -> wamp {join_topic(self.prefix)}.<zmq topic>"


@dataclass(frozen=True)
class Pub:
    prefix: str
    endpoint: str

    @classmethod
    def parse(cls, spec: str) -> Pub:
        prefix, sep, endpoint = spec.partition("=")
        if not sep or not prefix.strip():
            raise SettingsError(f"{spec!r}: expected 'topic prefix=bind endpoint'")
        return cls(prefix.strip(), _endpoint(endpoint.strip(), spec))

    def describe(self) -> str:
        return f"wamp {self.prefix}* -> zmq pub {self.endpoint}"


def frame_value(frame: bytes) -> Any:
    """One frame as one argument: JSON when it parses, else text, else base64."""
    try:
        return json.loads(frame)
    except (UnicodeDecodeError, json.JSONDecodeError):
        pass
    try:
        return frame.decode()
    except UnicodeDecodeError:
        return base64.b64encode(frame).decode()


def to_event(route: Sub, frames: Sequence[bytes]) -> tuple[str, list[Any], dict[str, Any]]:
    """The WAMP topic, args and kwargs of one multipart message."""
    if len(frames) == 1:
        return (
            join_topic(route.prefix),
            [frame_value(frames[0])],
            {META: {"endpoint": route.endpoint}},
        )
    name = frames[0].decode(errors="replace")
    meta = {"endpoint": route.endpoint, "topic": name}
    return join_topic(route.prefix, name), [frame_value(f) for f in frames[1:]], {META: meta}


def to_frames(
    route: Pub, topic: str, args: Sequence[Any], kwargs: Mapping[str, Any]
) -> list[bytes] | None:
    """The multipart message for an event, or None when it came from ZeroMQ."""
    if META in kwargs:
        return None
    name = topic.removeprefix(route.prefix).strip(".") or topic
    frames = [name.encode()] + [json.dumps(a, separators=(",", ":")).encode() for a in args]
    if kwargs:
        frames.append(json.dumps(dict(kwargs), separators=(",", ":")).encode())
    return frames
