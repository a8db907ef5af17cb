"""Bridges started with the gateway: ``wampgate up --bridge KIND[:FILE]``.

Each ``--bridge`` runs one bridge module as a supervised guest worker, like
the built-in components. ``KIND`` is ``amqp``, ``celery``, ``zmq`` or
``kafka``; ``FILE`` is a JSON object of the bridge's settings, the same ones
its environment variables take, by short name::

    {"name": "robots", "url": "amqp://guest:guest@127.0.0.1:5672/",
     "in": ["robots", "telemetry:topic:arm.#=demo.arm"],
     "out": ["demo.commands.=commands:topic"]}

A mapping list is a JSON list of specs (or one comma-separated string).
Without a file a bridge runs on its defaults (``--bridge celery``: the demo
app). :func:`load` checks everything a bridge would check at its start, so a
wrong setting is one line from ``wampgate up`` before anything runs. The
guest worker's id is ``<bridge name>_bridge``, the name its session joins as.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wampgate.contract import env as names
from wampgate.router.errors import ConfigError

#: Per kind: the module under wampgate.components, its settings class, and its settings.
KINDS: Mapping[str, tuple[str, str, Mapping[str, str]]] = {
    "amqp": (
        "amqp_bridge",
        "AmqpSettings",
        {"url": names.AMQP_URL, "in": names.AMQP_IN, "out": names.AMQP_OUT},
    ),
    "celery": (
        "celery_bridge",
        "CelerySettings",
        {
            "app": names.CELERY_APP,
            "prefix": names.CELERY_PREFIX,
            "broker": names.CELERY_BROKER,
            "backend": names.CELERY_BACKEND,
        },
    ),
    "zmq": ("zmq_bridge", "ZmqSettings", {"sub": names.ZMQ_SUB, "pub": names.ZMQ_PUB}),
    "kafka": (
        "kafka_bridge",
        "KafkaSettings",
        {"servers": names.KAFKA_SERVERS, "in": names.KAFKA_IN, "group": names.KAFKA_GROUP},
    ),
}

USAGE = "--bridge KIND[:FILE.json], KIND one of " + ", ".join(KINDS)


@dataclass(frozen=True)
class Bridge:
    """One bridge to start: its kind, name and the environment its module reads."""

    kind: str
    name: str
    env: Mapping[str, str]

    @property
    def module(self) -> str:
        return "wampgate.components." + KINDS[self.kind][0]

    @property
    def worker_id(self) -> str:
        return f"{self.name}_bridge"

    def worker(self) -> dict[str, Any]:
        """Its guest worker entry, for :func:`wampgate.router.render.render` to complete."""
        return {
            "type": "guest",
            "id": self.worker_id,
            "executable": "python3",
            "arguments": ["-m", "wampgate.components.supervise", self.module],
            "options": {"env": {"inherit": True, "vars": dict(self.env)}},
        }


def _value(spec: str, key: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    raise ConfigError(f"bridge {spec}: {key!r} must be a string or a list of strings")


def _read(spec: str, path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise ConfigError(f"bridge {spec}: cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        where = f"{path}:{exc.lineno}:{exc.colno}"
        raise ConfigError(f"bridge {spec}: {where}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"bridge {spec}: {path} must hold a JSON object of settings")
    return data


def _check(spec: str, kind: str, environ: Mapping[str, str]) -> str:
    """The bridge's name, after its own settings check (the one it makes at start).

    Its guest inherits the gateway's environment: the check sees it too.
    """
    environ = {**os.environ, **environ}
    module_name, settings_name, _ = KINDS[kind]
    module = importlib.import_module("wampgate.components." + module_name)
    errors = importlib.import_module("wampgate.components.errors")
    try:
        settings = getattr(module, settings_name).from_env(environ)
    except errors.SettingsError as exc:
        message = str(exc)
        for key, var in KINDS[kind][2].items():  # the file's words, not the variables'
            message = message.replace(var, repr(key))
        raise ConfigError(f"bridge {spec}: {message}") from None
    return str(settings.name)


def load(spec: str, base: Path | None = None) -> Bridge:
    """The bridge ``KIND[:FILE]`` names (``FILE`` relative to ``base``); ConfigError if wrong."""
    kind, _, file = spec.partition(":")
    if kind not in KINDS:
        raise ConfigError(f"bridge {spec!r}: unknown kind {kind!r}; use {USAGE}")
    keys = {"name": names.BRIDGE_NAME, **KINDS[kind][2]}
    data = _read(spec, (base or Path.cwd()) / file) if file else {}
    unknown = sorted(set(data) - set(keys))
    if unknown:
        raise ConfigError(
            f"bridge {spec}: unknown setting(s) {', '.join(map(repr, unknown))}; "
            f"{kind} takes {', '.join(keys)}"
        )
    environ = {keys[key]: _value(spec, key, value) for key, value in data.items()}
    return Bridge(kind, _check(spec, kind, environ), environ)


def check_unique(bridges: tuple[Bridge, ...]) -> None:
    seen: dict[str, str] = {}
    for bridge in bridges:
        if bridge.name in seen:
            raise ConfigError(
                f"two bridges are named {bridge.name!r} ({seen[bridge.name]} and {bridge.kind}): "
                'give one another "name" in its file'
            )
        seen[bridge.name] = bridge.kind
