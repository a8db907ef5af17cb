"""``wampgate up``: run one gateway in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import logging
import signal

from wampgate.router.config import GatewaySettings
from wampgate.router.errors import GatewayError as GatewayError  # also importable from here
from wampgate.router.errors import RouterError
from wampgate.router.gateway import Gateway as Gateway  # also importable from here
from wampgate.router.nodelog import worth_showing

log = logging.getLogger("wampgate.router")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def up(settings: GatewaySettings, *, verbose: bool = False) -> int:
    """``wampgate up``: run a gateway in the foreground until Ctrl-C or SIGTERM."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)

    def show(line: str) -> None:
        if verbose or worth_showing(line):
            print(line, flush=True)

    gateway = Gateway(settings, echo=show)
    try:
        gateway.start()
        gateway.wait_ready()
    except (RouterError, OSError) as exc:
        gateway.stop()
        log.error("%s", exc)
        return 1
    except KeyboardInterrupt:
        gateway.stop()
        return 0
    tls = "s" if settings.tls_cert is not None else ""
    http = f"http{tls}://{settings.host}:{settings.port}/"
    log.info("wampgate is up: open %s in a browser", http)
    log.info(
        "WAMP: %s (realm %s), echo: ws%s://%s:%d/echo",
        settings.url,
        settings.realm,
        tls,
        settings.host,
        settings.port,
    )
    if gateway.users:
        log.info("named users: %s (wampgate user ... applies at once)", ", ".join(gateway.users))
    log.info("components: %s. Ctrl-C stops everything.", ", ".join(sorted(gateway.components)))
    try:
        code = gateway.wait()
        log.error("Crossbar exited on its own (status %d); see %s", code, gateway.log_file)
        gateway.stop()
        return 1
    except KeyboardInterrupt:
        log.info("stopping ...")
        gateway.stop()
        log.info("stopped; nothing left running")
        return 0
