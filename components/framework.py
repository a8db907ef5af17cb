"""Typed procedures: a plain Python function becomes a validated, described WAMP procedure.

A component declares its API once::

    api = Api("calc")

    @api.procedure(uris.CALC_ADD)
    def add(a: Number, b: Number) -> Number:
        "Add two numbers."
        return a + b

The signature gives the JSON Schema of the arguments and of the result
(through pydantic), every call is checked against it before the function
runs, and :meth:`Api.describe` is what the catalog serves. Nothing here does
I/O: the WAMP wiring lives in :mod:`wampgate.components.runtime`.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Never, NoReturn, TypeVar, get_type_hints

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    create_model,
)
from wampgate.contract import uris

F = TypeVar("F", bound=Callable[..., Any])


class ProcedureError(Exception):
    """A call failed in a way the caller should know about.

    Business logic raises it with an error URI of its own; the caller receives
    a WAMP error with that URI and the message.
    """

    def __init__(self, uri: str, message: str) -> None:
        super().__init__(message)
        self.uri = uri
        self.message = message


class InvalidArgument(ProcedureError):
    """The arguments of a call do not match the procedure's signature."""

    def __init__(self, message: str) -> None:
        super().__init__(uris.ERROR_INVALID_ARGUMENT, message)


def _check_number(value: object) -> int | float:
    # bool is an int subclass in Python, but never a number on the wire.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("expected a finite number")
    return value


#: A JSON number. Integers stay integers (``add(2, 3)`` is ``5``, not ``5.0``).
Number = Annotated[int | float, PlainValidator(_check_number), WithJsonSchema({"type": "number"})]

_STRICT = ConfigDict(strict=True, extra="forbid", arbitrary_types_allowed=False)


@dataclass(frozen=True)
class CallResult:
    """A result made of several positional and keyword values (WAMP allows both)."""

    args: Sequence[Any] = ()
    kwargs: Mapping[str, Any] | None = None


def _type_name(schema: Mapping[str, Any]) -> str:
    """A short human name for a JSON Schema, for error messages."""
    if "type" in schema:
        kind = schema["type"]
        if kind == "array" and "items" in schema:
            return f"array of {_type_name(schema['items'])}"
        return str(kind)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(_type_name(s) for s in schema[key])
    return "any value"


def _format_loc(loc: Sequence[int | str]) -> str:
    name = str(loc[0])
    for part in loc[1:]:
        name += f"[{part}]" if isinstance(part, int) else f".{part}"
    return name


def _plain(message: str) -> str:
    return message.removeprefix("Value error, ")


