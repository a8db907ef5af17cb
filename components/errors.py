"""Every error that ``wampgate.components`` raises, under one root.

``ComponentError``
    The root: catch it to handle anything a component or the framework raises.

``SettingsError(ComponentError)``
    A component's settings (its environment) are missing, malformed or
    unusable: no backend secret, a bad transport spec, a clock interval that
    is not a number, an echo port already in use. A component's ``main()``
    turns it into a one-line message and exit status 1.

``DeclarationError(ComponentError)``
    A procedure is declared wrongly: no docstring, an argument or the result
    without a type hint, a URI declared twice. Raised when the component
    module is imported, long before any call.

``ProcedureError(ComponentError)``
    A call failed in a way the caller should know about. Business logic
    raises it with an error URI of its own; the caller receives a WAMP error
    with that URI and the message.

``InvalidArgument(ProcedureError)``
    The arguments of a call do not match the procedure's signature; the
    caller receives ``wamp.error.invalid_argument`` with a message naming the
    argument and what was expected.
"""

from __future__ import annotations

from wampgate.contract import uris


class ComponentError(Exception):
    """The root of every error raised by ``wampgate.components``."""


class SettingsError(ComponentError):
    """A component's settings are missing, malformed or unusable."""


class DeclarationError(ComponentError):
    """A procedure is declared wrongly (found at import time)."""


class ProcedureError(ComponentError):
    """A call failed; the caller gets a WAMP error with ``uri`` and ``message``."""

    def __init__(self, uri: str, message: str) -> None:
        super().__init__(message)
        self.uri = uri
        self.message = message


class InvalidArgument(ProcedureError):
    """The arguments of a call do not match the procedure's signature."""

    def __init__(self, message: str) -> None:
        super().__init__(uris.ERROR_INVALID_ARGUMENT, message)
