"""What the router counts, and ``/metrics`` that serves it, inside the Crossbar router worker.

- :mod:`~wampgate.router.metrics.counts`: the counters themselves (pure, no I/O).
- :mod:`~wampgate.router.metrics.hook`: where the router worker feeds them
  (``Router.process`` for PUBLISH and CALL, ``Router.send`` for EVENT, RESULT
  and ERROR, ``Router.attach`` for sessions).
- :mod:`~wampgate.router.metrics.export`: the counters as Prometheus metric families.
- :mod:`~wampgate.router.metrics.web`: the ``/metrics`` resource of the web transport.
- :mod:`~wampgate.router.metrics.component`: the router component that installs the hook.
"""
