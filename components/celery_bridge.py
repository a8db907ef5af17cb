"""The Celery bridge: every task of a Celery app as a WAMP procedure, plus chain/group/chord.

Settings (environment): ``WAMPGATE_CELERY_APP`` (``module:attribute``, default
the demo app ``wampgate.components.celery_demo:app``), ``WAMPGATE_CELERY_PREFIX``
(``celery.``), ``WAMPGATE_BRIDGE_NAME`` (``celery``). The app's own broker and
result backend settings are used as they are; the bridge follows a task by
reading its state from the result backend, so the app needs one that any
process can read (a database, Redis; not ``rpc://``).

The mapping rules (names, schemas, progress, errors) are in
:mod:`wampgate.components.celery_mapping`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import importlib
import logging
import os
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import celery
from autobahn.asyncio.component import Component
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import RegisterOptions
from celery.result import GroupResult
from kombu.exceptions import OperationalError
from wampgate.components import runtime
from wampgate.components.bridge import BridgeState, bridge_name
from wampgate.components.bridge import state_api as make_state_api
from wampgate.components.celery_mapping import (
    TaskCall,
    TaskProcedure,
    chain,
    chord,
    failure,
    group,
    progress,
    public_tasks,
    task_call,
    task_calls,
    task_uri,
)
from wampgate.components.errors import ProcedureError, SettingsError
from wampgate.components.procedure import Procedure
from wampgate.contract import env, uris

log = logging.getLogger("wampgate.components.celery")

DEFAULT_APP = "wampgate.components.celery_demo:app"
_READY = frozenset({"SUCCESS", "FAILURE", "REVOKED"})


@dataclass(frozen=True)
class CelerySettings:
    name: str
    app: str
    prefix: str = uris.CELERY_PREFIX
    #: Seconds between two looks at a running task's state.
    poll: float = 0.1

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> CelerySettings:
        prefix = environ.get(env.CELERY_PREFIX, uris.CELERY_PREFIX)
        if not prefix.endswith("."):
            raise SettingsError(f"{env.CELERY_PREFIX}={prefix!r} must end with '.'")
        app = environ.get(env.CELERY_APP, DEFAULT_APP)
        return cls(bridge_name("celery", environ), app, prefix)


def load_app(spec: str) -> Any:
    """The Celery app named ``module:attribute``."""
    module_name, _, attribute = spec.partition(":")
    try:
        app = getattr(importlib.import_module(module_name), attribute or "app")
    except (ImportError, AttributeError) as exc:
        raise SettingsError(f"{env.CELERY_APP}={spec!r}: cannot load the app: {exc}") from None
    if not isinstance(app, celery.Celery):
        raise SettingsError(f"{env.CELERY_APP}={spec!r} is not a Celery app")
    return app


@contextlib.contextmanager
def _wamp_errors(uri: str) -> Iterator[None]:
    try:
        yield
    except ProcedureError as exc:
        log.info("%s: %s: %s", uri, exc.uri, exc.message)
        raise ApplicationError(exc.uri, exc.message) from None


class CeleryBridge:
    def __init__(self, settings: CelerySettings, app: Any) -> None:
        self.settings = settings
        self.app = app
        self.tasks = {
            name: TaskProcedure.from_task(
                task_uri(settings.prefix, name), name, app.tasks[name].run
            )
            for name in public_tasks(list(app.tasks))
        }
        self.canvas: dict[str, tuple[Callable[..., Any], Callable[..., Awaitable[Any]]]] = {
            settings.prefix + "chain": (chain, self._chain),
            settings.prefix + "group": (group, self._group),
            settings.prefix + "chord": (chord, self._chord),
        }
        mappings = [f"wamp {t.uri} -> celery task {n}" for n, t in self.tasks.items()]
        self.state = BridgeState(settings.name, "celery", mappings + list(self.canvas))
        self.state.connected()
        # Celery's client side (kombu's producer pool, the result backend's sessions)
        # is not made for many threads: one thread does all of it, in call order.
        self._io = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="celery-io")
        # A task message the broker did not confirm is an error, never a silent loss.
        app.conf.broker_transport_options = {
            "confirm_publish": True,
            **(app.conf.broker_transport_options or {}),
        }

    async def _in_io(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._io, functools.partial(func, *args, **kwargs))

    def describe(self) -> list[dict[str, Any]]:
        """Catalog entries of the tasks and the canvas procedures."""
        entries = [t.description for t in self.tasks.values()]
        canvas = [Procedure.from_function(u, f).describe() for u, (f, _) in self.canvas.items()]
        return entries + canvas

    def attach(self, component: Component) -> None:
        component.on("join", self._register)

    async def _register(self, session: Any, details: Any) -> None:
        options = RegisterOptions(details_arg="details", invoke="roundrobin")
        for procedure in self.tasks.values():
            await session.register(self._endpoint(procedure), procedure.uri, options=options)
        for uri, (_, run) in self.canvas.items():
            await session.register(self._canvas_endpoint(uri, run), uri, options=options)
        describer = uris.CATALOG_COMPONENT_PREFIX + f"{self.settings.name}_tasks"
        shared = RegisterOptions(invoke="roundrobin")
        await session.register(self.describe, describer, options=shared)
        name, count, prefix = self.settings.name, len(self.tasks), self.settings.prefix
        log.info("%s: serving %d Celery task(s) under %s", name, count, prefix)

    def _endpoint(self, procedure: TaskProcedure) -> Callable[..., Awaitable[Any]]:
        async def endpoint(*args: Any, details: Any = None, **kwargs: Any) -> Any:
            with _wamp_errors(procedure.uri):
                call = await procedure.bind(args, kwargs)
                signature = self.app.signature(
                    procedure.task_name, args=tuple(call.args), kwargs=dict(call.kwargs or {})
                )
                return await self._run(signature, details)

        return endpoint

    def _canvas_endpoint(
        self, uri: str, run: Callable[..., Awaitable[Any]]
    ) -> Callable[..., Awaitable[Any]]:
        async def endpoint(*args: Any, details: Any = None, **kwargs: Any) -> Any:
            with _wamp_errors(uri):
                try:
                    return await run(*args, details=details, **kwargs)
                except TypeError as exc:
                    raise ProcedureError(uris.ERROR_INVALID_ARGUMENT, f"{uri}: {exc}") from None

        return endpoint

    def _signature(self, call: TaskCall) -> Any:
        return self.app.signature(call.task, args=call.args, kwargs=dict(call.kwargs or {}))

    async def _chain(self, calls: Any, details: Any = None) -> Any:
        signatures = [self._signature(c) for c in task_calls(calls, list(self.tasks))]
        return await self._run(celery.chain(*signatures), details)

    async def _group(self, calls: Any, details: Any = None) -> Any:
        signatures = [self._signature(c) for c in task_calls(calls, list(self.tasks))]
        return await self._run(celery.group(*signatures), details)

    async def _chord(self, header: Any, body: Any, details: Any = None) -> Any:
        signatures = [self._signature(c) for c in task_calls(header, list(self.tasks))]
        callback = self._signature(task_call(body, list(self.tasks)))
        return await self._run(celery.chord(signatures, callback), details)

    async def _run(self, signature: Any, details: Any) -> Any:
        try:
            result = await self._in_io(signature.apply_async)
        except OperationalError as exc:
            self.state.lost(str(exc))
            raise ProcedureError(uris.CELERY_ERROR_PREFIX + "unavailable", str(exc)) from None
        self.state.connected()
        self.state.count("from_wamp")
        try:
            outcome = await self._follow(result, getattr(details, "progress", None))
        except asyncio.CancelledError:
            log.info("%s: call cancelled; revoking task %s", self.settings.name, result.id)
            await self._in_io(result.revoke, terminate=True)
            # An answer, not a CancelledError, which Autobahn would log as a user error.
            raise ProcedureError(ApplicationError.CANCELED, f"task {result.id} revoked") from None
        self.state.count("to_wamp")
        return outcome

    async def _follow(self, result: Any, report: Callable[..., None] | None) -> Any:
        last: tuple[str, Any] | None = None
        while True:
            if isinstance(result, GroupResult):
                if await self._in_io(result.ready):
                    break
            else:
                # One read: state and info read apart may straddle the task's end.
                meta = await self._in_io(result.backend.get_task_meta, result.id)
                state, info = meta["status"], meta.get("result")
                if state in _READY:
                    break
                if report is not None and (state, info) != last:
                    report(progress(result.id, state, info))
                    last = (state, info)
            await asyncio.sleep(self.settings.poll)
        return await self._in_io(self._outcome, result)

    @staticmethod
    def _outcome(result: Any) -> Any:
        if isinstance(result, GroupResult):
            for child in result.results:
                if child.state != "SUCCESS":
                    return CeleryBridge._outcome(child)
            return [child.result for child in result.results]
        if result.state == "SUCCESS":
            return result.result
        if result.state == "REVOKED":
            raise ProcedureError(uris.CELERY_ERROR_REVOKED, f"task {result.id} was revoked")
        raise failure(result.result)


def main() -> None:
    runtime.setup_logging()
    try:
        settings = CelerySettings.from_env()
        bridge = CeleryBridge(settings, load_app(settings.app))
    except SettingsError as exc:
        raise SystemExit(f"celery_bridge: {exc}") from None
    runtime.main(make_state_api(bridge.state), bridge.attach)


if __name__ == "__main__":
    main()
