"""Work queues in Crossbar's dealer: a busy callee gets no new call, the rest wait their turn.

Components that run as several processes register with the ``roundrobin``
policy and a ``concurrency`` limit (the jobs component: one call at a time).
Crossbar's dealer then skips a callee at its limit; when all are at it, it
asks its call store to queue the call, and answers
``crossbar.error.max_concurrency_reached`` without one. It dispatches a
queued call only when an invocation *yields*. :func:`install` gives each
dealer a :class:`~wampgate.router.callqueue.CallQueue` as that store and
covers what the dealer leaves out, so that every caller gets a result or an
error:

- a new call waits behind those already waiting (first come, first served);
- the queue moves on after an invocation error too, and when a callee
  registers (a restarted worker);
- a callee whose caller left or timed out is freed when it answers (the
  dealer forgets the invocation and would count the callee busy forever);
- a queued call leaves the queue when its caller leaves or cancels it, fails
  with ``wamp.error.canceled`` when its deadline (the CALL ``timeout``)
  passes, and with ``wamp.error.no_such_procedure`` when the last callee
  leaves; the deadline it still has goes with the invocation;
- a full queue refuses at once (``max_concurrency_reached``).

The router worker runs :class:`WorkQueue` as a component (see
``.crossbar/config.json``); Crossbar starts it before any transport opens.
"""

from __future__ import annotations

import math
from typing import Any

import txaio
from autobahn.twisted.wamp import ApplicationSession
from autobahn.wamp import message
from autobahn.wamp.exception import ApplicationError
from wampgate.router.callqueue import DEFAULT_LIMIT, CallQueue, QueuedCall

log = txaio.make_logger()
_original: dict[str, Any] = {}


def _send_error(dealer: Any, item: QueuedCall, error: str, text: str) -> None:
    if not item.caller_gone:
        dealer._router.send(
            item.session, message.Error(message.Call.MESSAGE_TYPE, item.call.request, error, [text])
        )


def _ours(dealer: Any) -> CallQueue | None:
    store = dealer._call_store
    return store if isinstance(store, CallQueue) else None


def _queue(dealer: Any, limit: int) -> CallQueue | None:
    """The dealer's call queue, made on its first call (``None``: it has a realm store)."""
    if dealer._call_store is None:
        queue = CallQueue(limit)

        def arm(item: QueuedCall) -> None:
            timeout = item.call.timeout
            if not timeout:
                return
            item.deadline = dealer._reactor.seconds() + timeout

            def expire() -> None:
                item.cancel_timer = None
                if queue.remove(item):
                    _send_error(
                        dealer, item, ApplicationError.CANCELED, "timeout reached while queued"
                    )

            item.cancel_timer = dealer._reactor.callLater(timeout, expire).cancel

        queue.on_queued = arm
        dealer._call_store = queue
    return _ours(dealer)


def drain(dealer: Any, queue: CallQueue, registration: Any) -> None:
    """Send queued calls on to free callees of ``registration``, oldest first."""
    call = _original["_call"]
    while registration.observers:
        item = queue.get_queued_call(registration)
        if item is None:
            return
        if item.deadline is not None:  # what is left of the caller's deadline, in whole seconds
            item.call.timeout = max(1, math.ceil(item.deadline - dealer._reactor.seconds()))
        if not call(dealer, item.session, item.call, item.registration, item.authorization, True):
            return
        queue.pop_queued_call(registration)


def _answered(dealer: Any, session: Any, request: int, final: bool, orphan: bool) -> None:
    """After a callee answered ``request``: free it if the dealer forgot it, and move on."""
    queue = _ours(dealer)
    entry = queue.inflight.get(request) if queue is not None else None
    if queue is None or entry is None or entry[0] is not session or not final:
        return
    del queue.inflight[request]
    registration = entry[1]
    extra = registration.observers_extra.get(session)
    if orphan and extra is not None and extra.concurrency_current > 0:
        extra.concurrency_current -= 1
    drain(dealer, queue, registration)


