"""A second router worker joined to the first by a router-to-router link: ``--rlink-port P``.

Crossbar's rlinks (``crossbar/worker/rlink.py``) let two routers share one
realm: the link joins the other router's realm and forwards registrations,
calls, subscriptions and events, so a client of the second router calls the
procedures and follows the topics of the components of the first, and
events published on either reach subscribers on both. The components join
the first router only: the link does not forward the second router's own
registrations (Crossbar would forward the first router's procedures back to
it and loop calls). Here the second router worker (``router2``) serves ``/ws`` on its own
port, with the first router's realm settings, and links to the first over a
unix socket; across machines the same link runs over TCP with TLS (see
``docs/scaling.md``).

The link signs in with WAMP-Cryptosign using the Crossbar node's key (what
``rlink.py`` does), so the first router admits that key as the role
``rlink``. Crossbar forwards an event over a link only when its publisher is
disclosed (``rlink.py`` asserts it), so with a link the static roles
disclose their publishers; events published under roles decided by the
dynamic authorizer (users with prefixes of their own) do not cross.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from wampgate.router.errors import ConfigError

#: The role the links sign in with, and the router transport they join on.
ROLE, TRANSPORT_ID = "rlink", "rlinks"
#: The router components that run in the second router too (the others hold state once).
SHARED_COMPONENTS = ("bounds", "workqueue")
_PUBLIC_KEY = re.compile(r"^public-key-ed25519:\s*([0-9a-f]{64})\s*$", re.MULTILINE)


def node_key(node_dir: Path) -> str:
    """The node's public key (hex), made by Crossbar's own code in ``node_dir`` if absent."""
    node_dir.mkdir(parents=True, exist_ok=True)
    if not (node_dir / "key.pub").exists():
        # In a process of its own: importing Crossbar selects Twisted for txaio.
        script = "import sys; from crossbar.common.key import _maybe_generate_node_key as make; "
        script += "make(sys.argv[1])"
        subprocess.run(
            [sys.executable, "-c", script, str(node_dir)], check=True, capture_output=True
        )
    found = _PUBLIC_KEY.search((node_dir / "key.pub").read_text())
    if found is None:
        raise ConfigError(f"{node_dir / 'key.pub'} holds no Ed25519 public key")
    return found.group(1)


def _link_role() -> dict[str, Any]:
    allow = dict.fromkeys(("call", "register", "publish", "subscribe"), True)
    everything = {"uri": "", "match": "prefix", "allow": allow, "cache": True}
    return {
        "name": ROLE,
        "permissions": [everything | {"disclose": {"caller": True, "publisher": True}}],
    }


def add(config: dict[str, Any], *, port: int, socket_path: Path, pubkey: str) -> None:
    """Add ``router2`` serving ``/ws`` on ``port``, linked to the first router."""
    workers = config["workers"]
    router = next(w for w in workers if w.get("type") == "router")
    realm = router["realms"][0]
    for role in realm["roles"]:
        for permission in role.get("permissions", []):
            permission["disclose"]["publisher"] = True
    realm["roles"].append(_link_role())
    principal = {"realm": realm["name"], "role": ROLE, "authorized_keys": [pubkey]}
    router["transports"].append(
        {
            "type": "rawsocket",
            "id": TRANSPORT_ID,
            "endpoint": {"type": "unix", "path": str(socket_path)},
            "serializers": ["cbor"],
            "options": {"max_message_size": 16 * 1024 * 1024},
            "auth": {"cryptosign": {"type": "static", "principals": {"router2": principal}}},
        }
    )
    web = copy.deepcopy(next(t for t in router["transports"] if t.get("type") == "web"))
    web["endpoint"]["port"] = port
    web["paths"] = {"ws": web["paths"]["ws"]}
    second = copy.deepcopy(router) | {"id": "router2", "transports": [web]}
    second["components"] = [
        c
        for c in second.get("components", [])
        if any(name in c.get("classname", "").lower() for name in SHARED_COMPONENTS)
    ]
    link = {
        "id": "to-router",
        "realm": realm["name"],
        "transport": {
            "type": "rawsocket",
            "serializer": "cbor",
            "url": "rs://localhost",
            "endpoint": {"type": "unix", "path": str(socket_path)},
        },
        "forward_local_events": True,
        "forward_remote_events": True,
        # The components join the first router: the second registers nothing of its own,
        # and forwarding its copies of the first's registrations back would loop calls.
        "forward_local_invocations": False,
        "forward_remote_invocations": True,
    }
    second["realms"][0]["rlinks"] = [link]
    # the link runs in this worker: let the other router's error answers through
    fix = {"type": "class", "classname": "wampgate.router.linkanswers.LinkAnswers"}
    second["components"].append(fix | {"realm": realm["name"], "role": "trusted"})
    workers.insert(workers.index(router) + 1, second)
