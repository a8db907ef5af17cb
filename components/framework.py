"""Typed procedures: a plain Python function becomes a validated, described WAMP procedure.

A component declares its API once::

    api = Api("calc")

    @api.procedure(uris.CALC_ADD)
    def add(a: Number, b: Number) -> Number:
        "Add two numbers."
        return a + b

The signature gives the JSON Schema of the arguments and of the result
(through pydantic), every call is checked against it before the function
runs (:mod:`~wampgate.components.procedure`), and :meth:`Api.describe` is
what the catalog serves, with the text of :mod:`~wampgate.components.schema`.
Errors are those of :mod:`~wampgate.components.errors`. Nothing here does
I/O: the WAMP wiring lives in :mod:`wampgate.components.runtime`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from wampgate.components.errors import (
    ComponentError,
    DeclarationError,
    InvalidArgument,
    ProcedureError,
)
from wampgate.components.procedure import CallResult, Procedure
from wampgate.components.schema import Number

__all__ = [
    "Api",
    "CallResult",
    "ComponentError",
    "DeclarationError",
    "InvalidArgument",
    "Number",
    "Procedure",
    "ProcedureError",
]

F = TypeVar("F", bound=Callable[..., Any])


class Api:
    """The procedures of one component, declared with :meth:`procedure`."""

    def __init__(self, component: str, *, concurrency: int | None = None) -> None:
        self.component = component
        #: At most this many calls of each procedure at once in one process; the router
        #: hands further calls to another process of the component or queues them.
        self.concurrency = concurrency
        self._procedures: dict[str, Procedure] = {}

    def procedure(self, uri: str) -> Callable[[F], F]:
        """Declare ``func`` as the procedure ``uri``; the function itself is unchanged."""

        def decorate(func: F) -> F:
            if uri in self._procedures:
                raise DeclarationError(f"procedure {uri} is declared twice in {self.component}")
            self._procedures[uri] = Procedure.from_function(uri, func)
            return func

        return decorate

    @property
    def procedures(self) -> Mapping[str, Procedure]:
        return self._procedures

    def describe(self) -> list[dict[str, Any]]:
        """Catalog entries for every procedure, in declaration order."""
        return [p.describe() for p in self._procedures.values()]
