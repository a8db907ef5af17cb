"""A private PostgreSQL cluster for the journal tests: temp data dir, free loopback port.

``initdb`` refuses to run as root; as root the cluster runs as the
``postgres`` (or ``nobody``) user, in a temporary directory of its own.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tests.helpers import free_port


def find_bin(name: str) -> Path | None:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None
    )
    return Path(found) if found else None


class PostgresCluster:
    """``initdb`` + ``pg_ctl start`` on a free port; :meth:`stop` removes everything."""

    def __init__(self) -> None:
        initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        if initdb is None or pg_ctl is None:
            raise RuntimeError(
                "PostgreSQL is not installed: `make test` installs Debian's postgresql"
            )
        self.initdb, self.pg_ctl = initdb, pg_ctl
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="wampgate-pg-"))
        self.data = self.root / "data"
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres" if _has_user("postgres") else "nobody"
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, command: Sequence[str]) -> None:
        if self.user is not None:
            command = ["setpriv", f"--reuid={self.user}", f"--regid={self.user}", "--clear-groups",
                       *command]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, timeout=120, cwd=self.root)

    def start(self) -> PostgresCluster:
        self._run([str(self.initdb), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                   "--no-sync", "-E", "UTF8"])  # fmt: skip
        options = f"-p {self.port} -h 127.0.0.1 -k {self.root}"
        self._run([str(self.pg_ctl), "-D", str(self.data), "-o", options, "-l",
                   str(self.root / "postgres.log"), "-w", "-t", "60", "start"])  # fmt: skip
        return self

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run([str(self.pg_ctl), "-D", str(self.data), "-m", "fast", "-w", "stop"])
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
