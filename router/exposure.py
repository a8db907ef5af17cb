"""What a gateway exposes, and to whom: the listen address check and the start-up report.

:func:`parse_host` accepts one IP address and refuses every spelling of "all
interfaces" (``0.0.0.0``, ``::``, ``::ffff:0.0.0.0``, ``0:0:0:0:0:0:0:0``,
``::%eth0`` ...) unless the operator asked for it with ``--expose-all``.
:func:`report` turns a rendered node configuration into the lines printed at
start for any address that is not loopback: which addresses and ports answer,
and which role may do what there. It reads the permissions from the config
itself, so the report cannot drift from what the router enforces. Both are
pure; :func:`local_addresses` is the one piece of I/O.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import socket
import struct
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from wampgate.contract.addresses import hostport
from wampgate.router.errors import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_ACTIONS = ("call", "subscribe", "publish", "register")
_SIOCGIFADDR = 0x8915


def is_unspecified(address: IPAddress) -> bool:
    """True for every address that makes a socket listen on all interfaces."""
    if address.is_unspecified:
        return True
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped is not None and mapped.is_unspecified


def parse_host(text: str, *, expose_all: bool = False) -> IPAddress:
    """The address ``text`` names; all-interface spellings only with ``expose_all``."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        raise ConfigError(f"host {text!r} is not an IP address (e.g. 127.0.0.1)") from None
    if is_unspecified(address) and not expose_all:
        raise ConfigError(
            f"host {text} would listen on every interface; pick the one address to serve on, "
            "or pass --expose-all if that is really meant"
        )
    return address


def listen_address(address: IPAddress) -> IPAddress:
    """The address to bind: an IPv4-mapped IPv6 address (``::ffff:127.0.0.1``) as IPv4.

    A socket on the mapped form reaches exactly the IPv4 clients of that address,
    and some servers (asyncio's) refuse to bind it at all.
    """
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped if mapped is not None else address


def is_loopback(address: IPAddress) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def _allowed(permission: dict[str, Any]) -> list[str]:
    allow = permission.get("allow", {})
    return [action for action in _ACTIONS if allow.get(action)]


