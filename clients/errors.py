"""The exceptions of the wampgate client, in one hierarchy.

- :class:`WampgateError`: the base of everything below.
- :class:`ConnectError`: the router could not be reached or refused the
  session (wrong URL, realm or credentials). Carries the URL tried.
- :class:`ConnectionLost`: the connection dropped and did not come back in time
  for a pending call or publish.
- :class:`CallError`: the router or a callee answered with a WAMP error. Carries
  the error URI and message; subclasses for the common URIs:
  :class:`InvalidArgument`, :class:`NoSuchProcedure`, :class:`NotAuthorized`.

Autobahn's exceptions are mapped to these in one place
(:func:`from_application_error`), never caught piecemeal elsewhere.
"""

from __future__ import annotations

from typing import Any

from wampgate.contract import uris


class WampgateError(Exception):
    """Base class of every wampgate client error."""


class ConnectError(WampgateError):
    """Could not connect to or join the router at ``url``."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot connect to {url}: {reason}")
        self.url = url
        self.reason = reason


class ConnectionLost(WampgateError):
    """The connection to the router was lost and not restored in time."""


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
    uris.ERROR_INVALID_ARGUMENT: InvalidArgument,
    uris.ERROR_NO_SUCH_PROCEDURE: NoSuchProcedure,
    "wamp.error.not_authorized": NotAuthorized,
}


def from_application_error(exc: Any) -> CallError:
    """Our exception for an Autobahn ``ApplicationError``."""
    args = tuple(exc.args)
    message = str(args[0]) if args and isinstance(args[0], str) else ""
    cls = _BY_URI.get(exc.error, CallError)
    return cls(exc.error, message, args, dict(exc.kwargs or {}))
