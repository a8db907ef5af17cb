"""``wampgate up --bridge KIND[:FILE]``: bridge files, their checks and their guest workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from wampgate.contract import env
from wampgate.router import bridges, render
from wampgate.router.config import GatewaySettings
from wampgate.router.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
WAMPGATE = os.path.join(os.path.dirname(sys.executable), "wampgate")


def bridge_file(tmp_path: Path, settings: Any, name: str = "bridge.json") -> Path:
    path = tmp_path / name
    path.write_text(settings if isinstance(settings, str) else json.dumps(settings))
    return path


def test_a_file_becomes_the_bridge_environment(tmp_path: Path) -> None:
    path = bridge_file(
        tmp_path,
        {"name": "robots", "url": "amqp://u:p@h:1/", "in": ["robots", "t:topic:a.#=demo.a"]},
    )
    bridge = bridges.load(f"amqp:{path}")
    assert (bridge.kind, bridge.name, bridge.worker_id) == ("amqp", "robots", "robots_bridge")
    assert bridge.env == {
        env.BRIDGE_NAME: "robots",
        env.AMQP_URL: "amqp://u:p@h:1/",
        env.AMQP_IN: "robots, t:topic:a.#=demo.a",
    }


def test_a_bridge_without_a_file_runs_on_its_defaults() -> None:
    bridge = bridges.load("celery")
    assert (bridge.name, bridge.env) == ("celery", {})
    assert bridge.module == "wampgate.components.celery_bridge"


def test_a_relative_file_is_read_from_the_given_folder(tmp_path: Path) -> None:
    bridge_file(tmp_path, {"sub": "tcp://127.0.0.1:5556|lab.=demo.zmq"}, "z.json")
    assert bridges.load("zmq:z.json", tmp_path).env[env.ZMQ_SUB].startswith("tcp://")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read .*missing.json: No such file"),
        ('{"in": "robots",}', r"bridge.json:1:17: not valid JSON"),
        ('["robots"]', "must hold a JSON object of settings"),
        ({"in": "robots", "urls": "x"}, "unknown setting.*'urls'; amqp takes name, url, in, out"),
        ({"in": {"robots": 1}}, "'in' must be a string or a list of strings"),
        ({"in": "robots:weird"}, "exchange kind 'weird' is not one of fanout, direct, topic"),
        ({"out": []}, "no mappings: set 'in' and/or 'out'"),
        ({"name": "a b", "in": "robots"}, "use letters, digits"),
    ],
)
def test_errors_name_the_bridge_and_what_is_wrong(
    tmp_path: Path, content: Any, message: str
) -> None:
    path = tmp_path / "missing.json" if content is None else bridge_file(tmp_path, content)
    with pytest.raises(ConfigError, match=message) as caught:
        bridges.load(f"amqp:{path}")
    assert str(caught.value).startswith(f"bridge amqp:{path}: ")


def test_an_unknown_kind_lists_the_kinds() -> None:
    with pytest.raises(ConfigError, match=r"unknown kind 'rabbit'.*amqp, celery, zmq, kafka"):
        bridges.load("rabbit:x.json")


def test_two_bridges_may_not_share_a_name(tmp_path: Path) -> None:
    path = bridge_file(tmp_path, {"in": "plant"})
    with pytest.raises(ConfigError, match="two bridges are named 'kafka'"):
        GatewaySettings(
            root=ROOT,
            state_dir=tmp_path,
            bridges=(bridges.load(f"kafka:{path}"), bridges.load(f"kafka:{path}")),
        )


def test_bridges_are_supervised_guest_workers_of_the_node(tmp_path: Path) -> None:
    path = bridge_file(tmp_path, {"name": "lab", "sub": "tcp://127.0.0.1:5556"})
    settings = GatewaySettings(
        root=ROOT, state_dir=tmp_path, bridges=(bridges.load(f"zmq:{path}"),)
    )
    config = render.render(render.load_template(ROOT), settings)
    assert "lab_bridge" in render.components(config)
    worker = next(w for w in config["workers"] if w.get("id") == "lab_bridge")
    assert worker["executable"] == sys.executable
    assert worker["arguments"] == [
        "-m",
        "wampgate.components.supervise",
        "wampgate.components.zmq_bridge",
    ]
    variables = worker["options"]["env"]["vars"]
    assert variables[env.ZMQ_SUB] == "tcp://127.0.0.1:5556"
    assert variables[env.BACKEND] == f"unix:{settings.socket_path}"


def test_wampgate_up_refuses_a_bad_bridge_file_in_one_line(tmp_path: Path) -> None:
    path = bridge_file(tmp_path, {"in": "robots:weird"})
    done = subprocess.run(
        [WAMPGATE, "up", "--state-dir", str(tmp_path / "state"), "--bridge", f"amqp:{path}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: bridge amqp:{path}: 'robots:weird': exchange kind 'weird' is not one of "
        "fanout, direct, topic"
    ]
