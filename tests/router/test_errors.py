"""One exception tree for wampgate.router, and what a user sees when it is raised."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from wampgate.router import errors
from wampgate.router.config import GatewaySettings
from wampgate.router.errors import ConfigError, GatewayError, RouterError, UsersError

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
WAMPGATE = str(Path(sys.executable).parent / "wampgate")


def test_every_router_error_is_under_one_documented_root() -> None:
    for cls in (ConfigError, GatewayError, UsersError):
        assert issubclass(cls, RouterError)
        assert cls.__name__ in (errors.__doc__ or "")


def raised_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name):
                names.add(target.id)
    return names


@pytest.mark.parametrize("module", sorted((ROOT / "router").glob("*.py")), ids=lambda p: p.name)
def test_library_code_raises_only_router_errors(module: Path) -> None:
    allowed = {"RouterError", "ConfigError", "GatewayError", "UsersError", "KeyboardInterrupt"}
    assert raised_names(module) <= allowed


def test_a_bad_port_variable_is_a_router_error() -> None:
    with pytest.raises(RouterError, match="WAMPGATE_PORT='http' is not a port number"):
        GatewaySettings.from_env(ROOT, {"WAMPGATE_PORT": "http"})


def test_up_with_an_empty_secret_file_says_so_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "backend.secret").write_text("")
    (tmp_path / "backend.secret").chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAMPGATE_")}
    done = subprocess.run(
        [WAMPGATE, "up", "--port", str(free_port()), "--echo-port", str(free_port())],
        env={**env, "WAMPGATE_STATE_DIR": str(tmp_path)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if "ERROR" in line]
    assert len(lines) == 1, done.stderr
    assert f"the backend secret file {tmp_path / 'backend.secret'} is empty" in lines[0]
    assert "Traceback" not in done.stderr
