"""The wampgate Python client: ``connect`` (asyncio) and ``connect_sync`` (blocking)."""

from wampgate.clients.errors import (
    CallError,
    ConnectError,
    ConnectionLost,
    InvalidArgument,
    NoSuchProcedure,
    NotAuthorized,
    WampgateError,
)
from wampgate.clients.session import (
    CallResult,
    ClientSettings,
    Event,
    Session,
    Subscription,
    connect,
)
from wampgate.clients.sync import SyncSession, connect_sync

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
