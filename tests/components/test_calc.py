"""The calc component: pure functions, then over a real router."""

from __future__ import annotations

from typing import Any

import pytest
from wampgate.clients import CallError, InvalidArgument, Session
from wampgate.components import calc
from wampgate.components.framework import ProcedureError
from wampgate.contract import uris


def test_pure_functions() -> None:
    assert calc.add(2, 3) == 5
    assert calc.mul(4, 2.5) == 10.0
    assert calc.xsum([1, 2, 3.5]) == 6.5
    assert calc.xsum([]) == 0
    with pytest.raises(ProcedureError) as caught:
        calc.broken()
    assert caught.value.uri == uris.CALC_ERROR_BROKEN


@pytest.mark.parametrize(
    ("uri", "args", "kwargs", "expected"),
    [
        (uris.CALC_ADD, [2, 3], {}, 5),
        (uris.CALC_ADD, [], {"a": 1.5, "b": 2}, 3.5),
        (uris.CALC_ADD, [-7, 7], {}, 0),
        (uris.CALC_MUL, [6, 7], {}, 42),
        (uris.CALC_MUL, [0.5, 3], {}, 1.5),
        (uris.CALC_XSUM, [[1, 2, 3, 4]], {}, 10),
        (uris.CALC_XSUM, [[]], {}, 0),
    ],
)
async def test_procedures(
    session: Session, uri: str, args: list[Any], kwargs: dict[str, Any], expected: Any
) -> None:
    result = await session.call(uri, *args, **kwargs)
    assert result == expected
    assert type(result) is type(expected)


async def test_broken_fails_with_its_own_uri(session: Session) -> None:
    with pytest.raises(CallError) as caught:
        await session.call(uris.CALC_BROKEN)
    assert caught.value.uri == "demo.calc.error.broken"
    assert "always fails" in caught.value.message


@pytest.mark.parametrize(
    ("args", "kwargs", "fragment"),
    [
        (["x", []], {}, "argument 'a': expected a number (got 'x')"),
        ([1], {}, "missing argument 'b' (number)"),
        ([1, 2, 3], {}, "too many arguments"),
        ([1, 2], {"c": 3}, "unexpected argument 'c'"),
        ([True, 1], {}, "argument 'a': expected a number (got True)"),
    ],
)
async def test_invalid_arguments_keep_the_session_and_component(
    session: Session, args: list[Any], kwargs: dict[str, Any], fragment: str
) -> None:
    joins = session.joins
    with pytest.raises(InvalidArgument) as caught:
        await session.call(uris.CALC_ADD, *args, **kwargs)
    assert caught.value.uri == "wamp.error.invalid_argument"
    assert fragment in caught.value.message
    # Same session, same component: the next good call works.
    assert await session.call(uris.CALC_ADD, 20, 22) == 42
    assert session.joins == joins


async def test_xsum_names_the_bad_item(session: Session) -> None:
    with pytest.raises(InvalidArgument, match=r"numbers\[1\]"):
        await session.call(uris.CALC_XSUM, [1, "two", 3])
