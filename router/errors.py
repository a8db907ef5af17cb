"""Every error ``wampgate.router`` raises on purpose, under one root.

The CLI catches :class:`RouterError` and prints its message as one line; the
message always says what is wrong and what to do about it.

- :class:`RouterError` -- the root; never raised itself.

  - :class:`ConfigError` -- a gateway setting (host, port, realm, an environment
    variable), the checkout (no ``.crossbar/config.json``), the node
    configuration template, a component entry in it, the backend secret file,
    or ``crossbar check``'s verdict on the rendered configuration is wrong.
  - :class:`GatewayError` -- the gateway could not start (Crossbar missing, a
    port already in use, a component that failed to start, not ready in time)
    or stopped unexpectedly.
  - :class:`UsersError` -- the named users file or a user name is not usable.
"""

from __future__ import annotations


class RouterError(Exception):
    """Root of the errors of ``wampgate.router``; the message is one line for a person."""


class ConfigError(RouterError):
    """A gateway setting or the node configuration is wrong; the message says how."""


class GatewayError(RouterError):
    """The gateway could not start or stopped unexpectedly; the message says what to do."""


class UsersError(RouterError):
    """The users file or a user name is not usable; the message says why."""
