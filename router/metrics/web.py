"""``GET /metrics`` on the web port: a Twisted resource inside the router worker.

Crossbar's ``resource`` web service builds it by class name in the router
worker, the process that holds the counters. It serves GET and HEAD only
(anything else is 405), has no children and reads no body; the text is
rendered at most once per :data:`CACHE_SECONDS`, so a client asking in a
loop costs the router a cached write, not a rendering per request.
"""

from __future__ import annotations

import time
from typing import Any, Final

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from twisted.web.resource import Resource
from wampgate.router.metrics.export import registry

CACHE_SECONDS: Final = 0.5


class MetricsResource(Resource):
    isLeaf = True
    allowedMethods = (b"GET", b"HEAD")

    def __init__(self, extra: Any = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._registry = registry()
        self._text = b""
        self._at = float("-inf")

    def _body(self) -> bytes:
        now = time.monotonic()
        if now - self._at >= CACHE_SECONDS:
            self._text, self._at = generate_latest(self._registry), now
        return self._text

    def render_GET(self, request: Any) -> bytes:
        request.setHeader(b"content-type", CONTENT_TYPE_LATEST.encode())
        request.setHeader(b"cache-control", b"no-store")
        return self._body()

    def render_HEAD(self, request: Any) -> bytes:
        return self.render_GET(request)
