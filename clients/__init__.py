"""The wampgate Python client: ``connect`` (asyncio) and ``connect_sync`` (blocking)."""

import contextlib
import io

import txaio

txaio.use_asyncio()

# Autobahn imports an optional serializer (bjdata) built against NumPy 1.x; with
# NumPy 2 the import prints a harmless traceback. Keep it out of our output.
with contextlib.redirect_stderr(io.StringIO()):
    import autobahn.wamp.serializer  # noqa: F401

from wampgate.clients.errors import (  # noqa: E402
    CallError,
    ConnectError,
    ConnectionLost,
    InvalidArgument,
    NoSuchProcedure,
    NotAuthorized,
    WampgateError,
)
from wampgate.clients.session import (  # noqa: E402
    CallResult,
    ClientSettings,
    Event,
    Session,
    Subscription,
    connect,
)
from wampgate.clients.sync import SyncSession, connect_sync  # noqa: E402

__all__ = [
    "CallError",
    "CallResult",
    "ClientSettings",
    "ConnectError",
    "ConnectionLost",
    "Event",
    "InvalidArgument",
    "NoSuchProcedure",
    "NotAuthorized",
    "Session",
    "Subscription",
    "SyncSession",
    "WampgateError",
    "connect",
    "connect_sync",
]