def _short_repr(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Procedure:
    """One typed procedure: its URI, function, schemas and argument binding."""

    uri: str
    func: Callable[..., Any]
    doc: str
    names: tuple[str, ...]
    required: frozenset[str]
    var_args: bool
    var_kwargs: bool
    params: type[BaseModel]
    result: TypeAdapter[Any] | None
    result_schema: dict[str, Any]

    @classmethod
    def from_function(cls, uri: str, func: Callable[..., Any]) -> Procedure:
        doc = inspect.getdoc(func)
        if not doc:
            raise TypeError(f"procedure {uri} ({func.__qualname__}) needs a docstring")
        hints = get_type_hints(func, include_extras=True)
        fields: dict[str, Any] = {}
        names: list[str] = []
        required: set[str] = set()
        var_args = var_kwargs = False
        for param in inspect.signature(func).parameters.values():
            if param.kind is param.VAR_POSITIONAL:
                var_args = True
                continue
            if param.kind is param.VAR_KEYWORD:
                var_kwargs = True
                continue
            if param.name not in hints:
                raise TypeError(f"procedure {uri}: argument {param.name!r} needs a type hint")
            default = ... if param.default is param.empty else param.default
            if default is ...:
                required.add(param.name)
            fields[param.name] = (hints[param.name], default)
            names.append(param.name)
        if "return" not in hints:
            raise TypeError(f"procedure {uri}: the return type needs a hint")
        returns = hints["return"]
        result: TypeAdapter[Any] | None = None
        if returns is CallResult:
            result_schema: dict[str, Any] = {"description": "positional and keyword results"}
        elif returns is NoReturn or returns is Never:
            result_schema = {"not": {}, "description": "never returns: always fails"}
        else:
            result = TypeAdapter(returns)
            result_schema = result.json_schema()
        model = create_model(f"{func.__name__}_arguments", __config__=_STRICT, **fields)
        return cls(
            uri=uri,
            func=func,
            doc=doc.splitlines()[0],
            names=tuple(names),
            required=frozenset(required),
            var_args=var_args,
            var_kwargs=var_kwargs,
            params=model,
            result=result,
            result_schema=result_schema,
        )

    def describe(self) -> dict[str, Any]:
        """The catalog entry: URI, one-line doc, argument and result schemas."""
        params = self.params.model_json_schema()
        params.pop("title", None)
        for prop in params.get("properties", {}).values():
            prop.pop("title", None)
        if self.var_args or self.var_kwargs:
            params["additionalProperties"] = self.var_kwargs
            params["x-variadic"] = {"args": self.var_args, "kwargs": self.var_kwargs}
        return {
            "uri": self.uri,
            "doc": self.doc,
            "positional": list(self.names),
            "params": params,
            "result": self.result_schema,
        }

    def _signature_text(self) -> str:
        props = self.params.model_json_schema().get("properties", {})
        parts = [f"{n}: {_type_name(props.get(n, {}))}" for n in self.names]
        if self.var_args:
            parts.append("*args")
        if self.var_kwargs:
            parts.append("**kwargs")
        return f"{self.uri}({', '.join(parts)})"

    def bind(
        self, args: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> tuple[list[Any], dict[str, Any]]:
        """Check a call's arguments; return what to call the function with.

        Raises :class:`InvalidArgument` with a message naming the argument and
        what was expected.
        """
        named: dict[str, Any] = {}
        extra_args: list[Any] = []
        for index, value in enumerate(args):
            if index < len(self.names):
                named[self.names[index]] = value
            elif self.var_args:
                extra_args.append(value)
            else:
                raise InvalidArgument(
                    f"too many arguments: {self._signature_text()} takes "
                    f"{len(self.names)}, got {len(args)}"
                )
        extra_kwargs: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key in named:
                raise InvalidArgument(f"argument {key!r} given twice (by position and by name)")
            if key in self.names:
                named[key] = value
            elif self.var_kwargs:
                extra_kwargs[key] = value
            else:
                raise InvalidArgument(
                    f"unexpected argument {key!r}: expected {self._signature_text()}"
                )
        missing = [n for n in self.names if n in self.required and n not in named]
        if missing:
            props = self.params.model_json_schema().get("properties", {})
            what = ", ".join(f"{n!r} ({_type_name(props.get(n, {}))})" for n in missing)
            raise InvalidArgument(f"missing argument {what}: expected {self._signature_text()}")
        try:
            checked = self.params.model_validate(named)
        except ValidationError as exc:
            problems = [
                f"argument {_format_loc(err['loc'])!r}: {_plain(err['msg'])} "
                f"(got {_short_repr(err.get('input'))})"
                for err in exc.errors(include_url=False)
            ]
            raise InvalidArgument("; ".join(problems)) from None
        values = {n: getattr(checked, n) for n in self.names if n in named}
        positional = [values.pop(n) for n in self.names[: len(args)]]
        return positional + extra_args, values | extra_kwargs

    async def invoke(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        """Validate, run the function (sync or async), and make its result wire-ready."""
        call_args, call_kwargs = self.bind(args, kwargs)
        result = self.func(*call_args, **call_kwargs)
        if inspect.isawaitable(result):
            result = await result
        if self.result is None:
            return result
        return self.result.dump_python(result, mode="json")


class Api:
    """The procedures of one component, declared with :meth:`procedure`."""

    def __init__(self, component: str) -> None:
        self.component = component
        self._procedures: dict[str, Procedure] = {}

    def procedure(self, uri: str) -> Callable[[F], F]:
        """Declare ``func`` as the procedure ``uri``; the function itself is unchanged."""

        def decorate(func: F) -> F:
            if uri in self._procedures:
                raise ValueError(f"procedure {uri} is declared twice in {self.component}")
            self._procedures[uri] = Procedure.from_function(uri, func)
            return func

        return decorate

    @property
    def procedures(self) -> Mapping[str, Procedure]:
        return self._procedures

    def describe(self) -> list[dict[str, Any]]:
        """Catalog entries for every procedure, in declaration order."""
        return [p.describe() for p in self._procedures.values()]
