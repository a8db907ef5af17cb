"""Signing HTTP bridge requests, and refusing replayed or stale ones."""

from __future__ import annotations

import datetime

from wampgate.router import httpsign
from wampgate.router.httpsign import ReplayGuard

NOW = datetime.datetime(2026, 1, 31, 12, 0, 0, tzinfo=datetime.UTC)
BODY = b'{"topic": "demo.hooks.ci", "args": [1]}'


def test_signature_is_crossbars() -> None:
    # Crossbar: base64url(HMAC-SHA256(secret, key | timestamp | seq | nonce | body)).
    signed = httpsign.sign("ci", "s3cret", BODY, NOW, seq=7, nonce=42)
    assert signed.timestamp == "2026-01-31T12:00:00.000Z"
    assert (signed.seq, signed.nonce) == ("7", "42")
    assert signed.signature == httpsign.signature(
        "s3cret", "ci", "2026-01-31T12:00:00.000Z", "7", "42", BODY
    )
    assert httpsign.is_signed_by("s3cret", signed.as_dict(), BODY)
    assert not httpsign.is_signed_by("other", signed.as_dict(), BODY)
    assert not httpsign.is_signed_by("s3cret", signed.as_dict(), BODY + b" ")
    assert not httpsign.is_signed_by("s3cret", {"key": "ci"}, BODY)
    assert "signature=" in signed.query() and "nonce=42" in signed.query()


def test_nonce_once_per_window() -> None:
    guard = ReplayGuard(window=60)
    stamp = httpsign.format_timestamp(NOW)
    assert guard.admit("ci", "1", stamp, NOW) is None
    assert "replayed" in (guard.admit("ci", "1", stamp, NOW) or "")
    assert guard.admit("ci", "2", stamp, NOW) is None
    assert guard.admit("other-key", "1", stamp, NOW) is None


def test_stale_or_future_timestamps_are_refused() -> None:
    guard = ReplayGuard(window=60)
    old = httpsign.format_timestamp(NOW - datetime.timedelta(seconds=61))
    ahead = httpsign.format_timestamp(NOW + datetime.timedelta(seconds=61))
    assert "from the router's clock" in (guard.admit("ci", "1", old, NOW) or "")
    assert "from the router's clock" in (guard.admit("ci", "2", ahead, NOW) or "")
    assert "not like" in (guard.admit("ci", "3", "yesterday", NOW) or "")


def test_memory_is_bounded_and_forgets_expired_nonces() -> None:
    guard = ReplayGuard(window=60, capacity=2)
    stamp = httpsign.format_timestamp(NOW)
    assert guard.admit("ci", "1", stamp, NOW) is None
    assert guard.admit("ci", "2", stamp, NOW) is None
    assert "too many" in (guard.admit("ci", "3", stamp, NOW) or "")
    later = NOW + datetime.timedelta(seconds=121)
    # Both entries have expired: a request signed now is admitted again.
    assert guard.admit("ci", "3", httpsign.format_timestamp(later), later) is None
