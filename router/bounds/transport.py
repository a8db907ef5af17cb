"""The socket under an Autobahn protocol: how many bytes wait to be sent, and how to drop it.

Crossbar wraps its listening factories (``MaxConnectionsFactory``), so a
protocol's ``transport`` may be a Twisted ``ProtocolWrapper``; the bytes the
router still holds for a peer live in the innermost ``FileDescriptor``
(``dataBuffer`` past ``offset``, plus ``_tempDataBuffer`` not yet joined).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any, cast

import txaio
from twisted.internet.abstract import FileDescriptor

_MAX_WRAPPERS = 8


def socket_of(proto: Any) -> FileDescriptor | None:
    """The Twisted socket transport under ``proto``, unwrapping protocol wrappers."""
    transport = getattr(proto, "transport", None)
    for _ in range(_MAX_WRAPPERS):
        if transport is None or isinstance(transport, FileDescriptor):
            return transport
        transport = getattr(transport, "transport", None)
    return None


def pending_bytes(proto: Any) -> int:
    """Bytes written to ``proto`` that the peer has not taken yet (0 if unknown)."""
    sock = socket_of(proto)
    if sock is None:
        return 0
    return len(sock.dataBuffer) - sock.offset + sock._tempDataLen


def abort(proto: Any) -> None:
    """Close at once, dropping what is buffered (a peer that does not read gets no goodbye)."""
    proto._wampgate_aborted = True
    sock = socket_of(proto)
    if sock is not None:
        # Every socket transport Crossbar listens with (TCP, Unix) can abort.
        cast(Any, sock).abortConnection()
        # Free the buffer now rather than when the reactor gets to connectionLost.
        sock.dataBuffer = b""
        sock.offset = 0
        sock._tempDataBuffer = []
        sock._tempDataLen = 0
        release_memory_soon()
    elif getattr(proto, "transport", None) is not None:
        proto.transport.abortConnection()


def _trim() -> None:
    _trim_pending[0] = False
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


_trim_pending = [False]


def release_memory_soon() -> None:
    """Give freed heap back to the system once the reactor has dropped the connection.

    A dropped peer's buffer is many small chunks; glibc keeps such freed
    memory in the process unless asked (``malloc_trim``), so without this the
    router's RSS stays at its peak. Coalesced: one trim per burst of drops.
    """
    if not _trim_pending[0]:
        _trim_pending[0] = True
        txaio.call_later(0.5, _trim)


def peer_of(proto: Any) -> str:
    return str(getattr(proto, "peer", None) or "an unknown peer")
