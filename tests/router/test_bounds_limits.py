"""The router bounds and their pure checks on raw JSON text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from wampgate.router import render
from wampgate.router.bounds.limits import Limits, call_request_id, json_depth_exceeds
from wampgate.router.config import GatewaySettings

ROOT = Path(__file__).resolve().parents[2]
BOUNDS_CLASS = "wampgate.router.bounds.component.Bounds"


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    ("payload", "limit", "exceeds"),
    [
        (nested(64), 64, False),
        (nested(65), 64, True),
        (b'[48,1,{},"demo.echo",[' + nested(100_000) + b"]]", 64, True),
        # Brackets inside strings nest nothing, escaped quotes included.
        (json.dumps(["[" * 500, '\\"' + "{" * 500]).encode(), 64, False),
        (b"[" + b"[1]," * 10_000 + b"1]", 64, False),
        (b'{"a": {"b": {"c": []}}}', 3, True),
        (b'{"a": {"b": {"c": []}}}', 4, False),
    ],
)
def test_json_depth_exceeds(payload: bytes, limit: int, exceeds: bool) -> None:
    assert json_depth_exceeds(payload, limit) is exceeds


def test_call_request_id() -> None:
    assert call_request_id(b'[48, 17, {}, "demo.calc.add", [1, 2]]') == 17
    assert call_request_id(b" [ 48 ,9,{}]") == 9
    assert call_request_id(b'[16, 17, {}, "demo.topic"]') is None
    assert call_request_id(b"[480, 1]") is None
    assert call_request_id(b"not json") is None


def test_limits_from_extra() -> None:
    assert Limits.from_extra(None) == Limits()
    assert Limits.from_extra({"max_depth": 10}).max_depth == 10
    with pytest.raises(ValueError, match="unknown limit"):
        Limits.from_extra({"max_dept": 10})
    with pytest.raises(ValueError, match="must be a positive number"):
        Limits(hello_timeout=0)
    with pytest.raises(ValueError, match="must be a positive number"):
        Limits(max_depth=True)


def test_the_node_template_sets_every_limit(tmp_path: Path) -> None:
    settings = GatewaySettings(root=ROOT, state_dir=tmp_path, realm="other")
    router = render.render(render.load_template(ROOT), settings)["workers"][0]
    bounds = [c for c in router.get("components", []) if c["classname"] == BOUNDS_CLASS]
    assert len(bounds) == 1
    assert bounds[0]["realm"] == "other"
    assert Limits.from_extra(bounds[0]["extra"]["limits"]) == Limits()
    transports = {t["type"]: t for t in router["transports"]}
    assert transports["web"]["max_connections"] == 4096
    assert transports["rawsocket"]["max_connections"] == 256
    web_options = transports["web"]["options"]
    assert web_options["client_timeout"] == Limits().hello_timeout
    assert transports["web"]["paths"]["ws"]["options"]["max_message_size"] == 1024 * 1024
