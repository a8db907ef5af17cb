"""The thin WAMP layer under every component: connect as ``backend``, register, serve.

Components are started by the router as guest workers with their settings in
the environment (see :class:`BackendSettings`); the same module can be run by
hand with those variables set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

import coloredlogs
from autobahn.asyncio.component import Component
from autobahn.wamp.exception import ApplicationError, SessionNotReady, TransportLost
from autobahn.wamp.types import CallResult as WampCallResult
from autobahn.wamp.types import RegisterOptions
from wampgate.components.errors import ComponentError, ProcedureError, SettingsError
from wampgate.components.framework import Api, CallResult, Procedure
from wampgate.contract import defaults, env, logformat, uris

log = logging.getLogger("wampgate.components")

__all__ = ["BackendSettings", "SettingsError", "create_component", "main", "run_until_stopped"]


def transport_config(spec: str) -> dict[str, Any]:
    """Turn ``unix:PATH`` or ``tcp:HOST:PORT`` into an Autobahn rawsocket transport.

    >>> transport_config("tcp:127.0.0.1:8081")["endpoint"]["port"]
    8081
    """
    kind, _, rest = spec.partition(":")
    if kind == "unix" and rest:
        endpoint: dict[str, Any] = {"type": "unix", "path": os.path.abspath(rest)}
    elif kind == "tcp" and rest:
        host, _, port = rest.rpartition(":")
        if not host or not port.isdigit():
            raise SettingsError(f"backend transport {spec!r}: expected tcp:HOST:PORT")
        endpoint = {"type": "tcp", "host": host, "port": int(port)}
    else:
        raise SettingsError(f"backend transport {spec!r}: expected unix:PATH or tcp:HOST:PORT")
    return {
        "type": "rawsocket",
        "url": "rs://localhost",
        "endpoint": endpoint,
        "serializer": "msgpack",
        "options": {"max_message_payload_size": 16 * 1024 * 1024},
    }


@dataclass(frozen=True)
class BackendSettings:
    """Where and how a component joins the router."""

    transport: str
    realm: str
    authid: str
    secret: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> BackendSettings:
        secret = environ.get(env.BACKEND_SECRET, "")
        if not secret:
            raise SettingsError(
                f"{env.BACKEND_SECRET} is not set: start components with `wampgate up`, or "
                "export the secret from the gateway's backend.secret file"
            )
        settings = cls(
            transport=environ.get(env.BACKEND, defaults.BACKEND),
            realm=environ.get(env.REALM, defaults.REALM),
            authid=environ.get(env.BACKEND_AUTHID, defaults.BACKEND_AUTHID),
            secret=secret,
        )
        transport_config(settings.transport)  # fail early on a malformed spec
        return settings

    def __repr__(self) -> str:  # never print the secret
        return f"BackendSettings(transport={self.transport!r}, realm={self.realm!r})"


def _endpoint(proc: Procedure) -> Callable[..., Awaitable[Any]]:
    async def endpoint(*args: Any, **kwargs: Any) -> Any:
        try:
            result = await proc.invoke(args, kwargs)
        except ProcedureError as exc:
            log.info("%s: %s: %s", proc.uri, exc.uri, exc.message)
            raise ApplicationError(exc.uri, exc.message) from None
        if isinstance(result, CallResult):
            return WampCallResult(*result.args, **dict(result.kwargs or {}))
        return result

    return endpoint


def create_component(api: Api, settings: BackendSettings, *, reconnect: bool = True) -> Component:
    """An Autobahn component that registers every procedure of ``api`` on each join.

    It reconnects whenever the router goes away. With ``reconnect=False`` it
    makes one connection and is done when that ends: for a component that a
    program starts and stops itself (Autobahn takes the end of a session it
    left on purpose for a lost connection, and would connect again).
    """
    transport = transport_config(settings.transport)
    if not reconnect:
        transport["max_retries"] = 0
    component = Component(
        transports=[transport],
        realm=settings.realm,
        authentication={"wampcra": {"authid": settings.authid, "secret": settings.secret}},
    )
    # Several copies of a component may run side by side; calls are shared out.
    options = RegisterOptions(invoke="roundrobin")
    limited = RegisterOptions(invoke="roundrobin", concurrency=api.concurrency)

    async def register(session: Any, details: Any) -> None:
        for proc in api.procedures.values():
            await session.register(_endpoint(proc), proc.uri, options=limited)
        await session.register(
            api.describe, uris.CATALOG_COMPONENT_PREFIX + api.component, options=options
        )
        log.info(
            logformat.JOINED,
            api.component,
            details.realm,
            details.authrole,
            len(api.procedures),
        )

    component.on("join", register)
    return component


def setup_logging(level: str | None = None) -> None:
    """Readable logs for a component (the router prefixes them with the worker name)."""
    level = level or os.environ.get(env.LOG_LEVEL, "info")
    coloredlogs.install(level=level.upper(), fmt="%(name)s %(levelname)s %(message)s")
    # Autobahn logs through txaio into `logging`; its connection chatter is noise here,
    # and a connection dropped by a stopping router is announced by our own leave log.
    logging.getLogger("autobahn").setLevel(logging.ERROR)
    logging.getLogger("autobahn.asyncio.component.Component").addFilter(
        lambda record: "TransportLost" not in record.getMessage()
    )


async def run_until_stopped(component: Component, name: str = "component") -> None:
    """Run ``component`` until SIGTERM or SIGINT, then leave the router and return.

    Leaving because we were told to stop is routine (logged at info); any
    other leave means the router went away and the component reconnects.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def left(session: Any, details: Any) -> None:
        if stop.is_set():
            log.info("%s left the router (%s): stopping", name, details.reason)
        else:
            log.warning("%s left the router (%s); reconnecting", name, details.reason)

    component.on("leave", left)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    done = asyncio.ensure_future(component.start(loop=loop))
    stopper = asyncio.ensure_future(stop.wait())
    await asyncio.wait({done, stopper}, return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    if done.done():
        return
    # When the router stops too, it may never answer our GOODBYE, and Autobahn's
    # retry timers raise as they are torn down: give leaving a second, then go,
    # and keep what is raised after this point out of the log.
    loop.set_exception_handler(lambda _, context: log.debug("after stop: %s", context["message"]))
    session = component._session
    if session is not None and session.is_attached():
        with contextlib.suppress(TimeoutError, ApplicationError, SessionNotReady, TransportLost):
            await asyncio.wait_for(component.stop(), timeout=1)
    done.cancel()


async def _serve(
    api: Api,
    extend: Callable[[Component], None] | None,
    alongside: Callable[[], AbstractAsyncContextManager[object]] | None,
) -> None:
    component = create_component(api, BackendSettings.from_env())
    if extend is not None:
        extend(component)
    async with contextlib.AsyncExitStack() as stack:
        if alongside is not None:
            await stack.enter_async_context(alongside())
        await run_until_stopped(component, api.component)


def main(
    api: Api,
    extend: Callable[[Component], None] | None = None,
    alongside: Callable[[], AbstractAsyncContextManager[object]] | None = None,
) -> None:
    """Entry point shared by the component modules: serve ``api`` until stopped.

    ``extend`` adds handlers to the component (e.g. a publisher started on
    join); ``alongside`` is a server that runs as long as the component. Any
    :class:`ComponentError` they raise ends the process with a one-line message.
    """
    setup_logging()
    try:
        asyncio.run(_serve(api, extend, alongside))
    except ComponentError as exc:
        raise SystemExit(f"{api.component}: {exc}") from None
