"""Named users: people who log in with a ticket (a long random password) and may publish.

They live in ``<state dir>/users.json`` (mode 0600) as ``{"name": "ticket"}``.
``wampgate user add NAME`` creates one; the router reads the file when it
starts, so a change takes effect at the next ``wampgate up``.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

from wampgate.router.errors import UsersError as UsersError  # also importable from here
from wampgate.router.secret import write_private

_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,62}$")
RESERVED = frozenset({"backend", "anonymous", "admin", "system"})


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise UsersError(
            f"user name {name!r}: use 1-63 lower-case letters, digits, '_', '.' or '-', "
            "starting with a letter"
        )
    if name in RESERVED:
        raise UsersError(f"user name {name!r} is reserved")
    return name


def load(path: Path) -> dict[str, str]:
    """The users and their tickets; an absent file means nobody."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except json.JSONDecodeError as exc:
        raise UsersError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in data.items()
    ):
        raise UsersError(f'{path}: expected {{"name": "ticket", ...}}')
    for name in data:
        check_name(name)
    return data


def save(path: Path, users: Mapping[str, str]) -> None:
    write_private(path, json.dumps(dict(sorted(users.items())), indent=2) + "\n")


def add(path: Path, name: str) -> str:
    """Create ``name`` with a fresh ticket (or replace its ticket); return the ticket."""
    users = load(path)
    users[check_name(name)] = secrets.token_urlsafe(24)
    save(path, users)
    return users[name]


def remove(path: Path, name: str) -> None:
    users = load(path)
    if name not in users:
        raise UsersError(f"no user {name!r} in {path}")
    del users[name]
    save(path, users)
