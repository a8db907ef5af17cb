"""The settings of one gateway: what differs between two gateways on one machine.

:class:`GatewaySettings` is built once at the edge (``wampgate up`` flags over
``WAMPGATE_*`` variables over the defaults of :mod:`wampgate.contract.defaults`)
and passed down; :mod:`wampgate.router.render` turns it into a node configuration.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wampgate.contract import defaults
from wampgate.contract import env as names
from wampgate.contract.addresses import hostport
from wampgate.router.bridges import Bridge, check_unique
from wampgate.router.errors import ConfigError as ConfigError  # also importable from here
from wampgate.router.exposure import listen_address, parse_host
from wampgate.router.journal.rules import TopicRule
from wampgate.router.security import SecuritySettings

TEMPLATE = Path(".crossbar") / "config.json"


def _check_port(name: str, value: int) -> int:
    if not 1 <= value <= 65535:
        raise ConfigError(f"{name} {value} is not a TCP port (1-65535)")
    return value


def find_root(start: Path | None = None, *, beside_package: bool = True) -> Path:
    """The wampgate checkout: the folder holding ``.crossbar/config.json`` and ``web/``.

    Looked for in ``start`` (default: the current directory), then, unless
    ``beside_package`` is false, beside the installed package (an editable install).
    """
    candidates = [start or Path.cwd()]
    if beside_package:
        candidates.append(Path(__file__).resolve().parent.parent)
    for candidate in candidates:
        if (candidate / TEMPLATE).is_file():
            return candidate.resolve()
    raise ConfigError(
        f"no {TEMPLATE} in {candidates[0]}: run wampgate in its checkout or pass --root"
    )


def _port_from_env(env: Mapping[str, str], var: str, default: int) -> int:
    raw = env.get(var, str(default))
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{var}={raw!r} is not a port number") from None


@dataclass(frozen=True)
class GatewaySettings:
    """Everything that differs between two gateways on one machine."""

    root: Path
    state_dir: Path
    host: str = defaults.HOST
    port: int = defaults.PORT
    echo_port: int = defaults.ECHO_PORT
    #: WAMP over RawSocket for clients on this port; ``None``: not served (``wampgate up``
    #: serves it on :data:`~wampgate.contract.defaults.RAWSOCKET_PORT` unless given 0).
    rawsocket_port: int | None = None
    realm: str = defaults.REALM
    python: str = field(default_factory=lambda: sys.executable)
    clock_interval: float = defaults.CLOCK_INTERVAL
    tls_cert: Path | None = None
    tls_key: Path | None = None
    allow_origins: tuple[str, ...] = ()
    #: The HTTP bridge's key; on only with it (its secret comes from the environment).
    http_key: str | None = None
    #: Processes of each work-queue component (one whose template sets ``WAMPGATE_WORKERS``);
    #: ``None``: what the template says.
    workers: int | None = None
    #: Crossbar proxy workers serving ``/ws`` on ``proxy_port`` (0: none).
    proxies: int = 0
    proxy_port: int = defaults.PROXY_PORT
    #: A second router worker, linked to the first by an rlink, serving ``/ws`` here.
    rlink_port: int | None = None
    #: Allow an all-interfaces host (``0.0.0.0``, ``::`` ...): ``--expose-all``.
    expose_all: bool = False
    #: Bridges run as guest workers beside the components (``--bridge``).
    bridges: tuple[Bridge, ...] = ()
    #: The journal's database: a SQLite file or a ``postgresql://`` URL; ``None``: the
    #: state directory's SQLite file; ``"off"``: no journal.
    journal: str | None = None
    #: The journaled topics and their retention; ``None``: the template's rules.
    journal_topics: tuple[TopicRule, ...] | None = None
    #: Seconds between two retention passes; ``None``: the template's.
    journal_prune_interval: float | None = None

    def __post_init__(self) -> None:
        address = listen_address(parse_host(self.host, expose_all=self.expose_all))
        object.__setattr__(self, "host", str(address))  # one spelling from here on
        _check_port("port", self.port)
        _check_port("echo port", self.echo_port)
        ports = {"web": self.port, "echo": self.echo_port}
        if self.rawsocket_port is not None:
            ports["rawsocket"] = _check_port("rawsocket port", self.rawsocket_port)
        if not 0 <= self.proxies <= 16:
            raise ConfigError(f"proxies {self.proxies}: expected 0 to 16 proxy workers")
        if self.proxies:
            ports["proxy"] = _check_port("proxy port", self.proxy_port)
        if self.rlink_port is not None:
            ports["rlink"] = _check_port("rlink port", self.rlink_port)
        for name, port in ports.items():
            same = [other for other, p in ports.items() if p == port and other != name]
            if same:
                raise ConfigError(f"the {name} port and the {same[0]} port are both {port}")
        if self.workers is not None and not 1 <= self.workers <= 64:
            raise ConfigError(f"workers {self.workers}: expected 1 to 64 processes")
        if not self.realm or " " in self.realm:
            raise ConfigError(f"realm {self.realm!r} is not a valid realm name")
        check_unique(self.bridges)

    @classmethod
    def from_env(
        cls,
        root: Path,
        env: Mapping[str, str] = os.environ,
        **overrides: Any,
    ) -> GatewaySettings:
        """Settings from ``WAMPGATE_*`` variables, then explicit overrides (CLI flags)."""
        values: dict[str, Any] = {
            "host": env.get(names.HOST, defaults.HOST),
            "realm": env.get(names.REALM, defaults.REALM),
            "state_dir": Path(env.get(names.STATE_DIR, root / defaults.STATE_DIR_NAME)),
            "port": _port_from_env(env, names.PORT, defaults.PORT),
            "echo_port": _port_from_env(env, names.ECHO_PORT, defaults.ECHO_PORT),
            "rawsocket_port": _port_from_env(env, names.RAWSOCKET_PORT, defaults.RAWSOCKET_PORT),
            "journal": env.get(names.JOURNAL),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        values["rawsocket_port"] = values["rawsocket_port"] or None  # 0: not served
        values["state_dir"] = Path(values["state_dir"]).resolve()
        return cls(root=root, **values)

    @property
    def template(self) -> Path:
        return self.root / TEMPLATE

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
    def charts_dir(self) -> Path:
        """uPlot's browser build, installed by npm and served at /charts (the dashboard)."""
        return self.root / "web" / "node_modules" / "uplot" / "dist"

    @property
    def journal_url(self) -> str | None:
        """The journal's database, ``None`` when the journal is off."""
        if self.journal == "off":
            return None
        if self.journal is None:
            return str(self.state_dir / defaults.JOURNAL_FILE)
        if self.journal.startswith(("postgresql://", "postgres://")):
            return self.journal
        return str(Path(self.journal.removeprefix("sqlite://")).resolve())

    @property
    def users_file(self) -> Path:
        return self.state_dir / "users.json"

    @property
    def security(self) -> SecuritySettings:
        return SecuritySettings(
            users_file=self.users_file,
            tls_cert=self.tls_cert,
            tls_key=self.tls_key,
            allow_origins=self.allow_origins,
            http_key=self.http_key,
        )

    @property
    def rawsocket_url(self) -> str | None:
        """Where clients reach WAMP over RawSocket (``rs://HOST:PORT``), if it is served."""
        if self.rawsocket_port is None:
            return None
        return f"rs{'s' if self.tls_cert else ''}://{hostport(self.host, self.rawsocket_port)}"

    @property
    def proxy_socket(self) -> Path:
        return self.node_dir / "proxies.sock"

    @property
    def proxy_url(self) -> str | None:
        """Where clients reach ``/ws`` through the proxy workers, if there are any."""
        if not self.proxies:
            return None
        scheme = "wss" if self.tls_cert is not None else "ws"
        return f"{scheme}://{hostport(self.host, self.proxy_port)}/ws"

    @property
    def rlink_url(self) -> str | None:
        """Where clients reach ``/ws`` of the linked second router, if there is one."""
        if self.rlink_port is None:
            return None
        scheme = "wss" if self.tls_cert is not None else "ws"
        return f"{scheme}://{hostport(self.host, self.rlink_port)}/ws"

    @property
    def url(self) -> str:
        if self.tls_cert is not None:
            return f"wss://{hostport(self.host, self.port)}/ws"
        return f"ws://{hostport(self.host, self.port)}/ws"
