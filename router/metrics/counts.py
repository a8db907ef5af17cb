"""The counters: events published and delivered per topic, calls, errors and latency per procedure.

Everything here is pure and cheap: a dictionary lookup and an integer
increment per message, a bisect per answered call. The label sets are
bounded: past :data:`MAX_LABELS` distinct topics (or procedures) the rest are
counted under :data:`OTHER`, so a client publishing to random topics cannot
grow the router's memory or the ``/metrics`` page without bound; totals stay
exact.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

#: Distinct topics (and, separately, procedures) that get a series of their own.
MAX_LABELS: Final = 500
#: The label of everything past :data:`MAX_LABELS`.
OTHER: Final = "(other)"
#: Upper bounds (seconds) of the call latency histogram's buckets; +Inf is implied.
LATENCY_BUCKETS: Final = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
)  # fmt: skip
#: Calls a session may have waiting for an answer whose latency is measured.
MAX_PENDING_PER_SESSION: Final = 10_000


@dataclass
class Procedure:
    """One procedure's calls, errors and answer times (a histogram in seconds)."""

    calls: int = 0
    errors: int = 0
    buckets: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS) + 1))
    seconds: float = 0.0

    def answered(self, seconds: float, ok: bool) -> None:
        self.buckets[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.seconds += seconds
        if not ok:
            self.errors += 1

    @property
    def answers(self) -> int:
        return sum(self.buckets)


def _bounded_key(table: Mapping[str, object], key: str) -> str:
    return key if key in table or len(table) < MAX_LABELS else OTHER


@dataclass
class Counts:
    """The router worker's counters (one instance per process, see :data:`COUNTS`)."""

    published: int = 0
    delivered: int = 0
    sessions_joined: int = 0
    topic_published: dict[str, int] = field(default_factory=dict)
    topic_delivered: dict[str, int] = field(default_factory=dict)
    procedures: dict[str, Procedure] = field(default_factory=dict)

    def publish(self, topic: str) -> None:
        self.published += 1
        table = self.topic_published
        if topic not in table:
            topic = _bounded_key(table, topic)
        table[topic] = table.get(topic, 0) + 1

    def deliver(self, topic: str) -> None:
        self.delivered += 1
        table = self.topic_delivered
        if topic not in table:
            topic = _bounded_key(table, topic)
        table[topic] = table.get(topic, 0) + 1

    def procedure(self, uri: str) -> Procedure:
        found = self.procedures.get(uri)
        if found is None:
            uri = _bounded_key(self.procedures, uri)
            found = self.procedures.setdefault(uri, Procedure())
        return found

    def call(self, uri: str) -> Procedure:
        """Count a call of ``uri``; the returned record takes its answer."""
        found = self.procedure(uri)
        found.calls += 1
        return found


#: The counters of this process (the router worker).
COUNTS: Final = Counts()
