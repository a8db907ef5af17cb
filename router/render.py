"""The Crossbar node configuration: the committed template, rendered for one gateway.

``.crossbar/config.json`` holds the node's workers, transports and paths with
the defaults (127.0.0.1:8080, realm ``realm1``, the echo server on 9000), but
no roles: :func:`render` adds them from :mod:`wampgate.router.permissions` and
fills in this gateway's host, ports, realm, paths and Python interpreter.
``wampgate up`` writes the result into ``<state dir>/node/``, a complete node
directory that ``crossbar check`` accepts. :func:`render` is pure.

A component is a guest worker running the supervisor on a module::

    {"type": "guest", "id": "geometry", "executable": "python3",
     "arguments": ["-m", "wampgate.components.supervise", "geometry"], ...}

The last argument is a dotted module path (importable from the checkout) or
the path of a ``.py`` file (relative to the checkout or absolute); the worker
``id`` is the component's name, the one its ``Api(...)`` declares.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wampgate.contract import env as names
from wampgate.contract.addresses import hostport
from wampgate.router import permissions, proxies, rlinks
from wampgate.router.config import GatewaySettings
from wampgate.router.errors import ConfigError
from wampgate.router.journal import rules as journal_rules
from wampgate.router.secret import write_private
from wampgate.router.security import secure

SUPERVISOR = "wampgate.components.supervise"
JOURNAL_CLASS = "wampgate.router.journal.component.Journal"
JOURNAL_GUEST = "journal"
_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def load_template(root: Path) -> dict[str, Any]:
    path = root / ".crossbar" / "config.json"
    try:
        config: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path} is missing") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    return config


def _one(items: list[dict[str, Any]], what: str) -> dict[str, Any]:
    if len(items) != 1:
        raise ConfigError(f"the node config needs exactly one {what}, found {len(items)}")
    return items[0]


def _router(config: dict[str, Any]) -> dict[str, Any]:
    return _one([w for w in config.get("workers", []) if w.get("type") == "router"], "router")


#: The ids of the RawSocket transports: components join on the first, clients on the second.
BACKEND_TRANSPORT, CLIENT_RAWSOCKET = "backend", "clients"


def _transport(router: dict[str, Any], kind: str, id: str | None = None) -> dict[str, Any]:
    transports = [t for t in router.get("transports", []) if t.get("type") == kind]
    if id is not None:
        transports = [t for t in transports if t.get("id") == id]
    return _one(transports, f"{kind} transport" + (f" with id {id!r}" if id else ""))


def tcp_endpoint(endpoint: dict[str, Any], host: str, port: int, *, key: str = "interface") -> None:
    """Point a Crossbar TCP endpoint at ``host``:``port`` (IPv6 needs ``version`` 6)."""
    endpoint[key] = host
    endpoint["port"] = port
    if ":" in host:
        endpoint["version"] = 6
    else:
        endpoint.pop("version", None)


def _render_client_rawsocket(router: dict[str, Any], settings: GatewaySettings) -> None:
    clients = _transport(router, "rawsocket", CLIENT_RAWSOCKET)
    if settings.rawsocket_port is None:
        router["transports"].remove(clients)
        return
    tcp_endpoint(clients["endpoint"], settings.host, settings.rawsocket_port)


def is_file_target(target: str) -> bool:
    """Whether a component target names a file rather than a dotted module path."""
    return target.endswith(".py")


def component_target(worker: Mapping[str, Any]) -> str | None:
    """What a guest worker runs under the supervisor, or ``None`` if it is no component."""
    arguments = [str(a) for a in worker.get("arguments", [])]
    if worker.get("type") != "guest" or arguments[:2] != ["-m", SUPERVISOR]:
        return None
    if len(arguments) != 3:
        raise ConfigError(
            f"guest {worker.get('id', '?')}: expected arguments "
            f'["-m", "{SUPERVISOR}", MODULE_OR_FILE], got {arguments}'
        )
    target = arguments[2]
    if not is_file_target(target) and not _DOTTED.match(target):
        raise ConfigError(
            f"guest {worker.get('id', '?')}: {target!r} is neither a dotted module path "
            "(e.g. mycompany.geometry) nor a .py file"
        )
    if not worker.get("id"):
        raise ConfigError(f"the guest worker running {target} needs an id: its component name")
    return target


def components(config: dict[str, Any]) -> list[str]:
    """The names (guest worker ids) of the components the node starts."""
    return [str(w["id"]) for w in config.get("workers", []) if component_target(w) is not None]


def _resolve(target: str, root: Path) -> str:
    if not is_file_target(target):
        return target
    path = (root / target).resolve()
    if not path.is_file():
        raise ConfigError(f"component file {path} does not exist")
    return str(path)


def _render_web(web: dict[str, Any], settings: GatewaySettings) -> None:
    tcp_endpoint(web["endpoint"], settings.host, settings.port)
    paths = web["paths"]
    paths["/"]["directory"] = str(settings.root / "web")
    if "vendor" in paths:
        paths["vendor"]["directory"] = str(settings.vendor_dir)
    if "charts" in paths:
        paths["charts"]["directory"] = str(settings.charts_dir)
    echo = paths["echo"]["backend"]
    tcp_endpoint(echo["endpoint"], settings.host, settings.echo_port, key="host")
    echo["url"] = f"ws://{hostport(settings.host, settings.echo_port)}/"


def _render_component(worker: dict[str, Any], target: str, settings: GatewaySettings) -> None:
    worker["executable"] = settings.python
    worker["arguments"] = ["-m", SUPERVISOR, _resolve(target, settings.root)]
    options = worker.setdefault("options", {})
    options["workdir"] = str(settings.root)
    options.setdefault("stdout", "log")
    options.setdefault("stderr", "log")
    env = options.setdefault("env", {})
    env.setdefault("inherit", True)  # the backend secret comes from the environment
    env_vars = env.setdefault("vars", {})
    env_vars[names.BACKEND] = f"unix:{settings.socket_path}"
    env_vars[names.REALM] = settings.realm
    if names.ECHO_PORT in env_vars:
        env_vars[names.ECHO_HOST] = settings.host
        env_vars[names.ECHO_PORT] = str(settings.echo_port)
    if names.CLOCK_INTERVAL in env_vars:
        env_vars[names.CLOCK_INTERVAL] = str(settings.clock_interval)
    if names.WORKERS in env_vars and settings.workers is not None:
        env_vars[names.WORKERS] = str(settings.workers)


def _render_journal(
    config: dict[str, Any], router: dict[str, Any], settings: GatewaySettings
) -> None:
    """One source for both halves: the router component's extra, filled from the settings."""
    found = [c for c in router.get("components", []) if c.get("classname") == JOURNAL_CLASS]
    guests = [w for w in config["workers"] if w.get("id") == JOURNAL_GUEST]
    url = settings.journal_url
    if url is None or not found:
        router["components"] = [c for c in router.get("components", []) if c not in found]
        config["workers"] = [w for w in config["workers"] if w not in guests]
        return
    extra = found[0].setdefault("extra", {})
    extra["url"] = url
    if settings.journal_topics is not None:
        extra["topics"] = json.loads(journal_rules.to_json(settings.journal_topics))
    try:
        topics = journal_rules.from_json(extra.get("topics"))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"the journal's topics in .crossbar/config.json: {exc}") from None
    for guest in guests:
        env_vars = guest.setdefault("options", {}).setdefault("env", {}).setdefault("vars", {})
        env_vars[names.JOURNAL] = url
        env_vars[names.JOURNAL_TOPICS] = journal_rules.to_json(topics)
        if settings.journal_prune_interval is not None:
            env_vars[names.JOURNAL_PRUNE_INTERVAL] = str(settings.journal_prune_interval)