def install(limit: int = DEFAULT_LIMIT) -> None:
    """Patch Crossbar's dealer once per process (the router worker)."""
    from crossbar.router.dealer import Dealer

    if _original:
        return
    for name in (
        "_call",
        "_add_invoke_request",
        "processYield",
        "processInvocationError",
        "processCancel",
        "detach",
        "processRegister",
    ):
        _original[name] = getattr(Dealer, name)
    o = _original

    def _call(
        self: Any,
        session: Any,
        call: Any,
        registration: Any,
        authorization: Any,
        is_queued_call: bool = False,
    ) -> bool:
        queue = _queue(self, limit)
        if queue is not None and not is_queued_call and queue.waiting(registration):
            if queue.add(QueuedCall(session, call, registration, authorization)) is None:
                item = QueuedCall(session, call, registration, authorization)
                _send_error(
                    self,
                    item,
                    "crossbar.error.max_concurrency_reached",
                    f"{queue.limit} calls are already waiting",
                )
                return False
            drain(self, queue, registration)
            return False
        return bool(o["_call"](self, session, call, registration, authorization, is_queued_call))

    def _add_invoke_request(
        self: Any,
        request: int,
        registration: Any,
        session: Any,
        call: Any,
        callee: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        invoke = o["_add_invoke_request"](
            self, request, registration, session, call, callee, *args, **kwargs
        )
        extra = registration.observers_extra.get(callee)
        queue = _ours(self)
        if queue is not None and extra is not None and extra.concurrency:
            queue.inflight[request] = (callee, registration)
        return invoke

    def processYield(self: Any, session: Any, yield_: Any) -> None:
        orphan = yield_.request not in self._invocations
        o["processYield"](self, session, yield_)
        _answered(self, session, yield_.request, not yield_.progress, orphan)

    def processInvocationError(self: Any, session: Any, error: Any) -> None:
        orphan = error.request not in self._invocations
        o["processInvocationError"](self, session, error)
        _answered(self, session, error.request, True, orphan)

    def processCancel(self: Any, session: Any, cancel: Any) -> None:
        queue = _ours(self)
        item = queue.find(session, cancel.request) if queue is not None else None
        if queue is None or item is None or not queue.remove(item):
            o["processCancel"](self, session, cancel)
            return
        _send_error(self, item, ApplicationError.CANCELED, "canceled while queued")

    def detach(self: Any, session: Any) -> None:
        queue = _ours(self)
        if queue is None:
            o["detach"](self, session)
            return
        queue.drop_caller(session)
        for request, (callee, _) in list(queue.inflight.items()):
            if callee is session:
                del queue.inflight[request]
        registrations = list(self._session_to_registrations.get(session, ()))
        o["detach"](self, session)
        for registration in registrations:
            if registration.observers:
                drain(self, queue, registration)
                continue
            for item in queue.take_all(registration):
                text = f"the last callee of {registration.uri} left while the call was queued"
                _send_error(self, item, ApplicationError.NO_SUCH_PROCEDURE, text)

    def processRegister(self: Any, session: Any, register: Any) -> None:
        o["processRegister"](self, session, register)
        queue = _ours(self)
        if queue is None:
            return

        def moved_on() -> None:  # after REGISTERED has gone out: a new callee may be free
            registration = self._registration_map.get_observation(
                register.procedure, register.match
            )
            if registration is not None:
                drain(self, queue, registration)

        self._reactor.callLater(0, moved_on)

    patches = (_call, _add_invoke_request, processYield, processInvocationError, processCancel)
    for patched in (*patches, detach, processRegister):
        setattr(Dealer, patched.__name__, patched)
    log.info(
        "wampgate work queues installed (at most {limit} waiting calls per procedure)", limit=limit
    )


class WorkQueue(ApplicationSession):  # type: ignore[misc]
    """Router-embedded session whose only job is :func:`install` at construction."""

    def __init__(self, config: Any = None) -> None:
        extra = getattr(config, "extra", None) or {}
        install(int(extra.get("limit", DEFAULT_LIMIT)))
        super().__init__(config)
