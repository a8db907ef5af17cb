"""The backend secret file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from wampgate.router import secret
from wampgate.router.errors import ConfigError


def test_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "state" / "backend.secret"
    first = secret.load_or_create(path, env={})
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret.load_or_create(path, env={}) == first


def test_environment_wins(tmp_path: Path) -> None:
    path = tmp_path / "backend.secret"
    assert secret.load_or_create(path, env={secret.ENV_SECRET: "from-env"}) == "from-env"
    assert not path.exists()


def test_loose_permissions_are_tightened(tmp_path: Path) -> None:
    path = tmp_path / "backend.secret"
    path.write_text("abc\n")
    path.chmod(0o644)
    assert secret.load_or_create(path, env={}) == "abc"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "backend.secret"
    path.write_text("")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="empty"):
        secret.load_or_create(path, env={})
