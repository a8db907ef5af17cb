"""Crossbar proxy workers in front of the router: ``wampgate up --proxies N``.

A proxy worker (Crossbar's worker type ``proxy``) accepts client
WebSockets, does the framing, the serialization and the sign-in, and
forwards each session to the router worker over a unix socket (RawSocket +
CBOR; the router trusts the identity the proxy established, which Crossbar
allows only on a unix socket). N proxies share one listening port
(``shared`` TCP endpoints: the kernel spreads connections over them), the
*proxy port*, beside the router's own web port, which keeps serving the
pages, ``/ws``, ``/echo`` and the HTTP bridge.

Each proxy's ``/ws`` is the router's ``/ws`` (serializers, sign-in, origins,
TLS, limits) copied from the rendered config, so both ports admit the same
clients with the same roles. What runs inside the router worker (the
bounds' edge checks) does not run in the proxies.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from wampgate.router import permissions

#: The router transport the proxies connect to.
TRANSPORT_ID = "proxies"
#: The proxies' name for their connection to the router.
CONNECTION = "router"


def add(config: dict[str, Any], count: int, port: int, socket_path: Path, realm: str) -> None:
    """Add ``count`` proxy workers serving ``/ws`` on ``port``, forwarding to the router."""
    router = next(w for w in config["workers"] if w.get("type") == "router")
    web = next(t for t in router["transports"] if t.get("type") == "web")
    router["transports"].append(
        {
            "type": "rawsocket",
            "id": TRANSPORT_ID,
            "endpoint": {"type": "unix", "path": str(socket_path)},
            "serializers": ["cbor"],
            "options": {"max_message_size": 16 * 1024 * 1024},
            "auth": {"anonymous-proxy": {"type": "static"}},
        }
    )
    endpoint = copy.deepcopy(web["endpoint"]) | {"port": port, "shared": True}
    transport = {
        "type": "web",
        "id": "web",
        "endpoint": endpoint,
        "paths": {"ws": copy.deepcopy(web["paths"]["ws"])},
        "options": copy.deepcopy(web.get("options", {})),
    }
    connection = {
        "realm": realm,
        "transport": {
            "type": "rawsocket",
            "serializer": "cbor",
            "url": "rs://localhost",
            "endpoint": {"type": "unix", "path": str(socket_path)},
        },
    }
    routes = {realm: dict.fromkeys(permissions.ROLES, CONNECTION)}
    index = next(i for i, w in enumerate(config["workers"]) if w is router) + 1
    for n in range(count, 0, -1):
        worker = {
            "type": "proxy",
            "id": f"proxy{n}",
            "transports": [copy.deepcopy(transport)],
            "connections": {CONNECTION: copy.deepcopy(connection)},
            "routes": copy.deepcopy(routes),
        }
        config["workers"].insert(index, worker)
