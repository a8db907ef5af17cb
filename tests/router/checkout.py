"""A throw-away checkout (node config and pages) with extra components, for one gateway."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from wampgate.router import render
from wampgate.router.config import GatewaySettings

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
SUPERVISOR = "wampgate.components.supervise"


def component_worker(worker_id: str, target: str) -> dict[str, Any]:
    """A guest worker entry that runs ``target`` (a module or a file) under the supervisor."""
    return {
        "type": "guest",
        "id": worker_id,
        "executable": "python3",
        "arguments": ["-m", SUPERVISOR, target],
    }


def checkout_copy(tmp_path: Path, *workers: dict[str, Any]) -> Path:
    """The parts of a checkout a gateway reads, with ``workers`` added to its config.

    Components configured as files of the checkout are copied along, so the
    copy starts whatever the checkout has configured.
    """
    root = tmp_path / "checkout"
    (root / ".crossbar").mkdir(parents=True)
    shutil.copy(ROOT / ".crossbar" / "config.json", root / ".crossbar" / "config.json")
    (root / "web").symlink_to(ROOT / "web")
    for worker in render.load_template(ROOT)["workers"]:
        target = render.component_target(worker)
        if target is not None and render.is_file_target(target) and not Path(target).is_absolute():
            (root / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / target, root / target)
    for worker in workers:
        add_worker(root, worker)
    return root


def add_worker(root: Path, worker: dict[str, Any]) -> None:
    """Add ``worker`` to the config of ``root``, in place of one with the same id."""
    path = root / ".crossbar" / "config.json"
    config = json.loads(path.read_text())
    config["workers"] = [w for w in config["workers"] if w.get("id") != worker["id"]]
    config["workers"].append(worker)
    path.write_text(json.dumps(config, indent=4))


def settings_for(root: Path, tmp_path: Path) -> GatewaySettings:
    """Settings for a gateway of ``root`` on free ports with its own state directory."""
    return GatewaySettings(
        root=root, state_dir=tmp_path / "state", port=free_port(), echo_port=free_port()
    )
