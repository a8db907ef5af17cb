"""Defences that run inside the Crossbar router worker.

- :mod:`~wampgate.router.bounds.limits`: the limits and the pure checks.
- :mod:`~wampgate.router.bounds.edge`: incoming bytes (nesting depth, one-line
  refusals, the HELLO timeout).
- :mod:`~wampgate.router.bounds.delivery`: outgoing messages (values a peer's
  serializer cannot carry, peers that stop reading).
- :mod:`~wampgate.router.bounds.component`: the router component that installs them.
"""
