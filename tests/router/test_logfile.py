"""node.log rotates by size and cuts runaway lines."""

from __future__ import annotations

from pathlib import Path

from wampgate.router.logfile import RotatingLog


def test_the_log_rotates_and_keeps_a_bounded_number_of_files(tmp_path: Path) -> None:
    path = tmp_path / "node.log"
    with RotatingLog(path, max_bytes=1000, backups=2) as log:
        for n in range(200):
            log.write(f"line {n} " + "x" * 40 + "\n")
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["node.log", "node.log.1", "node.log.2"]
    assert all(p.stat().st_size <= 1000 for p in tmp_path.iterdir())
    assert path.read_text().splitlines()[-1].startswith("line 199 ")


def test_a_huge_line_is_cut_with_its_length(tmp_path: Path) -> None:
    path = tmp_path / "node.log"
    with RotatingLog(path, max_line=100) as log:
        log.write("%s %d " + "y" * 10_000)
    text = path.read_text()
    assert text.startswith("%s %d yyy") and "[line cut: 10006 characters]" in text
    assert len(text) < 200
