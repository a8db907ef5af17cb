"""Sign-in of named users, read from the users store at every attempt.

Crossbar runs this inside its router worker as a ``function`` authenticator
(``"auth": {"wampcra": {"type": "function", "create":
"wampgate.router.authenticator.create_wampcra", "config": {"users": PATH}}}``,
and ``create_cryptosign`` likewise). It lives in the router rather than in a
component because WAMP-CRA needs one change inside the router anyway (below),
and so that signing in does not depend on a component being up.

Stored keys, not passwords: Crossbar, given a salted user, derives the key
from the ``secret`` it is handed, so handing it the stored key would make it
derive twice and no stock client could sign in. :func:`install_stored_key_signing`
teaches its challenge to sign with a key already derived (the principal's
:data:`STORED_KEY`) and still send salt, iterations and key length, which is
all a stock Autobahn client needs to derive the same key from the password.

Unknown names and wrong secrets are refused alike: an unknown name gets a
challenge with a decoy salt (stable per name) and a key nobody can match, so
both end in Crossbar's one "signature is invalid" refusal.

:func:`wampcra_principal` and :func:`cryptosign_principal` are pure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from wampgate.router import credentials
from wampgate.router import userstore as user_store
from wampgate.router.userstore import Store

#: The principal's field with the stored WAMP-CRA key (never a password).
STORED_KEY = "wampgate_stored_key"

Principal = dict[str, Any]


def wampcra_principal(store: Store, authid: str) -> Principal:
    """What Crossbar needs to challenge ``authid`` (a decoy for an unknown name)."""
    user = store.users.get(authid)
    cra = user.wampcra if user is not None else None
    role = user.role if user is not None and cra is not None else user_store.DEFAULT_ROLE
    if cra is None:
        cra = credentials.decoy_cra(store.decoy_key, authid)
    # No "secret": a router without the stored-key signing fails closed.
    return {
        "role": role,
        "salt": cra.salt,
        "iterations": cra.iterations,
        "keylen": cra.keylen,
        STORED_KEY: cra.key,
    }


def cryptosign_principal(store: Store, authid: str | None, pubkey: str | None) -> Principal:
    """The key Crossbar checks the signature with: the user's key the client names, else a decoy.

    A client names its key in ``authextra.pubkey`` (Autobahn does so). Without
    ``authid`` the key alone identifies the user.
    """
    if authid is None and pubkey is not None:
        authid = next((n for n, u in store.users.items() if pubkey in u.cryptosign), None)
    user = store.users.get(authid) if authid is not None else None
    if user is not None and pubkey is not None and pubkey in user.cryptosign:
        return {"authid": authid, "role": user.role, "pubkey": pubkey}
    return {
        "authid": authid or "unknown",
        "role": user_store.DEFAULT_ROLE,
        "pubkey": credentials.decoy_pubkey(),
    }


class StoreReader:
    """The users file, parsed again only when it changed on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        self._store = Store()

    def read(self) -> Store:
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return self._store
        stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        if stamp != self._stamp:
            self._store = user_store.load(self.path)
            self._stamp = stamp
        return self._store


def install_stored_key_signing() -> None:
    """Make Crossbar's WAMP-CRA challenge sign with a stored key (see the module docstring)."""
    from crossbar.router.auth.wampcra import PendingAuthWampCra

    original = PendingAuthWampCra._compute_challenge
    if getattr(original, "wampgate", False):
        return

    def compute_challenge(self: Any, user: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
        if STORED_KEY not in user:
            return original(self, user)  # type: ignore[no-any-return]
        # Crossbar's own challenge, signed with the stored key as it is ...
        extra, signature = original(self, {"secret": user[STORED_KEY]})
        # ... and the parameters the client derives that key with.
        extra.update(salt=user["salt"], iterations=user["iterations"], keylen=user["keylen"])
        return extra, signature

    compute_challenge.wampgate = True  # type: ignore[attr-defined]
    PendingAuthWampCra._compute_challenge = compute_challenge


Authenticate = Callable[[str, str | None, Mapping[str, Any]], Principal]


def _reader(config: Mapping[str, Any]) -> StoreReader:
    return StoreReader(Path(str(config["users"])))


def create_wampcra(config: Mapping[str, Any], controller: Any = None) -> Authenticate:
    """Crossbar's factory for the WAMP-CRA ``function`` authenticator."""
    install_stored_key_signing()
    reader = _reader(config)

    def authenticate(realm: str, authid: str | None, details: Mapping[str, Any]) -> Principal:
        return wampcra_principal(reader.read(), authid or "")

    return authenticate


def create_cryptosign(config: Mapping[str, Any], controller: Any = None) -> Authenticate:
    """Crossbar's factory for the WAMP-Cryptosign ``function`` authenticator."""
    reader = _reader(config)

    def authenticate(realm: str, authid: str | None, details: Mapping[str, Any]) -> Principal:
        extra = details.get("authextra") or {}
        pubkey = extra.get("pubkey") if isinstance(extra, Mapping) else None
        return cryptosign_principal(
            reader.read(), authid, pubkey if isinstance(pubkey, str) else None
        )

    return authenticate
