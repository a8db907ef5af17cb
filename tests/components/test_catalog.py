"""The catalog: live list of registered procedures with their schemas."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from wampgate.clients import NoSuchProcedure, Session
from wampgate.components import calc, catalog
from wampgate.components.framework import Api
from wampgate.contract import uris
from wampgate.router.launcher import Gateway

from tests.helpers import serving


def test_merge_describes_known_and_lists_unknown() -> None:
    described = [("calc", calc.api.describe())]
    registered = [
        uris.CALC_ADD,
        "other.thing",
        uris.CATALOG_COMPONENT_PREFIX + "calc",
        uris.ROUTER_AUTHORIZE,
    ]
    merged = catalog.merge(registered, described)
    assert [m["uri"] for m in merged] == [uris.CALC_ADD, "other.thing"]
    assert merged[0]["component"] == "calc"
    assert merged[0]["doc"] == "Add two numbers."
    assert merged[1] == {
        "uri": "other.thing",
        "doc": "",
        "positional": [],
        "params": {},
        "result": {},
        "signature": "other.thing(*args, **kwargs) -> any JSON",
        "arguments": [
            {"name": "*args", "type": "any JSON", "required": False, "default": None},
            {"name": "**kwargs", "type": "any JSON", "required": False, "default": None},
        ],
    }


async def test_list_has_every_demo_procedure_with_schemas(session: Session) -> None:
    entries = await session.call(uris.CATALOG_LIST)
    by_uri = {e["uri"]: e for e in entries}
    expected = {
        uris.CALC_ADD,
        uris.CALC_MUL,
        uris.CALC_XSUM,
        uris.CALC_BROKEN,
        uris.ECHO,
        uris.CATALOG_LIST,
        uris.CATALOG_DESCRIBE,
    }
    assert expected <= set(by_uri)
    assert not any(u.startswith(uris.CATALOG_COMPONENT_PREFIX) for u in by_uri)
    add = by_uri[uris.CALC_ADD]
    assert add["params"]["properties"] == {"a": {"type": "number"}, "b": {"type": "number"}}
    assert add["params"]["required"] == ["a", "b"]
    assert add["result"] == {"type": "number"}
    assert add["positional"] == ["a", "b"]
    xsum = by_uri[uris.CALC_XSUM]
    assert xsum["params"]["properties"]["numbers"] == {
        "type": "array",
        "items": {"type": "number"},
    }
    for entry in entries:
        assert entry["doc"], f"{entry['uri']} has no docstring"
        assert entry["signature"].startswith(entry["uri"] + "("), entry
        assert "\n" not in entry["signature"]
    assert add["signature"] == "demo.calc.add(a: number, b: number) -> number"
    assert add["arguments"] == [
        {"name": "a", "type": "number", "required": True, "default": None},
        {"name": "b", "type": "number", "required": True, "default": None},
    ]
    assert xsum["signature"] == "demo.calc.xsum(numbers: array of number) -> number"
    assert xsum["arguments"][0]["type"] == "array of number"
    assert by_uri[uris.ECHO]["signature"] == "demo.echo(*args, **kwargs) -> any JSON"
    assert by_uri[uris.CALC_BROKEN]["signature"] == "demo.calc.broken() -> never"


async def test_describe_one_and_unknown(session: Session) -> None:
    info = await session.call(uris.CATALOG_DESCRIBE, uris.CALC_MUL)
    assert info["uri"] == uris.CALC_MUL
    assert info["doc"] == "Multiply two numbers."
    assert info["component"] == "calc"
    assert info["signature"] == "demo.calc.mul(a: number, b: number) -> number"
    assert [a["name"] for a in info["arguments"]] == ["a", "b"]
    with pytest.raises(NoSuchProcedure, match=r"demo\.calc\.nope"):
        await session.call(uris.CATALOG_DESCRIBE, "demo.calc.nope")


class SilentApi(Api):
    """A component whose describer never answers (stuck, or paused by a debugger)."""

    async def describe(self) -> list[dict[str, Any]]:  # type: ignore[override]
        await asyncio.Event().wait()
        return []


async def test_a_component_that_never_describes_itself_does_not_hang_the_catalog(
    gateway: Gateway, session: Session
) -> None:
    api = SilentApi("silent")

    @api.procedure("demo.silent.thing")
    def thing() -> int:
        """Answer, unlike the describer."""
        return 1

    async with serving(api, gateway):
        # The client's own call deadline fails the test if the catalog waits for ever.
        entries = await session.call(uris.CATALOG_LIST)
        by_uri = {e["uri"]: e for e in entries}
        # The others are described as usual; the silent one is listed, without schemas.
        assert by_uri[uris.CALC_ADD]["component"] == "calc"
        assert (
            by_uri["demo.silent.thing"]["signature"]
            == "demo.silent.thing(*args, **kwargs) -> any JSON"
        )
        assert "component" not in by_uri["demo.silent.thing"]
        info = await session.call(uris.CATALOG_DESCRIBE, uris.CALC_MUL)
        assert info["component"] == "calc"
