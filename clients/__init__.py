"""The wampgate Python client: ``connect`` (asyncio) and ``connect_sync`` (blocking).

Its errors are one tree under :class:`WampgateError` (see :mod:`wampgate.clients.errors`).
"""

import contextlib
import io

import txaio

txaio.use_asyncio()

# Autobahn imports an optional serializer (bjdata) built against NumPy 1.x; with
# NumPy 2 the import prints a harmless traceback. Keep it out of our output.
with contextlib.redirect_stderr(io.StringIO()):
    import autobahn.wamp.serializer  # noqa: F401

from wampgate.clients.errors import (  # noqa: E402
    AuthenticationFailed,
    CallError,
    CallTimeout,
    ConnectError,
    ConnectionLost,
    InvalidArgument,
    InvalidUri,
    NoSuchProcedure,
    NotAuthorized,
    UsageError,
    WampgateError,
)
from wampgate.clients.session import CallResult, Session, connect  # noqa: E402
from wampgate.clients.settings import ClientSettings  # noqa: E402
from wampgate.clients.subscription import Event, Subscription  # noqa: E402
from wampgate.clients.sync import SyncSession, connect_sync  # noqa: E402

__all__ = [
    "AuthenticationFailed",
    "CallError",
    "CallResult",
    "CallTimeout",
    "ClientSettings",
    "ConnectError",
    "ConnectionLost",
    "Event",
    "InvalidArgument",
    "InvalidUri",
    "NoSuchProcedure",
    "NotAuthorized",
    "Session",
    "Subscription",
    "SyncSession",
    "UsageError",
    "WampgateError",
    "connect",
    "connect_sync",
]
