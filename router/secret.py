"""The backend secret: components authenticate to the router with it (WAMP-CRA)."""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

from wampgate.contract import env as names
from wampgate.router.errors import ConfigError

log = logging.getLogger("wampgate.router")

ENV_SECRET = names.BACKEND_SECRET


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (mode 0600), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    tmp.chmod(0o600)  # O_CREAT's mode does not apply to a leftover file
    tmp.replace(path)


def load_or_create(path: Path, env: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """The secret from the environment, else from ``path``, created (mode 0600) on first use."""
    if env.get(ENV_SECRET):
        return env[ENV_SECRET]
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("%s was readable by others (mode %o); made it 0600", path, mode)
            path.chmod(0o600)
        secret = path.read_text().strip()
        if not secret:
            raise ConfigError(
                f"the backend secret file {path} is empty: delete it to generate a new one"
            ) from None
        return secret
    secret = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")
    log.info("generated a new backend secret in %s (mode 0600)", path)
    return secret
