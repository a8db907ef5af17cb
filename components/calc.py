"""Calculator procedures: the classic task-queue demo operations, as remote procedures."""

from __future__ import annotations

from typing import NoReturn

from wampgate.components import runtime
from wampgate.components.framework import Api, Number, ProcedureError
from wampgate.contract import uris

api = Api("calc")


@api.procedure(uris.CALC_ADD)
def add(a: Number, b: Number) -> Number:
    """Add two numbers."""
    return a + b


@api.procedure(uris.CALC_MUL)
def mul(a: Number, b: Number) -> Number:
    """Multiply two numbers."""
    return a * b


@api.procedure(uris.CALC_XSUM)
def xsum(numbers: list[Number]) -> Number:
    """Sum a list of numbers (0 for an empty list)."""
    return sum(numbers)


@api.procedure(uris.CALC_BROKEN)
def broken() -> NoReturn:
    """Always fail, with the error URI demo.calc.error.broken (for testing error paths)."""
    raise ProcedureError(uris.CALC_ERROR_BROKEN, "demo.calc.broken always fails, on purpose")


def main() -> None:
    runtime.main(api)


if __name__ == "__main__":
    main()
