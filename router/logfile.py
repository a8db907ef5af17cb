"""``node.log``: Crossbar's output (components included), kept by size.

Crossbar writes its own log and every guest's stdout/stderr to its stdout;
the launcher copies that stream into ``node.log`` through a
:class:`logging.handlers.RotatingFileHandler`: at :data:`MAX_BYTES` the file
moves to ``node.log.1`` (and so on up to :data:`BACKUPS`), so the logs of a
gateway never take more than about ``MAX_BYTES * (BACKUPS + 1)`` of disk.
A single line longer than :data:`MAX_LINE` is cut, with a note of its length,
so one runaway traceback cannot fill a file by itself.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

MAX_BYTES = 10 * 1024 * 1024
BACKUPS = 5
MAX_LINE = 64 * 1024


class RotatingLog:
    """An append-only, size-rotated text log written line by line."""

    def __init__(
        self,
        path: Path,
        max_bytes: int = MAX_BYTES,
        backups: int = BACKUPS,
        max_line: int = MAX_LINE,
    ) -> None:
        self.path = path
        self.max_line = max_line
        self._handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8", errors="replace"
        )
        self._handler.setFormatter(logging.Formatter("%(message)s"))

    def write(self, line: str) -> None:
        text = line.rstrip("\n")
        if len(text) > self.max_line:
            text = f"{text[: self.max_line]} ... [line cut: {len(text)} characters]"
        self._handler.handle(logging.makeLogRecord({"msg": text, "levelno": logging.INFO}))

    def close(self) -> None:
        self._handler.close()

    def __enter__(self) -> RotatingLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
