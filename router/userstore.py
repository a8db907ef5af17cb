"""Named users: people (password, WAMP-CRA) and services (Ed25519 key, WAMP-Cryptosign).

They live in ``<state dir>/users.json`` (mode 0600)::

    {"format": "wampgate-users/2",
     "decoy_key": "...",
     "users": {"alice": {"role": "user", "prefixes": [],
                         "wampcra": {"salt": "...", "iterations": 50000, "keylen": 32,
                                     "key": "..."},
                         "cryptosign": ["<64 hex digits>"]}}}

No password is stored, only what :mod:`wampgate.router.credentials` derives
from it. The router reads this file at every sign-in, so ``wampgate user ...``
takes effect at once. ``decoy_key`` makes the challenges for unknown names
look like real ones. An older file of plain tickets is refused until
``wampgate user migrate`` has turned each ticket into that user's password.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wampgate.router import credentials
from wampgate.router.credentials import CraKey
from wampgate.router.errors import UsersError as UsersError  # also importable from here
from wampgate.router.secret import write_private

FORMAT = "wampgate-users/2"
DEFAULT_ROLE = "user"
_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,62}$")
_PREFIX = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*\.$")
RESERVED = frozenset({"backend", "anonymous", "admin", "system", "trusted"})


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise UsersError(
            f"user name {name!r}: use 1-63 lower-case letters, digits, '_', '.' or '-', "
            "starting with a letter"
        )
    if name in RESERVED:
        raise UsersError(f"user name {name!r} is reserved")
    return name


def check_prefix(prefix: str) -> str:
    if not _PREFIX.match(prefix):
        raise UsersError(f"prefix {prefix!r}: expected dotted URI components ending in '.'")
    return prefix


@dataclass(frozen=True)
class User:
    """One named user: a role, extra URI prefixes, and how they may prove who they are."""

    role: str = DEFAULT_ROLE
    prefixes: tuple[str, ...] = ()
    wampcra: CraKey | None = None
    cryptosign: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"role": self.role, "prefixes": list(self.prefixes)}
        if self.wampcra is not None:
            data["wampcra"] = self.wampcra.as_dict()
        data["cryptosign"] = list(self.cryptosign)
        return data

    @property
    def methods(self) -> list[str]:
        return [m for m, ok in (("wampcra", self.wampcra), ("cryptosign", self.cryptosign)) if ok]


@dataclass(frozen=True)
class Store:
    """The users file's content."""

    decoy_key: str = field(default_factory=credentials.new_decoy_key)
    users: Mapping[str, User] = field(default_factory=dict)

    def with_user(self, name: str, user: User | None) -> Store:
        users = {k: v for k, v in self.users.items() if k != name}
        if user is not None:
            users[name] = user
        return dataclasses.replace(self, users=dict(sorted(users.items())))

    def get(self, name: str) -> User:
        if name not in self.users:
            raise UsersError(f"no user {name!r}")
        return self.users[name]

    def to_json(self) -> str:
        users = {name: u.as_dict() for name, u in self.users.items()}
        data = {"format": FORMAT, "decoy_key": self.decoy_key, "users": users}
        return json.dumps(data, indent=2) + "\n"


def _user(name: str, raw: Any, where: str) -> User:
    check_name(name)
    try:
        cra = raw.get("wampcra")
        user = User(
            role=str(raw.get("role", DEFAULT_ROLE)),
            prefixes=tuple(check_prefix(p) for p in raw.get("prefixes", [])),
            wampcra=CraKey(
                salt=str(cra["salt"]),
                iterations=int(cra["iterations"]),
                keylen=int(cra["keylen"]),
                key=str(cra["key"]),
            )
            if cra
            else None,
            cryptosign=tuple(credentials.check_pubkey(k) for k in raw.get("cryptosign", [])),
        )
    except (AttributeError, KeyError, TypeError, ValueError, UsersError) as exc:
        raise UsersError(f"{where}: user {name!r} is malformed ({exc})") from None
    return user


def parse(text: str, where: str = "users.json") -> Store:
    """The store in ``text``; raise :class:`UsersError` on anything else."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsersError(f"{where}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if isinstance(data, dict) and data and all(isinstance(v, str) for v in data.values()):
        raise UsersError(
            f"{where} holds plain-text tickets from an older wampgate; run "
            "`wampgate user migrate` to replace each by a salted key (the ticket "
            "becomes that user's password)"
        )
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsersError(f"{where}: not a wampgate users file (expected format {FORMAT})")
    users = data.get("users", {})
    if not isinstance(users, dict) or not isinstance(data.get("decoy_key"), str):
        raise UsersError(f"{where}: expected 'decoy_key' and a 'users' object")
    return Store(
        decoy_key=data["decoy_key"],
        users={name: _user(name, raw, where) for name, raw in users.items()},
    )


def load(path: Path) -> Store:
    """The store at ``path``; an absent file means nobody (and a fresh decoy key)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return Store()
    return parse(text, str(path))


def ensure(path: Path) -> Store:
    """The store at ``path``, written first if absent (so the decoy key is stable)."""
    store = load(path)
    if not path.exists():
        save(path, store)
    return store


def save(path: Path, store: Store) -> None:
    write_private(path, store.to_json())


def migrate(path: Path) -> list[str]:
    """Turn an older file of plain tickets into salted keys; return the users migrated."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise UsersError(f"{path} does not exist; nothing to migrate") from None
    except json.JSONDecodeError as exc:
        raise UsersError(f"{path}: not valid JSON ({exc.msg})") from None
    if isinstance(data, dict) and data.get("format") == FORMAT:
        return []
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise UsersError(f'{path}: expected an older {{"name": "ticket"}} file')
    store = Store()
    for name, ticket in data.items():
        store = store.with_user(check_name(name), User(wampcra=credentials.derive(ticket)))
    save(path, store)
    return sorted(data)
