"""Where the router worker feeds the counters: three methods of Crossbar's ``Router``.

Every WAMP message a peer sends passes ``Router.process`` and every message
the router sends a peer passes ``Router.send`` (see
:mod:`wampgate.router.bounds.delivery`), so two thin wrappers see it all:

- ``process``: a PUBLISH counts as published on its topic; a CALL counts as
  a call of its procedure and starts its clock (kept on the caller's session,
  keyed by the request id, so it goes when the session goes);
- ``send``: an EVENT counts as delivered (once per subscriber) on the topic
  it was published to; a final RESULT or an ERROR answering a CALL stops
  that call's clock (an ERROR counts as an error of the procedure);
- ``attach``: a session joined; the current sessions per role are read from
  the router when ``/metrics`` is asked for, not counted on the way.

Counting happens after Crossbar has handed the message to the transport, so
a message the serializer refused is not counted (the bounds answer it
instead, and their answer is).
"""

from __future__ import annotations

import time
import weakref
from typing import Any

from autobahn.wamp import message
from crossbar.router.router import Router
from wampgate.router.metrics.counts import COUNTS, MAX_PENDING_PER_SESSION, Counts

#: The routers (one per realm) of this worker, for the sessions gauge.
ROUTERS: weakref.WeakSet[Any] = weakref.WeakSet()
_installed: list[bool] = []

_PUBLISH, _CALL = message.Publish, message.Call
_EVENT, _RESULT, _ERROR = message.Event, message.Result, message.Error
_CALL_TYPE = message.Call.MESSAGE_TYPE


def _pending(session: Any) -> dict[int, tuple[Any, float]]:
    calls: dict[int, tuple[Any, float]] | None = getattr(session, "_wampgate_calls", None)
    if calls is None:
        calls = session._wampgate_calls = {}
    return calls


def _answered(session: Any, request: int, ok: bool) -> None:
    calls = getattr(session, "_wampgate_calls", None)
    if calls:
        started = calls.pop(request, None)
        if started is not None:
            procedure, start = started
            procedure.answered(time.perf_counter() - start, ok)


def _topic_of(event: Any) -> str:
    return str(event.correlation_uri or event.topic or "")


def install(counts: Counts = COUNTS) -> None:
    """Wrap ``Router.process``, ``Router.send`` and ``Router.attach`` once per process."""
    if _installed:
        return
    original_process, original_send, original_attach = Router.process, Router.send, Router.attach

    def process(self: Any, session: Any, msg: Any) -> None:
        kind = type(msg)
        if kind is _PUBLISH:
            counts.publish(msg.topic)
        elif kind is _CALL:
            procedure = counts.call(msg.procedure)
            calls = _pending(session)
            if len(calls) < MAX_PENDING_PER_SESSION:
                calls[msg.request] = (procedure, time.perf_counter())
        original_process(self, session, msg)

    def send(self: Any, session: Any, msg: Any) -> None:
        original_send(self, session, msg)
        kind = type(msg)
        if kind is _EVENT:
            counts.deliver(_topic_of(msg))
        elif kind is _RESULT:
            if not msg.progress:
                _answered(session, msg.request, True)
        elif kind is _ERROR and msg.request_type == _CALL_TYPE:
            _answered(session, msg.request, False)

    def attach(self: Any, session: Any) -> Any:
        features = original_attach(self, session)
        ROUTERS.add(self)
        counts.sessions_joined += 1
        return features

    Router.process, Router.send, Router.attach = process, send, attach
    _installed.append(True)


def sessions_by_role() -> dict[str, int]:
    """The sessions joined now, per auth role, over every router of this worker."""
    roles: dict[str, int] = {}
    for router in list(ROUTERS):
        for role, sessions in router._authrole_to_sessions.items():
            if sessions:
                roles[str(role)] = roles.get(str(role), 0) + len(sessions)
    return roles
