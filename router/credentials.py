"""What wampgate keeps of a credential, and the checks that need no router.

Passwords are never stored. For WAMP-CRA the store keeps a PBKDF2-SHA256 key
derived from the password with a random per-user salt: the router signs its
challenge with that key and sends the salt, and a stock Autobahn client
(Python or autobahn-browser) derives the same key from the password the
person typed. For WAMP-Cryptosign the store keeps Ed25519 public keys only.

The derived key is what WAMP-CRA verifies, so it is as good as the password
*for this gateway*; what it protects is the password itself (often reused
elsewhere), which cannot be read back from the store.

All of this is pure: :func:`derive` and :func:`decoy_salt` compute, they do
not read files.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from autobahn.wamp.auth import derive_key
from wampgate.router.errors import UsersError

#: PBKDF2 rounds for new passwords. The browser derives the key in plain
#: JavaScript (autobahn-browser's CryptoJS): 50,000 rounds take about half a
#: second there, at each (re)connect; more would make sign-in feel broken.
ITERATIONS = 50_000
KEYLEN = 32
SALT_BYTES = 16
#: The shortest password ``wampgate user add`` accepts.
MIN_PASSWORD = 8

_PUBKEY = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class CraKey:
    """A salted WAMP-CRA key: what the router needs to check a password, not the password."""

    salt: str
    iterations: int
    keylen: int
    key: str

    def as_dict(self) -> dict[str, str | int]:
        return {
            "salt": self.salt,
            "iterations": self.iterations,
            "keylen": self.keylen,
            "key": self.key,
        }


def derive(
    password: str,
    salt: str | None = None,
    iterations: int = ITERATIONS,
    keylen: int = KEYLEN,
) -> CraKey:
    """The WAMP-CRA key of ``password`` (a fresh random salt unless one is given)."""
    salt = salt if salt is not None else secrets.token_urlsafe(SALT_BYTES)
    # Autobahn's own derivation: the very function its clients run on the password.
    key = derive_key(password.encode("utf-8"), salt.encode("ascii"), iterations, keylen)
    return CraKey(salt=salt, iterations=iterations, keylen=keylen, key=key.decode("ascii"))


def check_password(password: str) -> str:
    """``password`` if it is long enough; else raise :class:`UsersError` saying why."""
    if len(password) < MIN_PASSWORD:
        raise UsersError(f"a password needs at least {MIN_PASSWORD} characters")
    return password


def check_pubkey(pubkey: str) -> str:
    """An Ed25519 public key as 64 hex digits (what Autobahn and Crossbar exchange)."""
    normal = pubkey.strip().lower()
    if not _PUBKEY.match(normal):
        raise UsersError(
            f"public key {pubkey[:20]!r}...: expected 64 hex digits (an Ed25519 public key)"
        )
    return normal


def new_decoy_key() -> str:
    """A random key for :func:`decoy_salt`, kept in the users store."""
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def decoy_salt(decoy_key: str, authid: str) -> str:
    """A salt for a user who does not exist: stable per name, unpredictable without the key.

    An unknown name gets the same kind of challenge at every attempt, so the
    challenge does not tell whether a user exists.
    """
    digest = hmac.new(base64.b64decode(decoy_key), authid.encode("utf-8"), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:SALT_BYTES]).decode("ascii").rstrip("=")


def decoy_cra(decoy_key: str, authid: str) -> CraKey:
    """A WAMP-CRA key no password matches, shaped like a real user's."""
    return CraKey(
        salt=decoy_salt(decoy_key, authid),
        iterations=ITERATIONS,
        keylen=KEYLEN,
        key=base64.b64encode(secrets.token_bytes(KEYLEN)).decode("ascii"),
    )


def decoy_pubkey() -> str:
    """An Ed25519-sized public key no client holds the private key of."""
    return secrets.token_hex(32)
