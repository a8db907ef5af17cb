"""The typed-procedure framework, without a router."""

from __future__ import annotations

from typing import Any

import pytest
from wampgate.components.framework import (
    Api,
    CallResult,
    InvalidArgument,
    Number,
    Procedure,
    ProcedureError,
)


def greet(name: str, times: int = 1, *, shout: bool = False) -> str:
    """Greet someone."""
    text = " ".join([f"hello {name}"] * times)
    return text.upper() if shout else text


async def slow_double(x: Number) -> Number:
    """Double a number, asynchronously."""
    return x * 2


PROC = Procedure.from_function("test.greet", greet)


def test_schema_from_signature() -> None:
    info = PROC.describe()
    assert info["uri"] == "test.greet"
    assert info["doc"] == "Greet someone."
    assert info["positional"] == ["name", "times", "shout"]
    params = info["params"]
    assert params["type"] == "object"
    assert params["required"] == ["name"]
    assert params["properties"]["name"] == {"type": "string"}
    assert params["properties"]["times"] == {"type": "integer", "default": 1}
    assert params["additionalProperties"] is False
    assert info["result"] == {"type": "string"}


def test_bind_positional_and_named() -> None:
    assert PROC.bind(["ann"], {}) == (["ann"], {})
    assert PROC.bind(["ann", 2], {"shout": True}) == (["ann", 2], {"shout": True})
    assert PROC.bind([], {"name": "bob"}) == ([], {"name": "bob"})


@pytest.mark.parametrize(
    ("args", "kwargs", "fragment"),
    [
        ([], {}, "missing argument 'name' (string)"),
        ([1], {}, "argument 'name': Input should be a valid string (got 1)"),
        (["a", "2"], {}, "argument 'times': Input should be a valid integer (got '2')"),
        (["a", True], {}, "argument 'times': Input should be a valid integer (got True)"),
        (["a", 1, False, 4], {}, "too many arguments: test.greet(name: string"),
        (["a"], {"colour": "red"}, "unexpected argument 'colour'"),
        (["a"], {"name": "b"}, "argument 'name' given twice"),
    ],
)
def test_bad_arguments_name_the_argument(
    args: list[Any], kwargs: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(InvalidArgument) as caught:
        PROC.bind(args, kwargs)
    assert caught.value.uri == "wamp.error.invalid_argument"
    assert fragment in caught.value.message


async def test_invoke_runs_sync_and_async_functions() -> None:
    assert await PROC.invoke(["ann", 2], {"shout": True}) == "HELLO ANN HELLO ANN"
    double = Procedure.from_function("test.double", slow_double)
    assert await double.invoke([21], {}) == 42
    assert await double.invoke([1.5], {}) == 3.0


def test_number_keeps_integers_and_rejects_bool_and_nan() -> None:
    double = Procedure.from_function("test.double", slow_double)
    assert double.bind([2], {}) == ([2], {})
    assert isinstance(double.bind([2], {})[0][0], int)
    for bad in (True, "2", None, float("nan"), float("inf")):
        with pytest.raises(InvalidArgument):
            double.bind([bad], {})


def test_variadic_procedure_passes_everything_through() -> None:
    def echo(*args: Any, **kwargs: Any) -> CallResult:
        """Echo."""
        return CallResult(args, kwargs)

    proc = Procedure.from_function("test.echo", echo)
    assert proc.bind([1, "a"], {"k": [1]}) == ([1, "a"], {"k": [1]})
    assert proc.describe()["params"]["x-variadic"] == {"args": True, "kwargs": True}


def test_declaration_errors_are_caught_early() -> None:
    def undocumented(a: int) -> int:
        return a

    def untyped(a):  # type: ignore[no-untyped-def]
        """Untyped."""
        return a

    with pytest.raises(TypeError, match="docstring"):
        Procedure.from_function("x.undocumented", undocumented)
    with pytest.raises(TypeError, match="type hint"):
        Procedure.from_function("x.untyped", untyped)
    api = Api("twice")
    api.procedure("x.greet")(greet)
    with pytest.raises(ValueError, match="declared twice"):
        api.procedure("x.greet")(greet)


def test_procedure_error_keeps_its_uri() -> None:
    error = ProcedureError("app.error.custom", "custom failure")
    assert (error.uri, error.message) == ("app.error.custom", "custom failure")
