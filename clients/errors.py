"""The exceptions of the wampgate client, in one hierarchy.

::

    WampgateError              the root: catch it to catch every client error
    ├── UsageError             an argument is malformed (a URL that is not ws:// or
    │   │                      wss://, a timeout that is not a positive number, a
    │   │                      count below 1, JSON that does not parse, an unknown
    │   │                      match, a value the serializer cannot encode);
    │   │                      raised before anything is sent
    │   └── InvalidUri         a procedure or topic is not a WAMP URI (for its match)
    ├── ConnectError           the router could not be reached or refused the session
    │   │                      (wrong URL or realm); carries the URL tried
    │   └── AuthenticationFailed  the router refused the user name, password or key
    ├── ConnectionLost         the connection dropped and did not come back in time
    │                          for a pending call or publish, or dropped while a call
    │                          was in flight (it may have run), or the session is closed
    ├── CallTimeout            a call got no answer within its timeout; it was
    │                          cancelled at the router and the callee
    ├── BenchError             ``wampgate bench`` could not measure: a load process
    │                          failed or gave no answer, or the backend secret for
    │                          its publisher is unreadable
    └── CallError              the router or a callee answered with a WAMP error;
        │                      carries the error URI and message
        ├── InvalidArgument    ``wamp.error.invalid_argument``
        ├── NoSuchProcedure    ``wamp.error.no_such_procedure``
        └── NotAuthorized      ``wamp.error.not_authorized``

Each class carries the ``wampgate`` command's ``exit_code`` for it: 1 for a
WAMP error or timeout, 2 for usage, 3 for cannot connect.

Autobahn's exceptions are mapped to these at one boundary (:func:`mapped`),
never caught piecemeal elsewhere.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

from autobahn.wamp.exception import (
    ApplicationError,
    InvalidUriError,
    SerializationError,
    SessionNotReady,
    TransportLost,
)


class WampgateError(Exception):
    """Base class of every wampgate client error."""

    exit_code: ClassVar[int] = 1


class UsageError(WampgateError):
    """An argument is malformed; the message says which and what is expected."""

    exit_code = 2


class InvalidUri(UsageError):
    """A procedure or topic that is not a WAMP URI (for the match asked for)."""


def _path_hint(url: str) -> str:
    """A WebSocket URL without a path rarely reaches a router: say where it usually is."""
    if url.startswith(("ws://", "wss://")) and urlsplit(url).path in ("", "/"):
        return " (the WebSocket path is usually /ws, e.g. ws://HOST:PORT/ws)"
    return ""


class ConnectError(WampgateError):
    """Could not connect to or join the router at ``url``."""

    exit_code = 3

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot connect to {url}: {reason}{_path_hint(url)}")
        self.url = url
        self.reason = reason


class AuthenticationFailed(ConnectError):
    """The router refused to sign ``authid`` in: wrong user name, password or key."""

    def __init__(self, url: str, authid: str, detail: str) -> None:
        super().__init__(url, f"wrong user name or password (or key) for {authid!r} ({detail})")
        self.authid = authid


class ConnectionLost(WampgateError):
    """The connection to the router was lost and not restored in time."""

    exit_code = 3


class CallTimeout(WampgateError):
    """``uri`` gave no answer within ``seconds``; the call was cancelled."""

    def __init__(self, uri: str, seconds: float) -> None:
        super().__init__(f"{uri}: no answer within {seconds:g}s; the call was cancelled")
        self.uri = uri
        self.seconds = seconds


def ran_out(exc: ApplicationError, timeout: float | None, elapsed: float) -> bool:
    """Whether ``exc`` is the router cancelling a call at its deadline.

    The router answers ``wamp.error.canceled`` both when the deadline passes
    and when the callee goes away mid-call (a killed worker); only the first
    is a :class:`CallTimeout`. The router's deadline is in whole seconds.
    """
    cancelled = exc.error == ApplicationError.CANCELED
    return cancelled and timeout is not None and elapsed >= timeout - 1


class BenchError(WampgateError):
    """A benchmark load process failed, or the benchmark lacks what it needs."""


class CallError(WampgateError):
    """A WAMP error reply: ``uri`` names the error, ``message`` says what happened."""

    def __init__(
        self,
        uri: str,
        message: str = "",
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{uri}: {message}" if message else uri)
        self.uri = uri
        self.message = message
        self.error_args = args
        self.error_kwargs = kwargs or {}


class InvalidArgument(CallError):
    """The procedure rejected its arguments (``wamp.error.invalid_argument``)."""


class NoSuchProcedure(CallError):
    """Nothing is registered under that URI (``wamp.error.no_such_procedure``)."""


class NotAuthorized(CallError):
    """This session's role may not do that (``wamp.error.not_authorized``)."""


_BY_URI: dict[str, type[CallError]] = {
    ApplicationError.INVALID_ARGUMENT: InvalidArgument,
    ApplicationError.NO_SUCH_PROCEDURE: NoSuchProcedure,
    ApplicationError.NOT_AUTHORIZED: NotAuthorized,
}


def from_application_error(exc: Any) -> CallError:
    """Our exception for an Autobahn ``ApplicationError``."""
    args = tuple(exc.args)
    message = str(args[0]) if args and isinstance(args[0], str) else ""
    cls = _BY_URI.get(exc.error, CallError)
    return cls(exc.error, message, args, dict(exc.kwargs or {}))


#: Reasons a router gives for refusing credentials (Crossbar's and WAMP's words).
_REFUSED_LOGIN = frozenset(
    {
        ApplicationError.NOT_AUTHORIZED,
        ApplicationError.AUTHENTICATION_FAILED,
        ApplicationError.NO_SUCH_PRINCIPAL,
    }
)


def refused(url: str, authid: str | None, reason: str, message: str | None) -> ConnectError:
    """Our exception for a router that ended the session before it was joined."""
    detail = f"{reason}: {message or ''}".strip(": ")
    if authid is not None and reason in _REFUSED_LOGIN:
        return AuthenticationFailed(url, authid, detail)
    return ConnectError(url, detail)


@contextlib.contextmanager
def mapped(doing: str) -> Iterator[None]:
    """The one place where Autobahn's exceptions become ours."""
    try:
        yield
    except ApplicationError as exc:
        raise from_application_error(exc) from None
    except InvalidUriError as exc:
        raise InvalidUri(f"{doing}: {exc}") from None
    except SerializationError as exc:
        raise UsageError(f"{doing}: the arguments cannot be sent: {exc}") from None
    except (TransportLost, SessionNotReady) as exc:
        raise ConnectionLost(f"connection lost {doing}: {exc}") from None