def render(
    template: dict[str, Any],
    settings: GatewaySettings,
    node_key: str | None = None,
) -> dict[str, Any]:
    """The template with the roles and this gateway's host, ports, realm, paths and interpreter.

    Sign-in, origins, TLS and the HTTP bridge come from :mod:`wampgate.router.security`;
    a linked second router (``rlink_port``) needs the node's public key ``node_key``.
    """
    config = copy.deepcopy(template)
    router = _router(config)
    realm = _one(router.get("realms", []), "realm")
    if "roles" in realm:
        raise ConfigError(
            "the realm in .crossbar/config.json lists roles: they come from "
            "router/permissions.py; remove them from the template"
        )
    realm["name"] = settings.realm
    for component in router.get("components", []):
        component["realm"] = settings.realm
    realm["roles"] = permissions.crossbar_roles()
    config["workers"].extend(bridge.worker() for bridge in settings.bridges)
    _render_web(_transport(router, "web"), settings)
    _transport(router, "rawsocket", BACKEND_TRANSPORT)["endpoint"] = {
        "type": "unix",
        "path": str(settings.socket_path),
    }
    _render_client_rawsocket(router, settings)
    _render_journal(config, router, settings)
    for worker in config["workers"]:
        if (target := component_target(worker)) is not None:
            _render_component(worker, target, settings)
    config = secure(
        config, settings.security, host=settings.host, port=settings.port, realm=settings.realm
    )
    if settings.proxies:
        proxies.add(
            config, settings.proxies, settings.proxy_port, settings.proxy_socket, settings.realm
        )
    if settings.rlink_port is not None:
        if node_key is None:
            raise ConfigError("a linked second router needs the node key (rlinks.node_key)")
        socket_path = settings.node_dir / "rlinks.sock"
        rlinks.add(config, port=settings.rlink_port, socket_path=socket_path, pubkey=node_key)
    return config


def write(config: dict[str, Any], node_dir: Path) -> Path:
    path = node_dir / "config.json"
    # No secret is in it, but it names the users file: readable by its owner only.
    write_private(path, json.dumps(config, indent=2) + "\n")
    return path
