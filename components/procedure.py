"""One typed procedure: schemas from its signature, calls checked by pydantic.

:meth:`Procedure.from_function` reads a plain typed function; every call goes
through pydantic's own call validation (:func:`pydantic.validate_call`),
whose errors become one :class:`InvalidArgument` message that names the
argument and what was expected. Nothing here does I/O.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Never, NoReturn, get_type_hints

from pydantic import (
    BaseModel,
    ConfigDict,
    TypeAdapter,
    ValidationError,
    create_model,
    validate_call,
)
from pydantic_core import ErrorDetails
from wampgate.components.errors import DeclarationError, InvalidArgument
from wampgate.components.schema import describe_text

_STRICT = ConfigDict(strict=True, extra="forbid", arbitrary_types_allowed=False)


@dataclass(frozen=True)
class CallResult:
    """A result made of several positional and keyword values (WAMP allows both)."""

    args: Sequence[Any] = ()
    kwargs: Mapping[str, Any] | None = None


def _short_repr(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _result_schema(returns: Any) -> tuple[TypeAdapter[Any] | None, dict[str, Any]]:
    if returns is CallResult:
        return None, {"description": "positional and keyword results"}
    if returns is NoReturn or returns is Never:
        return None, {"not": {}, "description": "never returns: always fails"}
    adapter: TypeAdapter[Any] = TypeAdapter(returns)
    return adapter, adapter.json_schema()


@dataclass(frozen=True)
class Procedure:
    """One typed procedure: its URI, validated function, schemas and catalog text."""

    uri: str
    func: Callable[..., Any]
    doc: str
    positional: tuple[str, ...]
    params: type[BaseModel]
    variadic: Mapping[str, bool]
    result: TypeAdapter[Any] | None
    result_schema: dict[str, Any]

    @classmethod
    def from_function(cls, uri: str, func: Callable[..., Any]) -> Procedure:
        doc = inspect.getdoc(func)
        if not doc:
            raise DeclarationError(f"procedure {uri} ({func.__qualname__}) needs a docstring")
        hints = get_type_hints(func, include_extras=True)
        fields: dict[str, Any] = {}
        positional: list[str] = []
        variadic = {"args": False, "kwargs": False}
        for param in inspect.signature(func).parameters.values():
            if param.kind is param.VAR_POSITIONAL:
                variadic["args"] = True
            elif param.kind is param.VAR_KEYWORD:
                variadic["kwargs"] = True
            elif param.name not in hints:
                raise DeclarationError(
                    f"procedure {uri}: argument {param.name!r} needs a type hint"
                )
            else:
                default = ... if param.default is param.empty else param.default
                fields[param.name] = (hints[param.name], default)
                if param.kind is not param.KEYWORD_ONLY:
                    positional.append(param.name)
        if "return" not in hints:
            raise DeclarationError(f"procedure {uri}: the return type needs a hint")
        result, result_schema = _result_schema(hints["return"])
        return cls(
            uri=uri,
            func=validate_call(config=_STRICT, validate_return=False)(func),
            doc=doc.splitlines()[0],
            positional=tuple(positional),
            params=create_model(f"{func.__name__}_arguments", __config__=_STRICT, **fields),
            variadic=variadic,
            result=result,
            result_schema=result_schema,
        )

    def params_schema(self) -> dict[str, Any]:
        """The JSON Schema of the arguments, as one object (``x-variadic`` for ``*``/``**``)."""
        params = self.params.model_json_schema()
        params.pop("title", None)
        for prop in params.get("properties", {}).values():
            prop.pop("title", None)
        if any(self.variadic.values()):
            params["additionalProperties"] = self.variadic["kwargs"]
            params["x-variadic"] = dict(self.variadic)
        return params

    def describe(self) -> dict[str, Any]:
        """The catalog entry: URI, one-line doc, schemas and their text."""
        params = self.params_schema()
        return {
            "uri": self.uri,
            "doc": self.doc,
            "positional": list(self.positional),
            "params": params,
            "result": self.result_schema,
            **describe_text(self.uri, params, self.positional, self.result_schema),
        }

    def _problem(self, error: ErrorDetails, signature: str) -> str:
        loc = error["loc"]
        where = loc[0] if loc else "?"
        if isinstance(where, int):
            where = self.positional[where] if where < len(self.positional) else f"args[{where}]"
        name = str(where) + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])
        kind = error["type"]
        if kind == "missing_argument":
            return f"missing argument {name!r} ({self._type_of(name)}): expected {signature}"
        if kind == "unexpected_positional_argument":
            return f"too many arguments: {signature} takes {len(self.positional)}"
        if kind == "unexpected_keyword_argument":
            return f"unexpected argument {name!r}: expected {signature}"
        if kind == "multiple_argument_values":
            return f"argument {name!r} given twice (by position and by name)"
        message = error["msg"].removeprefix("Value error, ")
        return f"argument {name!r}: {message} (got {_short_repr(error.get('input'))})"

    def _type_of(self, name: str) -> str:
        for arg in self.describe()["arguments"]:
            if arg["name"] == name:
                return str(arg["type"])
        return "any JSON"

    def _invalid(self, exc: ValidationError, given: int) -> InvalidArgument:
        signature = self.describe()["signature"]
        problems: list[str] = []
        for error in exc.errors(include_url=False):
            problem = self._problem(error, signature)
            if error["type"] == "unexpected_positional_argument":
                problem += f", got {given}"
            if problem not in problems:
                problems.append(problem)
        return InvalidArgument("; ".join(problems))

    async def invoke(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        """Validate, run the function (sync or async), and make its result wire-ready.

        Raises :class:`InvalidArgument` with a message naming the argument and
        what was expected.
        """
        try:
            result = self.func(*args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
        except ValidationError as exc:
            raise self._invalid(exc, len(args)) from None
        if self.result is None:
            return result
        return self.result.dump_python(result, mode="json")
