"""The Crossbar node configuration: the committed template, rendered for one gateway.

``.crossbar/config.json`` is a complete node configuration with the defaults
(127.0.0.1:8080, realm ``realm1``, the echo server on 9000) that
``crossbar start --cbdir .crossbar`` can read as it is. ``wampgate up`` reads it
as a template and writes a copy with this gateway's host, ports, realm, paths
and Python interpreter into its state directory. :func:`render` is pure.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wampgate.router.errors import ConfigError as ConfigError  # also importable from here
from wampgate.router.secret import write_private

COMPONENT_MODULE_PREFIX = "wampgate.components."
SUPERVISOR = "wampgate.components.supervise"
ENV_HOST = "WAMPGATE_HOST"
ENV_PORT = "WAMPGATE_PORT"
ENV_ECHO_PORT = "WAMPGATE_ECHO_PORT"
ENV_REALM = "WAMPGATE_REALM"
ENV_STATE_DIR = "WAMPGATE_STATE_DIR"


def _check_port(name: str, value: int) -> int:
    if not 1 <= value <= 65535:
        raise ConfigError(f"{name} {value} is not a TCP port (1-65535)")
    return value


def _check_host(host: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ConfigError(f"host {host!r} is not an IP address (e.g. 127.0.0.1)") from None
    if address.is_unspecified:
        raise ConfigError(
            f"host {host} would listen on every interface; pick the one address to serve on"
        )
    return host


def find_root(start: Path | None = None) -> Path:
    """The wampgate checkout: the folder holding ``.crossbar/config.json`` and ``web/``."""
    candidates = [start or Path.cwd(), Path(__file__).resolve().parent.parent]
    for candidate in candidates:
        if (candidate / ".crossbar" / "config.json").is_file():
            return candidate.resolve()
    raise ConfigError(
        "no .crossbar/config.json here or beside the installed package; "
        "run wampgate from its checkout or pass --root"
    )


@dataclass(frozen=True)
class GatewaySettings:
    """Everything that differs between two gateways on one machine."""

    root: Path
    state_dir: Path
    host: str = "127.0.0.1"
    port: int = 8080
    echo_port: int = 9000
    realm: str = "realm1"
    python: str = field(default_factory=lambda: sys.executable)
    clock_interval: float = 1.0

    def __post_init__(self) -> None:
        _check_host(self.host)
        _check_port("port", self.port)
        _check_port("echo port", self.echo_port)
        if self.port == self.echo_port:
            raise ConfigError(f"the web port and the echo port are both {self.port}")
        if not self.realm or " " in self.realm:
            raise ConfigError(f"realm {self.realm!r} is not a valid realm name")

    @classmethod
    def from_env(
        cls,
        root: Path,
        env: dict[str, str] | os._Environ[str] = os.environ,
        **overrides: Any,
    ) -> GatewaySettings:
        """Settings from ``WAMPGATE_*`` variables, then explicit overrides (CLI flags)."""
        values: dict[str, Any] = {
            "host": env.get(ENV_HOST, "127.0.0.1"),
            "realm": env.get(ENV_REALM, "realm1"),
            "state_dir": Path(env.get(ENV_STATE_DIR, root / ".wampgate")),
        }
        for key, var, default in (("port", ENV_PORT, 8080), ("echo_port", ENV_ECHO_PORT, 9000)):
            raw = env.get(var, str(default))
            try:
                values[key] = int(raw)
            except ValueError:
                raise ConfigError(f"{var}={raw!r} is not a port number") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        values["state_dir"] = Path(values["state_dir"]).resolve()
        return cls(root=root, **values)

    @property
    def node_dir(self) -> Path:
        return self.state_dir / "node"

    @property
    def socket_path(self) -> Path:
        return self.node_dir / "backend.sock"

    @property
    def secret_file(self) -> Path:
        return self.state_dir / "backend.secret"

    @property
    def vendor_dir(self) -> Path:
        """The autobahn-browser bundle, installed by npm and served at /vendor."""
        return self.root / "web" / "node_modules" / "autobahn-browser"

    @property
    def users_file(self) -> Path:
        return self.state_dir / "users.json"

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}/ws"


def load_template(root: Path) -> dict[str, Any]:
    path = root / ".crossbar" / "config.json"
    try:
        config: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path} is missing") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    return config


def _router(config: dict[str, Any]) -> dict[str, Any]:
    routers = [w for w in config.get("workers", []) if w.get("type") == "router"]
    if len(routers) != 1:
        raise ConfigError(f"the node config needs exactly one router worker, found {len(routers)}")
    router: dict[str, Any] = routers[0]
    return router


def _transport(router: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [t for t in router.get("transports", []) if t.get("type") == kind]
    if len(found) != 1:
        raise ConfigError(f"the router needs exactly one {kind} transport, found {len(found)}")
    transport: dict[str, Any] = found[0]
    return transport


def _component_module(worker: dict[str, Any]) -> str | None:
    """The component module a guest worker runs (directly or under the supervisor)."""
    arguments = [str(a) for a in worker.get("arguments", [])]
    if worker.get("type") != "guest" or arguments[:1] != ["-m"]:
        return None
    modules = [a for a in arguments[1:] if a.startswith(COMPONENT_MODULE_PREFIX)]
    return modules[-1] if modules and modules[-1] != SUPERVISOR else None


def components(config: dict[str, Any]) -> list[str]:
    """The names of the wampgate components the node starts as guest workers."""
    return [
        module.removeprefix(COMPONENT_MODULE_PREFIX)
        for w in config.get("workers", [])
        if (module := _component_module(w)) is not None
    ]


def render(
    template: dict[str, Any],
    settings: GatewaySettings,
    users: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The template with this gateway's host, ports, realm, paths and interpreter.

    ``users`` (name -> ticket) may log in on ``/ws`` with WAMP-Ticket as role ``user``.
    """
    config = copy.deepcopy(template)
    router = _router(config)
    realms = router.get("realms", [])
    if len(realms) != 1:
        raise ConfigError(f"the router needs exactly one realm, found {len(realms)}")
    realms[0]["name"] = settings.realm

    web = _transport(router, "web")
    web["endpoint"]["interface"] = settings.host
    web["endpoint"]["port"] = settings.port
    paths = web["paths"]
    paths["/"]["directory"] = str(settings.root / "web")
    if "vendor" in paths:
        paths["vendor"]["directory"] = str(settings.vendor_dir)
    if users:
        paths["ws"].setdefault("auth", {})["ticket"] = {
            "type": "static",
            "principals": {name: {"ticket": t, "role": "user"} for name, t in users.items()},
        }
    echo = paths["echo"]["backend"]
    echo["endpoint"]["port"] = settings.echo_port
    echo["url"] = f"ws://{echo['endpoint']['host']}:{settings.echo_port}/"

    backend = _transport(router, "rawsocket")
    backend["endpoint"] = {"type": "unix", "path": str(settings.socket_path)}

    for worker in config["workers"]:
        if _component_module(worker) is None:
            continue
        worker["executable"] = settings.python
        options = worker.setdefault("options", {})
        options["workdir"] = str(settings.root)
        env_vars = options.setdefault("env", {}).setdefault("vars", {})
        env_vars["WAMPGATE_BACKEND"] = f"unix:{settings.socket_path}"
        env_vars["WAMPGATE_REALM"] = settings.realm
        if "WAMPGATE_ECHO_PORT" in env_vars:
            env_vars["WAMPGATE_ECHO_PORT"] = str(settings.echo_port)
        if "WAMPGATE_CLOCK_INTERVAL" in env_vars:
            env_vars["WAMPGATE_CLOCK_INTERVAL"] = str(settings.clock_interval)
    return config


def check(node_dir: Path, crossbar: str, env: dict[str, str]) -> None:
    """Run ``crossbar check`` on the rendered node directory; raise :class:`ConfigError`.

    Crossbar's checker runs on Twisted, so it runs in a process of its own.
    """
    done = subprocess.run(
        [crossbar, "check", "--cbdir", str(node_dir)],
        capture_output=True,
        text=True,
        # Crossbar leaves the process without flushing a piped stdout.
        env={**env, "PYTHONUNBUFFERED": "1"},
        timeout=60,
        check=False,
    )
    output = (done.stdout + done.stderr).strip()
    if done.returncode == 0 and "looks good" in output:
        return
    lines = output.splitlines() or ["crossbar check printed nothing"]
    reason = next((line for line in lines if line.startswith("Error")), lines[-1])
    raise ConfigError(f"invalid node configuration {node_dir / 'config.json'}: {reason}")


def write(config: dict[str, Any], node_dir: Path) -> Path:
    path = node_dir / "config.json"
    # It may hold the named users' tickets: readable by its owner only.
    write_private(path, json.dumps(config, indent=2) + "\n")
    return path
