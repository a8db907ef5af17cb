"""``wampgate up``: run one gateway in the foreground until Ctrl-C, SIGTERM or SIGHUP."""

from __future__ import annotations

import json
import logging
import signal

from wampgate.contract.addresses import hostport
from wampgate.router import capacity, exposure
from wampgate.router.config import GatewaySettings
from wampgate.router.errors import GatewayError as GatewayError  # also importable from here
from wampgate.router.errors import RouterError
from wampgate.router.gateway import Gateway as Gateway  # also importable from here
from wampgate.router.nodelog import worth_showing
from wampgate.router.supervisor import NodeSupervisor

log = logging.getLogger("wampgate.router")

#: Each of these stops the gateway and everything it started (SIGHUP: the terminal closed).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def announce(gateway: Gateway) -> None:
    """What ``wampgate up`` prints once the gateway is ready."""
    settings = gateway.settings
    tls = "s" if settings.tls_cert is not None else ""
    where = hostport(settings.host, settings.port)
    log.info("wampgate is up: open http%s://%s/ in a browser", tls, where)
    log.info("WAMP: %s (realm %s), echo: ws%s://%s/echo", settings.url, settings.realm, tls, where)
    if settings.proxy_url is not None:
        log.info("WAMP through %d proxy worker(s): %s", settings.proxies, settings.proxy_url)
    if settings.rlink_url is not None:
        log.info("a second router, linked by an rlink: %s", settings.rlink_url)
    if settings.rawsocket_url is not None:
        log.info("WAMP over RawSocket: %s (msgpack, cbor, json)", settings.rawsocket_url)
    address = exposure.parse_host(settings.host, expose_all=True)
    if not exposure.is_loopback(address):
        config = json.loads((settings.node_dir / "config.json").read_text())
        addresses = exposure.expand(address, exposure.local_addresses())
        for line in exposure.report(config, addresses, settings.echo_port, settings.socket_path):
            log.warning("%s", line)
    if gateway.users:
        log.info("named users: %s (wampgate user ... applies at once)", ", ".join(gateway.users))
    log.info("components: %s. Ctrl-C stops everything.", ", ".join(sorted(gateway.components)))


def up(settings: GatewaySettings, *, verbose: bool = False) -> int:
    """``wampgate up``: run and supervise a gateway until a stop signal."""

    def show(line: str) -> None:
        if verbose or worth_showing(line):
            print(line, flush=True)

    log.info("%s", capacity.describe(capacity.raise_open_files()))
    supervisor = NodeSupervisor(settings, echo=show, on_ready=announce)

    def stop(signum: int, frame: object) -> None:
        log.info("%s: stopping ...", signal.Signals(signum).name)
        supervisor.request_stop(signal.Signals(signum).name)

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    try:
        code = supervisor.run()
    except (RouterError, OSError) as exc:
        log.error("%s", exc)
        return 1
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    log.info("stopped; nothing left running")
    return code
