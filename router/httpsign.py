"""Signed requests to the HTTP bridge (``POST /publish``, ``POST /call``): sign and check.

Crossbar defines the signature: the query carries ``key``, ``timestamp``
(UTC, ``2026-01-31T12:00:00.000Z``), ``seq``, ``nonce`` (an integer) and
``signature`` = base64url(HMAC-SHA256(secret, key + timestamp + seq + nonce +
body)). Crossbar checks signature and timestamp but not the nonce, so a
captured request could be sent again; :class:`ReplayGuard` refuses a nonce
seen within the timestamp window, and anything older than the window.

Pure: the clock is passed in.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
#: How far a request's timestamp may be from the router's clock.
WINDOW_SECONDS = 60
#: Nonces remembered at most (within one window); beyond, requests are refused.
CAPACITY = 100_000


def format_timestamp(moment: datetime.datetime) -> str:
    """``moment`` (UTC) as Crossbar wants it, with milliseconds."""
    return moment.strftime(TIMESTAMP_FORMAT)[:-4] + "Z"


def parse_timestamp(text: str) -> datetime.datetime:
    """Raise :class:`ValueError` unless ``text`` is a timestamp as Crossbar reads it."""
    return datetime.datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=datetime.UTC)


def signature(secret: str, key: str, timestamp: str, seq: str, nonce: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), digestmod=hashlib.sha256)
    for part in (key, timestamp, seq, nonce):
        mac.update(part.encode("utf-8"))
    mac.update(body)
    return base64.urlsafe_b64encode(mac.digest()).decode("ascii")


@dataclass(frozen=True)
class SignedQuery:
    """The query parameters of one signed request."""

    key: str
    timestamp: str
    seq: str
    nonce: str
    signature: str

    def as_dict(self) -> dict[str, str]:
        return {
            "key": self.key,
            "timestamp": self.timestamp,
            "seq": self.seq,
            "nonce": self.nonce,
            "signature": self.signature,
        }

    def query(self) -> str:
        return urlencode(self.as_dict())


def sign(
    key: str,
    secret: str,
    body: bytes,
    now: datetime.datetime,
    *,
    seq: int = 0,
    nonce: int | None = None,
) -> SignedQuery:
    """Sign ``body`` for the bridge; a random nonce unless one is given."""
    timestamp = format_timestamp(now)
    nonce_text = str(nonce if nonce is not None else secrets.randbelow(2**53))
    seq_text = str(seq)
    return SignedQuery(
        key=key,
        timestamp=timestamp,
        seq=seq_text,
        nonce=nonce_text,
        signature=signature(secret, key, timestamp, seq_text, nonce_text, body),
    )


def is_signed_by(secret: str, query: Mapping[str, str], body: bytes) -> bool:
    """Whether ``query`` carries a valid signature of ``body`` (constant-time compare)."""
    try:
        key, timestamp, seq, nonce = (query[n] for n in ("key", "timestamp", "seq", "nonce"))
        given = query["signature"]
    except KeyError:
        return False
    return hmac.compare_digest(signature(secret, key, timestamp, seq, nonce, body), given)


class ReplayGuard:
    """Nonces seen within the window; thread-safe, bounded."""

    def __init__(self, window: float = WINDOW_SECONDS, capacity: int = CAPACITY) -> None:
        self.window = window
        self.capacity = capacity
        self._seen: OrderedDict[tuple[str, str], datetime.datetime] = OrderedDict()
        self._lock = threading.Lock()

    def admit(self, key: str, nonce: str, timestamp: str, now: datetime.datetime) -> str | None:
        """``None`` if a validly signed request may pass, else why it may not."""
        try:
            moment = parse_timestamp(timestamp)
        except ValueError:
            return f"timestamp {timestamp!r} is not like 2026-01-31T12:00:00.000Z"
        if abs((now - moment).total_seconds()) > self.window:
            return f"timestamp {timestamp} is more than {self.window:.0f}s from the router's clock"
        with self._lock:
            self._forget(now)
            if (key, nonce) in self._seen:
                return "nonce already used (a replayed request)"
            if len(self._seen) >= self.capacity:
                return "too many signed requests in the window; retry later"
            self._seen[(key, nonce)] = now
        return None

    def _forget(self, now: datetime.datetime) -> None:
        horizon = now - datetime.timedelta(seconds=2 * self.window)
        while self._seen:
            oldest = next(iter(self._seen.values()))
            if oldest > horizon:
                break
            self._seen.popitem(last=False)
