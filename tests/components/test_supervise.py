"""The supervisor that restarts crashed components."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from wampgate.clients import Session
from wampgate.components.supervise import Backoff, component_command, supervise
from wampgate.contract import uris
from wampgate.router.launcher import Gateway

from tests.router.test_launcher import group_members


def test_backoff_grows_and_resets() -> None:
    b = Backoff(initial=0.5, maximum=4, healthy=30)
    assert b.next_delay(None, 0.1) == 0.5
    assert b.next_delay(0.5, 0.1) == 1.0
    assert b.next_delay(2.0, 0.1) == 4.0
    assert b.next_delay(4.0, 0.1) == 4.0
    assert b.next_delay(4.0, 31) == 0.5


def test_restarts_until_success(tmp_path: Path) -> None:
    counter = tmp_path / "runs"
    script = (
        "import pathlib, sys; p = pathlib.Path(sys.argv[1]); "
        "n = int(p.read_text()) + 1 if p.exists() else 1; p.write_text(str(n)); "
        "sys.exit(0 if n == 3 else 7)"
    )
    delays: list[float] = []
    code = supervise(
        [sys.executable, "-c", script, str(counter)], Backoff(initial=0.01), delays.append
    )
    assert code == 0
    assert counter.read_text() == "3"
    assert delays == [0.01, 0.02]


def test_a_component_is_a_dotted_module_or_a_file() -> None:
    assert component_command("wampgate.components.calc") == [
        sys.executable,
        "-m",
        "wampgate.components.calc",
    ]
    assert component_command("acme.geometry") == [sys.executable, "-m", "acme.geometry"]
    assert component_command("/srv/tools/geometry.py") == [sys.executable, "/srv/tools/geometry.py"]
    assert component_command("not a module") is None


def test_supervises_a_file_outside_the_package(tmp_path: Path) -> None:
    script = tmp_path / "done.py"
    script.write_text("print('ran', flush=True)\n")
    supervisor = [sys.executable, "-m", "wampgate.components.supervise"]
    done = subprocess.run([*supervisor, str(script)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "ran\n")
    refused = subprocess.run(
        [*supervisor, "not a module"], capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 1
    assert "'not a module' is neither a dotted module path nor a .py file" in refused.stderr


def component_pid(gateway: Gateway, module: str) -> int:
    assert gateway.pid is not None
    for pid in group_members(gateway.pid):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if (
            cmdline[-2:] == [module.encode(), b""]
            and b"wampgate.components.supervise" not in cmdline
        ):
            return pid
    raise AssertionError(f"no process runs {module}")


async def test_a_killed_component_comes_back(gateway: Gateway, session: Session) -> None:
    joins = gateway.joins["calc"]
    pid = component_pid(gateway, "wampgate.components.calc")
    os.kill(pid, signal.SIGKILL)
    await asyncio.to_thread(gateway.wait_for_join, "calc", joins + 1, 60)
    assert component_pid(gateway, "wampgate.components.calc") != pid
    assert await session.call(uris.CALC_ADD, 2, 3) == 5
    assert "wampgate.components.calc exited with status -9" in gateway.log_file.read_text()


def test_runs_several_numbered_copies(tmp_path: Path) -> None:
    script = (
        "import os, pathlib, sys; "
        "pathlib.Path(sys.argv[1], os.environ['WAMPGATE_WORKER']).write_text(str(os.getpid()))"
    )
    assert supervise([sys.executable, "-c", script, str(tmp_path)], workers=3) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1", "2", "3"]
    assert len({p.read_text() for p in tmp_path.iterdir()}) == 3