def _permissions(role: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """A role's permissions, and what its dynamic authorizer adds (the table is its source)."""
    if "authorizer" not in role:
        return list(role.get("permissions", [])), ""
    from wampgate.router import permissions

    known = permissions.ROLES.get(str(role.get("name")))
    if known is None:
        return [], f"whatever {role['authorizer']} allows"
    rules = [permissions.crossbar_permission(r) for r in known.rules]
    own = ", ".join(a for a in _ACTIONS if a in known.own_prefix_actions)
    return rules, f"{own} on the user's own prefixes"


def describe_role(role: dict[str, Any]) -> str:
    """One line: what a role may do, e.g. ``call, subscribe on demo.*; call wamp.session.count``."""
    grouped: dict[tuple[str, ...], list[str]] = {}
    rules, more = _permissions(role)
    for permission in rules:
        actions = tuple(_allowed(permission))
        if not actions:
            continue
        uri = str(permission.get("uri", ""))
        if permission.get("match") == "prefix":
            uri = f"{uri}*" if uri else "every URI"
        grouped.setdefault(actions, []).append(uri)
    parts = [f"{', '.join(a)} on {', '.join(uris)}" for a, uris in grouped.items()]
    return "; ".join([*parts, more] if more else parts) or "nothing"


def _router(config: dict[str, Any]) -> dict[str, Any]:
    router: dict[str, Any] = next(w for w in config["workers"] if w.get("type") == "router")
    return router


def _logins(ws: dict[str, Any], roles: Iterable[str]) -> list[tuple[str, str]]:
    """(who, role) for every way to log in on a WebSocket path."""
    logins: list[tuple[str, str]] = []
    for method, spec in ws.get("auth", {}).items():
        if method == "anonymous":
            logins.append(("anyone (anonymous)", str(spec.get("role", "anonymous"))))
        elif spec.get("type") == "function":  # the users store decides the role at sign-in
            store = spec.get("config", {}).get("users", "the users store")
            named = [r for r in roles if r not in ("anonymous", "backend")]
            logins += [(f"users of {store} signing in with {method}", r) for r in named]
        else:
            principals = spec.get("principals") or spec.get("users") or {}
            names = ", ".join(sorted(principals))
            for role in sorted({str(p.get("role")) for p in principals.values()}):
                logins.append((f"{method} users {names}", role))
    return logins


def _scheme_url(address: str, port: int, path: str, scheme: str) -> str:
    return f"{scheme}://{hostport(address, port)}/{path}"


def _other_listeners(
    config: dict[str, Any], router: dict[str, Any], addresses: Sequence[str]
) -> list[str]:
    """``/ws`` served by proxy workers and linked routers (``--proxies``, ``--rlink-port``)."""
    what = {"proxy": "through the proxy workers", "router": "of the linked second router"}
    ports: dict[int, str] = {}
    for worker in config.get("workers", []):
        for t in worker.get("transports", []) if worker is not router else []:
            if t.get("type") == "web" and t["endpoint"].get("type") == "tcp":
                ports.setdefault(int(t["endpoint"]["port"]), what.get(worker["type"], ""))
    return [
        "  "
        + ", ".join(_scheme_url(a, port, "ws", "ws") for a in addresses)
        + f" (WAMP {label}, the same sign-in as /ws)"
        for port, label in ports.items()
    ]


def report(
    config: dict[str, Any], addresses: Sequence[str], echo_port: int, backend: Path
) -> list[str]:
    """Lines saying what listens where and who may do what, for ``addresses``."""
    router = _router(config)
    realm = router["realms"][0]
    roles = {str(r["name"]): r for r in realm.get("roles", [])}
    web = next(t for t in router["transports"] if t.get("type") == "web")
    port = int(web["endpoint"]["port"])
    paths = web.get("paths", {})
    served = [("", "http", "pages")]
    for name, path in paths.items():
        kind = path.get("type")
        if kind == "websocket":
            served.append((name, "ws", f"WAMP, realm {realm['name']}"))
        elif kind == "websocket-reverseproxy":
            served.append((name, "ws", "echo"))
        elif kind != "static":
            served.append((name, "http", str(kind)))
    lines = [
        f"reachable from other machines on TCP ports {port} and {echo_port} of "
        f"{', '.join(addresses)}:"
    ]
    for address in addresses:
        urls = [f"{_scheme_url(address, port, n, scheme)} ({what})" for n, scheme, what in served]
        lines.append("  " + ", ".join(urls))
    echo_urls = ", ".join(_scheme_url(a, echo_port, "", "ws") for a in addresses)
    lines.append(f"  {echo_urls} (echo server)")
    for raw in (t for t in router["transports"] if t.get("id") == "clients"):
        raw_port = int(raw["endpoint"]["port"])
        raw_urls = ", ".join(_scheme_url(a, raw_port, "", "rs").rstrip("/") for a in addresses)
        lines.append(f"  {raw_urls} (WAMP over RawSocket, the same sign-in as /ws)")
    lines += _other_listeners(config, router, addresses)
    lines.append("  pages and echo: anyone who can reach the ports")
    for name, path in paths.items():
        if path.get("type") == "websocket":
            for who, role in _logins(path, roles):
                rights = describe_role(roles.get(role, {}))
                lines.append(f"  /{name}: {who} as role {role} may {rights}")
    lines.append(f"this machine only: the components' backend socket {backend}")
    return lines


def expand(address: IPAddress, local: Iterable[IPAddress]) -> list[str]:
    """The concrete addresses a listener on ``address`` answers on."""
    if not is_unspecified(address):
        return [str(address)]
    # A v6 any-address socket also takes IPv4 (Twisted leaves V6ONLY off).
    wanted = (4, 6) if address.version == 6 and address.ipv4_mapped is None else (4,)
    return [str(a) for a in local if a.version in wanted and not is_loopback(a)] or [str(address)]


def local_addresses() -> list[IPAddress]:
    """Every address of this machine's interfaces (IPv4 via ioctl, IPv6 from /proc)."""
    found: list[IPAddress] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            with contextlib.suppress(OSError):
                answer = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR, request)
                found.append(ipaddress.IPv4Address(answer[20:24]))
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/if_inet6").read_text().splitlines():
            found.append(ipaddress.IPv6Address(int(line.split()[0], 16)))
    return found
