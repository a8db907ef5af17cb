"""The calls waiting for a free callee, per registration: the dealer's call store.

Crossbar's dealer asks its call store to queue a call when every callee of a
registration is at its ``concurrency`` limit (``maybe_queue_call``) and takes
the next one when an invocation yields (``get_queued_call`` /
``pop_queued_call``). :class:`CallQueue` is that store, plus what
:mod:`wampgate.router.workqueue` needs around it: calls leave the queue when
their caller leaves or cancels, when their deadline passes, or when the
registration loses its last callee. Nothing here imports Crossbar.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

#: How many calls may wait on one registration; beyond it a call is refused at once.
DEFAULT_LIMIT = 10_000


@dataclass(eq=False)
class QueuedCall:
    """One waiting call, with what the dealer needs to send it on later."""

    session: Any
    call: Any
    registration: Any
    authorization: Any
    #: When the caller's deadline passes (the reactor's clock), if it gave one.
    deadline: float | None = None
    #: Cancels the deadline timer, if the call has a deadline.
    cancel_timer: Callable[[], object] | None = field(default=None, repr=False)

    @property
    def caller_gone(self) -> bool:
        return getattr(self.session, "_transport", None) is None

    def done(self) -> None:
        if self.cancel_timer is not None:
            self.cancel_timer()
            self.cancel_timer = None


class CallQueue:
    """FIFO queues of calls, one per registration id (the dealer's ``_call_store``)."""

    def __init__(
        self, limit: int = DEFAULT_LIMIT, on_queued: Callable[[QueuedCall], None] | None = None
    ) -> None:
        self.limit = limit
        #: Called with every call that was queued (to arm its deadline).
        self.on_queued = on_queued
        self._queues: dict[int, deque[QueuedCall]] = {}
        #: Invocations in flight to callees with a concurrency limit: id -> (callee, registration).
        self.inflight: dict[int, tuple[Any, Any]] = {}
        #: Calls refused because a queue was full (for the router's log).
        self.refused = 0

    def waiting(self, registration: Any) -> int:
        return len(self._queues.get(registration.id, ()))

    def __iter__(self) -> Iterator[QueuedCall]:
        for queue in list(self._queues.values()):
            yield from list(queue)

    # The dealer's call-store interface (crossbar.router.realmstore.RealmStoreMemory).
    def maybe_queue_call(
        self, session: Any, call: Any, registration: Any, authorization: Any
    ) -> bool:
        return self.add(QueuedCall(session, call, registration, authorization)) is not None

    def get_queued_call(self, registration: Any) -> QueuedCall | None:
        """The oldest call still waiting on ``registration`` whose caller is still there."""
        queue = self._queues.get(registration.id)
        while queue:
            if not queue[0].caller_gone:
                return queue[0]
            queue.popleft().done()
        return None

    def pop_queued_call(self, registration: Any) -> QueuedCall | None:
        queue = self._queues.get(registration.id)
        if not queue:
            return None
        item = queue.popleft()
        item.done()
        if not queue:
            del self._queues[registration.id]
        return item

    # What the work queue adds.
    def add(self, item: QueuedCall) -> QueuedCall | None:
        """Queue ``item``; ``None`` when the registration's queue is full."""
        queue = self._queues.setdefault(item.registration.id, deque())
        if len(queue) >= self.limit:
            self.refused += 1
            return None
        queue.append(item)
        if self.on_queued is not None:
            self.on_queued(item)
        return item

    def remove(self, item: QueuedCall) -> bool:
        """Take ``item`` out (cancelled, or past its deadline); whether it was waiting."""
        queue = self._queues.get(item.registration.id)
        if queue is None or item not in queue:
            return False
        queue.remove(item)
        item.done()
        if not queue:
            del self._queues[item.registration.id]
        return True

    def find(self, session: Any, request: int) -> QueuedCall | None:
        """The waiting call ``request`` of ``session``, if it is waiting."""
        for item in self:
            if item.session is session and item.call.request == request:
                return item
        return None

    def drop_caller(self, session: Any) -> int:
        """Forget every call of a caller that left; return how many."""
        gone = [item for item in self if item.session is session]
        for item in gone:
            self.remove(item)
        return len(gone)

    def take_all(self, registration: Any) -> list[QueuedCall]:
        """Every call waiting on ``registration`` (it lost its last callee), oldest first."""
        items = list(self._queues.pop(registration.id, ()))
        for item in items:
            item.done()
        return items
