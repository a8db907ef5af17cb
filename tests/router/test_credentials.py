"""Stored credentials: derived keys and public keys, never a password."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from autobahn.wamp.auth import derive_key
from wampgate.router import accounts, authenticator, credentials
from wampgate.router import userstore as users
from wampgate.router.userstore import UsersError

PUBKEY = "ab" * 32


def test_derived_key_is_what_a_stock_client_derives() -> None:
    cra = credentials.derive("correct horse battery", iterations=1000)
    client = derive_key(b"correct horse battery", cra.salt.encode(), 1000, cra.keylen)
    assert cra.key == client.decode()
    assert credentials.derive("correct horse battery").salt != cra.salt  # fresh salt each time


def test_store_holds_no_password(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    accounts.add(path, "alice", password="alice-secret-pw")
    accounts.add(path, "svc", pubkey=PUBKEY.upper(), role="user")
    text = path.read_text()
    assert "alice-secret-pw" not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store = users.load(path)
    assert store.users["svc"].cryptosign == (PUBKEY,)
    assert store.users["alice"].methods == ["wampcra"]
    assert json.loads(text)["format"] == users.FORMAT


def test_passwd_key_remove(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    first = accounts.add(path, "alice", password="first-password")
    second = accounts.passwd(path, "alice", "second-password")
    assert first.wampcra != second.wampcra
    accounts.add_key(path, "alice", PUBKEY)
    accounts.add_key(path, "alice", PUBKEY)  # twice is once
    assert users.load(path).users["alice"].methods == ["wampcra", "cryptosign"]
    accounts.remove_key(path, "alice", PUBKEY)
    assert users.load(path).users["alice"].cryptosign == ()
    accounts.remove(path, "alice")
    assert users.load(path).users == {}
    with pytest.raises(UsersError, match="no user 'alice'"):
        accounts.remove(path, "alice")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"password": "short"}, "at least 8"),
        ({"pubkey": "zz"}, "64 hex digits"),
        ({}, "needs a password or a public key"),
        ({"password": "long-enough", "prefixes": ["bad"]}, "prefix"),
    ],
)
def test_bad_input_is_explained(tmp_path: Path, kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(UsersError, match=message):
        accounts.add(tmp_path / "users.json", "alice", **kwargs)  # type: ignore[arg-type]


def test_existing_user_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    accounts.add(path, "alice", password="first-password")
    with pytest.raises(UsersError, match="exists"):
        accounts.add(path, "alice", password="other-password")


def test_plain_tickets_are_refused_then_migrated(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text('{"alice": "old-plain-ticket"}')
    with pytest.raises(UsersError, match="wampgate user migrate"):
        users.load(path)
    assert users.migrate(path) == ["alice"]
    assert "old-plain-ticket" not in path.read_text()
    cra = users.load(path).users["alice"].wampcra
    assert cra is not None and credentials.derive("old-plain-ticket", cra.salt).key == cra.key
    assert users.migrate(path) == []  # already migrated


def test_decoy_looks_like_a_user_and_is_stable(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    accounts.add(path, "alice", password="alice-secret-pw")
    store = users.load(path)
    real = authenticator.wampcra_principal(store, "alice")
    fake = authenticator.wampcra_principal(store, "mallory")
    assert set(real) == set(fake)
    assert len(real["salt"]) == len(fake["salt"]) and real["role"] == fake["role"]
    assert fake["salt"] == authenticator.wampcra_principal(store, "mallory")["salt"]
    assert (
        fake[authenticator.STORED_KEY]
        != authenticator.wampcra_principal(store, "mallory")[authenticator.STORED_KEY]
    )


def test_cryptosign_principal() -> None:
    store = users.Store().with_user("svc", users.User(cryptosign=(PUBKEY,)))
    assert authenticator.cryptosign_principal(store, "svc", PUBKEY)["pubkey"] == PUBKEY
    assert authenticator.cryptosign_principal(store, None, PUBKEY)["authid"] == "svc"
    other = "cd" * 32
    assert authenticator.cryptosign_principal(store, "svc", other)["pubkey"] not in (PUBKEY, other)
    assert authenticator.cryptosign_principal(store, "nobody", PUBKEY)["pubkey"] != PUBKEY
