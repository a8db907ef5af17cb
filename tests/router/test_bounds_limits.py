"""The router bounds and its pure checks on raw JSON text."""

from __future__ import annotations

import json

import pytest
from wampgate.router.bounds.limits import Limits, call_request_id, json_depth_exceeds


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
