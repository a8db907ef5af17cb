"""The state directory lock: one holder, named in the refusal, gone with its holder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from wampgate.router.errors import GatewayError
from wampgate.router.lock import StateLock

HOLD = (
    "import sys, pathlib; from wampgate.router.lock import StateLock; "
    "StateLock(pathlib.Path(sys.argv[1])).acquire(); print('held', flush=True); sys.stdin.read()"
)


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(GatewayError, match=f"another wampgate up \\(pid {holder.pid}\\)"):
            StateLock(tmp_path).acquire()
    finally:
        holder.kill()  # the kernel drops the lock of a killed holder
        holder.wait()
    with StateLock(tmp_path) as lock:
        assert lock.held and lock.holder() == str(os.getpid())
    assert not lock.held and lock.holder() == "unknown"
