"""Checks made before a gateway starts: Crossbar installed, ports free, config accepted,
the journal reachable and written by no other gateway."""

from __future__ import annotations

import errno
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from wampgate.router.errors import ConfigError, GatewayError


def crossbar_executable() -> str:
    beside = Path(sys.executable).parent / "crossbar"
    if beside.is_file():
        return str(beside)
    found = shutil.which("crossbar")
    if found is None:
        raise GatewayError("crossbar is not installed: run `make setup` (or pip install -e .)")
    return found


def check_port_free(host: str, port: int, what: str) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise GatewayError(
                    f"{what} port {port} on {host} is already in use: stop what holds it "
                    f"(ss -ltnp 'sport = :{port}') or choose another port"
                ) from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise GatewayError(f"{host} is not an address of this machine") from None
            raise GatewayError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def check_config(node_dir: Path, crossbar: str, env: dict[str, str]) -> None:
    """Run ``crossbar check`` on the rendered node directory; raise :class:`ConfigError`.

    Crossbar's checker runs on Twisted, so it runs in a process of its own.
    """
    done = subprocess.run(
        [crossbar, "check", "--cbdir", str(node_dir)],
        capture_output=True,
        text=True,
        # Crossbar leaves the process without flushing a piped stdout.
        env={**env, "PYTHONUNBUFFERED": "1"},
        timeout=60,
        check=False,
    )
    output = (done.stdout + done.stderr).strip()
    if done.returncode == 0 and "looks good" in output:
        return
    lines = output.splitlines() or ["crossbar check printed nothing"]
    reason = next((line for line in lines if line.startswith("Error")), lines[-1])
    raise ConfigError(f"invalid node configuration {node_dir / 'config.json'}: {reason}")


def check_journal(url: str | None) -> None:
    """No other running gateway writes the journal at ``url`` (and it can be reached)."""
    if url is None:
        return
    from wampgate.router.journal import db

    try:
        db.check_unclaimed(url)
    except db.JournalBusy as exc:
        raise GatewayError(str(exc)) from None
    except Exception as exc:  # the driver's own errors: unreachable, refused, bad URL
        raise GatewayError(f"cannot open the journal {db.describe(url)}: {exc}") from None
