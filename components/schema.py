"""JSON Schema, the way people read it: the one place that turns schemas into text.

The catalog serves this text beside the schemas (``signature`` and
``arguments``), so the browser console and the CLI show the same words and
never derive them again.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from pydantic import PlainValidator, WithJsonSchema
from typing_extensions import TypedDict


def _check_number(value: object) -> int | float:
    # bool is an int subclass in Python, but never a number on the wire.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("expected a finite number")
    return value


#: A JSON number. Integers stay integers (``add(2, 3)`` is ``5``, not ``5.0``).
Number = Annotated[int | float, PlainValidator(_check_number), WithJsonSchema({"type": "number"})]

ANY = "any JSON"


class Argument(TypedDict):
    """One argument of a procedure as the catalog lists it."""

    name: str
    type: str
    required: bool
    default: Any


class Text(TypedDict):
    """The human text of a catalog entry."""

    signature: str
    arguments: list[Argument]


def _union(schemas: Sequence[Any]) -> str:
    names: list[str] = []
    for schema in schemas:
        name = type_text(schema)
        if name not in names:
            names.append(name)
    return " or ".join(names) or ANY


def type_text(schema: Any) -> str:
    """A JSON Schema as a short phrase: ``number``, ``array of number``, ``string or null``.

    >>> type_text({"type": "array", "items": {"type": "number"}})
    'array of number'
    """
    if not isinstance(schema, Mapping) or not schema:
        return ANY
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("not") == {}:
        return "never"
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return _union(schema[key])
    kind = schema.get("type")
    if isinstance(kind, list):
        return _union([{**schema, "type": k} for k in kind])
    if kind == "array" and isinstance(schema.get("items"), Mapping):
        return f"array of {type_text(schema['items'])}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), Mapping):
        return f"object of {type_text(schema['additionalProperties'])}"
    return str(kind) if kind else ANY


def describe_text(
    uri: str, params: Mapping[str, Any], positional: Sequence[str], result: Mapping[str, Any]
) -> Text:
    """The ``signature`` line and the ``arguments`` list of one catalog entry.

    ``params`` is the entry's argument schema (an object schema, with
    ``x-variadic`` for ``*args``/``**kwargs``); names in it but not in
    ``positional`` are keyword-only. An empty ``params`` means nothing is known
    about the arguments: the procedure takes anything.

    >>> describe_text("add", {"properties": {"a": {"type": "number"}}, "required": ["a"]},
    ...               ["a"], {"type": "number"})["signature"]
    'add(a: number) -> number'
    """
    props: Mapping[str, Any] = params.get("properties", {})
    required = set(params.get("required", []))
    variadic = params.get("x-variadic", {"args": True, "kwargs": True} if not params else {})
    arguments: list[Argument] = []
    parts: list[str] = []
    for name, schema in props.items():
        needed = name in required
        default = None if needed else schema.get("default")
        arguments.append(
            {"name": name, "type": type_text(schema), "required": needed, "default": default}
        )
    star = "*args" if variadic.get("args") else ""
    for arg in arguments:
        if star != "done" and arg["name"] not in positional:
            parts.append(star or "*")  # what follows goes by name only
            star = "done"
        text = f"{arg['name']}: {arg['type']}"
        parts.append(text if arg["required"] else f"{text} = {json.dumps(arg['default'])}")
    if star == "*args":
        parts.append(star)
    if variadic.get("kwargs"):
        parts.append("**kwargs")
    for key, name in (("args", "*args"), ("kwargs", "**kwargs")):
        if variadic.get(key):
            arguments.append({"name": name, "type": ANY, "required": False, "default": None})
    return {
        "signature": f"{uri}({', '.join(parts)}) -> {type_text(result)}",
        "arguments": arguments,
    }
