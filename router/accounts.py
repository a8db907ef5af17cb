"""Changes to the users store, one function per ``wampgate user`` command.

Each reads the store, changes one user and writes it back (atomically, mode
0600). The router reads the file at every sign-in, so a change applies to
the next sign-in; sessions already open keep the role they signed in with.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from wampgate.router import credentials, permissions
from wampgate.router import userstore as users
from wampgate.router.userstore import User, UsersError


def _password(password: str) -> credentials.CraKey:
    return credentials.derive(credentials.check_password(password))


_pubkey = credentials.check_pubkey


def check_role(role: str, prefixes: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """``role`` and ``prefixes`` if a user may hold them together (see ``wampgate role list``)."""
    found = permissions.ROLES.get(role)
    if found is None or not found.assignable:
        names = ", ".join(n for n, r in permissions.ROLES.items() if r.assignable)
        raise UsersError(f"role {role!r}: a user's role is one of {names} (wampgate role list)")
    checked = tuple(users.check_prefix(p) for p in prefixes)
    if found.needs_prefix and not checked:
        raise UsersError(f"role {role} needs --prefix: the URIs it may register and publish under")
    return role, checked


def add(
    path: Path,
    name: str,
    *,
    password: str | None = None,
    pubkey: str | None = None,
    role: str = users.DEFAULT_ROLE,
    prefixes: Iterable[str] = (),
) -> User:
    """Create ``name`` with a password and/or a public key; refuse an existing name."""
    users.check_name(name)
    role, prefixes = check_role(role, prefixes)
    if password is None and pubkey is None:
        raise UsersError(f"user {name!r} needs a password or a public key")
    store = users.ensure(path)
    if name in store.users:
        raise UsersError(f"user {name!r} exists; use `wampgate user passwd` or `user key`")
    user = User(
        role=role,
        prefixes=prefixes,
        wampcra=_password(password) if password is not None else None,
        cryptosign=(_pubkey(pubkey),) if pubkey is not None else (),
    )
    users.save(path, store.with_user(name, user))
    return user


def _change(path: Path, name: str, **changes: object) -> User:
    store = users.ensure(path)
    user = dataclasses.replace(store.get(name), **changes)  # type: ignore[arg-type]
    users.save(path, store.with_user(name, user))
    return user


def passwd(path: Path, name: str, password: str) -> User:
    """Give ``name`` a new password (the old one stops working at once)."""
    return _change(path, name, wampcra=_password(password))


def add_key(path: Path, name: str, pubkey: str) -> User:
    """Let ``name`` also sign in with the Ed25519 key ``pubkey``."""
    key = _pubkey(pubkey)
    keys = users.ensure(path).get(name).cryptosign
    return _change(path, name, cryptosign=keys if key in keys else (*keys, key))


def remove_key(path: Path, name: str, pubkey: str) -> User:
    key = _pubkey(pubkey)
    keys = users.ensure(path).get(name).cryptosign
    if key not in keys:
        raise UsersError(f"user {name!r} has no key {key[:12]}...")
    return _change(path, name, cryptosign=tuple(k for k in keys if k != key))


def grant(path: Path, name: str, role: str | None = None, prefixes: Iterable[str] = ()) -> User:
    """Give ``name`` the role ``role`` (default: theirs) and these prefixes (replacing theirs).

    Applies to the user's next action: open sessions keep their role, and
    prefixes are read at every action outside the role's table.
    """
    role, checked = check_role(role or users.ensure(path).get(name).role, prefixes)
    return _change(path, name, role=role, prefixes=checked)


def remove(path: Path, name: str) -> None:
    """Delete ``name``: their next sign-in is refused."""
    store = users.ensure(path)
    store.get(name)
    users.save(path, store.with_user(name, None))
