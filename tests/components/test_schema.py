"""Schema text: the words the catalog serves beside every JSON Schema."""

from __future__ import annotations

from typing import Any

import pytest
from wampgate.components.schema import describe_text, type_text


@pytest.mark.parametrize(
    ("schema", "text"),
    [
        ({"type": "number"}, "number"),
        ({"type": "array", "items": {"type": "number"}}, "array of number"),
        ({"type": "array"}, "array"),
        ({"anyOf": [{"type": "integer"}, {"type": "null"}]}, "integer or null"),
        ({"type": ["string", "null"]}, "string or null"),
        ({"type": "object", "additionalProperties": {"type": "integer"}}, "object of integer"),
        ({"enum": ["a", "b"]}, 'one of "a", "b"'),
        ({"const": 3}, "3"),
        ({"not": {}}, "never"),
        ({}, "any JSON"),
        ({"description": "positional and keyword results"}, "any JSON"),
    ],
)
def test_type_text(schema: dict[str, Any], text: str) -> None:
    assert type_text(schema) == text


def test_signature_with_defaults() -> None:
    params = {
        "type": "object",
        "properties": {"a": {"type": "number"}, "b": {"type": "number", "default": 1}},
        "required": ["a"],
    }
    text = describe_text("add", params, ["a", "b"], {"type": "number"})
    assert text["signature"] == "add(a: number, b: number = 1) -> number"
    assert text["arguments"] == [
        {"name": "a", "type": "number", "required": True, "default": None},
        {"name": "b", "type": "number", "required": False, "default": 1},
    ]


def test_unknown_procedure_takes_anything() -> None:
    text = describe_text("other.thing", {}, [], {})
    assert text["signature"] == "other.thing(*args, **kwargs) -> any JSON"


def test_keyword_only_after_star_args() -> None:
    params = {
        "properties": {"a": {"type": "string"}, "k": {"type": "integer", "default": 0}},
        "required": ["a"],
        "x-variadic": {"args": True, "kwargs": False},
    }
    text = describe_text("f", params, ["a"], {"type": "string"})
    assert text["signature"] == "f(a: string, *args, k: integer = 0) -> string"
