"""Error answers across an rlink: inside the router worker that runs the link.

Crossbar's rlink (``crossbar/worker/rlink.py``) forwards a call to the
other router and passes its result back, but when the other router answers
with an error, or the link is lost, it logs a warning and *returns None*:
the caller gets a null result instead of the error. :func:`install` lets
the error through: a forwarded call (one carrying ``forward_for``) that
fails is raised past the link's ``except Exception`` as a
:class:`Crossed` (a ``BaseException``, which Twisted still turns into a
failure), and the link's session turns it back into the original WAMP
error; a lost link becomes ``wamp.error.canceled``.

The second router worker runs :class:`LinkAnswers` as a component (see
:mod:`wampgate.router.rlinks`).
"""

from __future__ import annotations

from typing import Any

import txaio
from autobahn.twisted.wamp import ApplicationSession
from autobahn.wamp.exception import ApplicationError, TransportLost
from twisted.python.failure import Failure

log = txaio.make_logger()


class Crossed(BaseException):
    """An error answer of the other router, on its way back to the caller."""

    def __init__(self, error: ApplicationError) -> None:
        super().__init__(error.error)
        self.error = error


def install() -> None:
    """Patch Crossbar's rlink session once per process."""
    from crossbar.worker.rlink import BridgeSession

    if getattr(BridgeSession.call, "wampgate", False):
        return
    call, from_exception = BridgeSession.call, BridgeSession._message_from_exception

    def forwarded_call(self: Any, procedure: str, *args: Any, **kwargs: Any) -> Any:
        done = call(self, procedure, *args, **kwargs)
        if not getattr(kwargs.get("options"), "forward_for", None):
            return done  # the link's own meta API calls: unchanged

        def carry(failure: Any) -> Any:
            error = failure.value
            if isinstance(error, TransportLost):
                text = "the link to the other router was lost during the call"
                error = ApplicationError(ApplicationError.CANCELED, text)
            if isinstance(error, ApplicationError):
                return Failure(Crossed(error))  # type: ignore[no-untyped-call]
            return failure

        return done.addErrback(carry)

    def message_from_exception(
        self: Any, request_type: int, request: int, exc: BaseException, *args: Any, **kw: Any
    ) -> Any:
        if isinstance(exc, Crossed):
            exc = exc.error
        return from_exception(self, request_type, request, exc, *args, **kw)

    forwarded_call.wampgate = True  # type: ignore[attr-defined]
    BridgeSession.call = forwarded_call
    BridgeSession._message_from_exception = message_from_exception
    log.info("wampgate: failed calls cross rlinks as they failed")


class LinkAnswers(ApplicationSession):  # type: ignore[misc]
    """Router-embedded session whose only job is :func:`install` at construction."""

    def __init__(self, config: Any = None) -> None:
        install()
        super().__init__(config)
