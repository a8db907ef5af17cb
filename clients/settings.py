"""How the client reaches the router: one frozen value, checked when it is built."""

from __future__ import annotations

import logging
import math
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args
from urllib.parse import urlsplit

from autobahn.asyncio.component import Component
from autobahn.rawsocket.util import parse_url as parse_rs_url
from autobahn.wamp.exception import InvalidUriError
from autobahn.wamp.message import check_or_raise_uri
from autobahn.websocket.util import parse_url
from wampgate.clients.errors import InvalidUri, UsageError
from wampgate.contract import defaults

DEFAULT_URL: Final = defaults.URL
DEFAULT_REALM: Final = defaults.REALM
#: Seconds a call may take unless told otherwise.
DEFAULT_CALL_TIMEOUT: Final = 30.0
Match = Literal["exact", "prefix", "wildcard"]
Serializer = Literal["json", "msgpack", "cbor"]
MATCHES: Final[tuple[str, ...]] = get_args(Match)
SERIALIZERS: Final[tuple[str, ...]] = get_args(Serializer)


class _RoutineRetries(logging.Filter):
    """Autobahn logs every connection attempt as a warning; they are routine."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("trying transport")


logging.getLogger("autobahn.asyncio.component.Component").addFilter(_RoutineRetries())


def check_uri(uri: str, match: str = "exact") -> str:
    """``uri`` if it is a WAMP URI for ``match`` (a prefix may end in a dot, a
    wildcard may have empty parts); else :class:`InvalidUri`."""
    if match not in MATCHES:
        raise UsageError(f"match must be one of {', '.join(MATCHES)}, not {match!r}")
    words = uri.split(".")
    if not any(words):
        raise InvalidUri(f"{uri!r} is not a WAMP URI: a {match} topic needs at least one word")
    try:
        check_or_raise_uri(
            uri,
            f"{uri!r} is not a WAMP URI",
            allow_empty_components=match == "wildcard",
            allow_last_empty=match == "prefix",
        )
    except InvalidUriError:
        if match == "exact" and "" in words and not re.search(r"[\s#]", uri):
            raise InvalidUri(
                f"{uri!r} is not a WAMP URI for an exact match (it has an empty part): "
                "to match any word there, use --match wildcard"
            ) from None
        raise InvalidUri(
            f"{uri!r} is not a WAMP URI: use dot-separated words without spaces or '#', "
            "e.g. demo.calc.add"
        ) from None
    return uri


def is_rawsocket(url: str) -> bool:
    """Whether ``url`` names WAMP over RawSocket (``rs://`` or, with TLS, ``rss://``)."""
    return url.startswith(("rs://", "rss://"))


def _positive(name: str, value: float | None, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise UsageError(f"{name} must be a positive number of seconds, not {value!r}")


def _tls_endpoint(url: str, cafile: str) -> dict[str, Any]:
    """Autobahn's TCP endpoint for ``url`` with TLS checked against ``cafile``."""
    parts = urlsplit(url)
    return {
        "type": "tcp",
        "host": parts.hostname,
        "port": parts.port or 443,
        "tls": ssl.create_default_context(cafile=cafile),
    }


@dataclass(frozen=True)
class ClientSettings:
    """How to reach the router; built once at the edge and passed down."""

    url: str = DEFAULT_URL
    realm: str = DEFAULT_REALM
    serializer: Serializer = "json"
    #: Seconds to wait for the first join, and for a lost session to come back.
    connect_timeout: float = 10.0
    #: Seconds a call may take; then it is cancelled at the router and the
    #: callee, and raises :class:`CallTimeout` (None: no limit).
    call_timeout: float | None = DEFAULT_CALL_TIMEOUT
    authid: str | None = None
    #: A named user's password (WAMP-CRA; only a key derived from it crosses the wire).
    password: str | None = None
    #: A service's Ed25519 private key, 64 hex digits (WAMP-Cryptosign).
    privkey: str | None = None
    #: A CA bundle (or the self-signed certificate) to trust for wss:// URLs.
    cafile: str | None = None
    initial_retry_delay: float = 0.5
    max_retry_delay: float = 5.0

    def __post_init__(self) -> None:
        try:
            (parse_rs_url if is_rawsocket(self.url) else parse_url)(self.url)
        except (ValueError, RuntimeError) as exc:
            raise UsageError(
                f"url {self.url!r} is not a WebSocket or RawSocket URL ({exc}); "
                f"expected ws://HOST:PORT/PATH (e.g. {DEFAULT_URL}) or rs://HOST:PORT"
            ) from None
        try:
            check_or_raise_uri(self.realm, "realm")
        except InvalidUriError:
            raise UsageError(
                f"realm {self.realm!r} is not a realm name: use dot-separated words "
                f"without spaces or '#', e.g. {DEFAULT_REALM}"
            ) from None
        if self.serializer not in SERIALIZERS:
            raise UsageError(
                f"serializer must be one of {', '.join(SERIALIZERS)}, not {self.serializer!r}"
            )
        _positive("connect_timeout", self.connect_timeout)
        _positive("call_timeout", self.call_timeout, optional=True)
        if self.authid is not None and not (self.password or self.privkey):
            raise UsageError(f"user {self.authid!r} needs a password or a private key")

    @property
    def router_timeout(self) -> int | None:
        """The call timeout in whole seconds, as WAMP carries it (rounded up)."""
        return None if self.call_timeout is None else math.ceil(self.call_timeout)

    def component(self, is_fatal: Callable[[BaseException], bool] | None = None) -> Component:
        # rs://HOST:PORT: WAMP over RawSocket (one serializer); else WebSocket.
        transport: dict[str, Any] = (
            {"type": "rawsocket", "url": self.url, "serializer": self.serializer}
            if is_rawsocket(self.url)
            else {"type": "websocket", "url": self.url, "serializers": [self.serializer]}
        )
        transport |= {
            "max_retries": -1,
            "initial_retry_delay": self.initial_retry_delay,
            "max_retry_delay": self.max_retry_delay,
            "retry_delay_growth": 1.5,
            "retry_delay_jitter": 0.1,
        }
        if self.cafile is not None and self.url.startswith("wss:"):
            transport["endpoint"] = _tls_endpoint(self.url, self.cafile)
        authentication: dict[str, Any] = {}
        if self.password is not None:
            authentication["wampcra"] = {"authid": self.authid, "secret": self.password}
        if self.privkey is not None:
            authentication["cryptosign"] = {"authid": self.authid, "privkey": self.privkey}
        return Component(
            transports=[transport],
            realm=self.realm,
            authentication=authentication,
            is_fatal=is_fatal,
        )
