"""How a gateway lets people in: sign-in, TLS, page origins and the HTTP bridge.

:func:`secure` adds to a rendered node configuration, purely:

- on ``/ws`` and the clients' RawSocket transport (id ``clients``): WAMP-CRA
  and WAMP-Cryptosign sign-in through the router-side authenticators of
  :mod:`wampgate.router.authenticator`, which read the users file at every
  attempt (the file's path is all the config holds);
- ``allowed_origins`` on ``/ws``: the gateway's own origin plus the listed ones
  (clients that send no ``Origin``, i.e. not browsers, are not affected);
- TLS on the web transport and the clients' RawSocket transport when a
  certificate and key are given (then only https/wss is served on the web
  port, ``/echo`` included, and only TLS on the RawSocket port);
- the HTTP bridge (``POST /publish``, ``POST /call``) only when a key is
  configured; its secret stays in the environment: the config holds a
  random placeholder that :class:`wampgate.router.guard.RouterGuard` swaps for
  the secret inside the router, so a router without the guard fails closed;
- the :class:`~wampgate.router.guard.RouterGuard` router component.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wampgate.contract import defaults
from wampgate.contract import env as names
from wampgate.contract.addresses import hostport
from wampgate.router.errors import ConfigError

#: The role HTTP bridge requests act as (what a named user may do).
HTTP_ROLE = "user"
#: The largest HTTP bridge request body accepted.
HTTP_BODY_LIMIT = 64 * 1024
#: A placeholder ``secret`` starts with this, then names the environment variable.
SECRET_FROM_ENV = "wampgate-env:"
GUARD_CLASS = "wampgate.router.guard.RouterGuard"


@dataclass(frozen=True)
class SecuritySettings:
    """What a gateway needs besides host and port to decide who may come in."""

    users_file: Path
    tls_cert: Path | None = None
    tls_key: Path | None = None
    allow_origins: tuple[str, ...] = ()
    http_key: str | None = None
    http_window: int = 60

    def __post_init__(self) -> None:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ConfigError("TLS needs both --tls-cert and --tls-key")
        for path in (self.tls_cert, self.tls_key):
            if path is not None and not path.is_file():
                raise ConfigError(f"{path}: no such file (create one: wampgate tls dev-cert)")
        for origin in self.allow_origins:
            if "://" not in origin or origin.endswith("/"):
                raise ConfigError(f"origin {origin!r}: expected SCHEME://HOST[:PORT], no path")

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None


def own_origins(host: str, port: int, tls: bool) -> list[str]:
    """The origins of the gateway's own pages (``localhost`` too when on loopback)."""
    scheme = "https" if tls else "http"
    origins = [f"{scheme}://{hostport(host, port)}"]
    if ipaddress.ip_address(host).is_loopback:
        origins.append(f"{scheme}://localhost:{port}")
    return origins


def placeholder_secret(env_name: str) -> str:
    """A config ``secret`` that names ``env_name`` and is useless as a secret itself."""
    return f"{SECRET_FROM_ENV}{env_name}:{secrets.token_urlsafe(24)}"


def _function_auth(create: str, users_file: Path) -> dict[str, Any]:
    return {
        "type": "function",
        "create": f"wampgate.router.authenticator.{create}",
        "config": {"users": str(users_file)},
    }


def _bridge(kind: str, realm: str, sec: SecuritySettings) -> dict[str, Any]:
    return {
        "type": kind,
        "realm": realm,
        "role": HTTP_ROLE,
        "options": {
            "key": sec.http_key,
            "secret": placeholder_secret(names.HTTP_SECRET),
            "post_body_limit": HTTP_BODY_LIMIT,
            "timestamp_delta_limit": sec.http_window,
            **({"require_tls": True} if sec.tls else {}),
        },
    }


def secure(
    config: dict[str, Any], sec: SecuritySettings, *, host: str, port: int, realm: str
) -> dict[str, Any]:
    """``config`` (changed in place and returned) with the settings above."""
    router = next(w for w in config["workers"] if w.get("type") == "router")
    web = next(t for t in router["transports"] if t.get("type") == "web")
    paths = web["paths"]
    ws = paths["ws"]
    rawsockets = [t for t in router["transports"] if t.get("id") == "clients"]
    for transport in (ws, *rawsockets):
        auth = transport.setdefault("auth", {})
        auth.pop("ticket", None)
        auth["wampcra"] = _function_auth("create_wampcra", sec.users_file)
        auth["cryptosign"] = _function_auth("create_cryptosign", sec.users_file)
    ws.setdefault("options", {})["allowed_origins"] = [
        *own_origins(host, port, sec.tls),
        *sec.allow_origins,
    ]
    if sec.tls:
        for transport in (web, *rawsockets):
            tls = {"key": str(sec.tls_key), "certificate": str(sec.tls_cert)}
            transport["endpoint"]["tls"] = tls
    if sec.http_key:
        paths["publish"] = _bridge("publisher", realm, sec)
        paths["call"] = _bridge("caller", realm, sec)
    router.setdefault("components", []).append(
        {
            "type": "class",
            "classname": GUARD_CLASS,
            "realm": realm,
            "role": defaults.BACKEND_ROLE,
            "extra": {"window": sec.http_window, "users": str(sec.users_file)},
        }
    )
    return config
