"""The typed-procedure framework, without a router."""

from __future__ import annotations

from typing import Any

import pytest
from wampgate.components import errors
from wampgate.components.framework import (
    Api,
    CallResult,
    ComponentError,
    DeclarationError,
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
    # shout is keyword-only: it never goes by position.
    assert info["positional"] == ["name", "times"]
    params = info["params"]
    assert params["type"] == "object"
    assert params["required"] == ["name"]
    assert params["properties"]["name"] == {"type": "string"}
    assert params["properties"]["times"] == {"type": "integer", "default": 1}
    assert params["additionalProperties"] is False
    assert info["result"] == {"type": "string"}
    assert info["signature"] == (
        "test.greet(name: string, times: integer = 1, *, shout: boolean = false) -> string"
    )
    assert info["arguments"] == [
        {"name": "name", "type": "string", "required": True, "default": None},
        {"name": "times", "type": "integer", "required": False, "default": 1},
        {"name": "shout", "type": "boolean", "required": False, "default": False},
    ]


def test_calls_go_through_pydantic_call_validation() -> None:
    # No argument binding of our own: the function is wrapped by pydantic.
    assert hasattr(PROC.func, "raw_function")
    assert not hasattr(PROC, "bind")


async def call(proc: Procedure, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return await proc.invoke(args, kwargs)


async def test_positional_and_named() -> None:
    assert await call(PROC, ["ann"], {}) == "hello ann"
    assert await call(PROC, ["ann", 2], {"shout": True}) == "HELLO ANN HELLO ANN"
    assert await call(PROC, [], {"name": "bob", "times": 2}) == "hello bob hello bob"


@pytest.mark.parametrize(
    ("args", "kwargs", "fragment"),
    [
        ([], {}, "missing argument 'name' (string): expected test.greet(name: string"),
        ([1], {}, "argument 'name': Input should be a valid string (got 1)"),
        (["a", "2"], {}, "argument 'times': Input should be a valid integer (got '2')"),
        (["a", True], {}, "argument 'times': Input should be a valid integer (got True)"),
        (["a", 1, False, 4], {}, "too many arguments: test.greet(name: string"),
        (["a", 1, False], {}, "takes 2, got 3"),
        ([["x"]], {}, "argument 'name': Input should be a valid string (got ['x'])"),
        ([], {"name": "a", "times": "x"}, "argument 'times': Input should be a valid integer"),
        (["a"], {"colour": "red"}, "unexpected argument 'colour'"),
        (["a"], {"name": "b"}, "argument 'name' given twice"),
    ],
)
async def test_bad_arguments_name_the_argument(
    args: list[Any], kwargs: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(InvalidArgument) as caught:
        await call(PROC, args, kwargs)
    assert caught.value.uri == "wamp.error.invalid_argument"
    assert fragment in caught.value.message


async def test_invoke_runs_sync_and_async_functions() -> None:
    assert await PROC.invoke(["ann", 2], {"shout": True}) == "HELLO ANN HELLO ANN"
    double = Procedure.from_function("test.double", slow_double)
    assert await double.invoke([21], {}) == 42
    assert await double.invoke([1.5], {}) == 3.0


async def test_number_keeps_integers_and_rejects_bool_and_nan() -> None:
    double = Procedure.from_function("test.double", slow_double)
    assert await call(double, [2], {}) == 4
    assert isinstance(await call(double, [2], {}), int)
    for bad in (True, "2", None, float("nan"), float("inf")):
        with pytest.raises(InvalidArgument, match="argument 'x'"):
            await call(double, [bad], {})


async def test_nested_errors_name_the_item() -> None:
    def total(numbers: list[Number]) -> Number:
        """Sum."""
        return sum(numbers)

    proc = Procedure.from_function("test.total", total)
    with pytest.raises(InvalidArgument, match=r"argument 'numbers\[1\]': expected a number"):
        await call(proc, [[1, "a"]], {})


async def test_variadic_procedure_passes_everything_through() -> None:
    def echo(*args: Any, **kwargs: Any) -> CallResult:
        """Echo."""
        return CallResult(args, kwargs)

    proc = Procedure.from_function("test.echo", echo)
    assert await call(proc, [1, "a"], {"k": [1]}) == CallResult((1, "a"), {"k": [1]})
    info = proc.describe()
    assert info["params"]["x-variadic"] == {"args": True, "kwargs": True}
    assert info["signature"] == "test.echo(*args, **kwargs) -> any JSON"
    assert [a["name"] for a in info["arguments"]] == ["*args", "**kwargs"]


def test_declaration_errors_are_caught_early() -> None:
    def undocumented(a: int) -> int:
        return a

    def untyped(a):  # type: ignore[no-untyped-def]
        """Untyped."""
        return a

    with pytest.raises(DeclarationError, match="docstring"):
        Procedure.from_function("x.undocumented", undocumented)
    with pytest.raises(DeclarationError, match="type hint"):
        Procedure.from_function("x.untyped", untyped)
    api = Api("twice")
    api.procedure("x.greet")(greet)
    with pytest.raises(DeclarationError, match="declared twice"):
        api.procedure("x.greet")(greet)


def test_procedure_error_keeps_its_uri() -> None:
    error = ProcedureError("app.error.custom", "custom failure")
    assert (error.uri, error.message) == ("app.error.custom", "custom failure")


def test_one_exception_root() -> None:
    for cls in (errors.SettingsError, DeclarationError, ProcedureError, InvalidArgument):
        assert issubclass(cls, ComponentError), cls
    assert not issubclass(DeclarationError, (TypeError, ValueError))
    assert errors.__doc__ is not None
    for cls in (errors.SettingsError, DeclarationError, ProcedureError, InvalidArgument):
        assert cls.__name__ in errors.__doc__
