"""Which topics are journaled and how long their events are kept. Pure.

A rule is ``{"uri": "demo.", "match": "prefix", "max_age": 2592000, "max_count": null}``:
``match`` is ``exact``, ``prefix`` or ``wildcard`` (as in WAMP subscriptions),
``max_age`` is in seconds (default 30 days), ``max_count`` the most events kept per
topic (default: no limit). The default is one rule: every topic under ``demo.``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from wampgate.contract import defaults, uris

Match = Literal["exact", "prefix", "wildcard"]
MATCHES: tuple[Match, ...] = ("exact", "prefix", "wildcard")


@dataclass(frozen=True)
class TopicRule:
    """Topics matching ``uri`` are journaled and kept ``max_age`` seconds, at most ``max_count``."""

    uri: str
    match: Match = "exact"
    max_age: float | None = defaults.JOURNAL_MAX_AGE
    max_count: int | None = None

    def __post_init__(self) -> None:
        if self.match not in MATCHES:
            raise ValueError(f"journal rule {self.uri!r}: match must be one of {MATCHES}")
        if not self.uri.strip("."):
            raise ValueError(f"journal rule {self.uri!r}: an empty pattern journals nothing")
        if self.max_age is not None and self.max_age <= 0:
            raise ValueError(f"journal rule {self.uri!r}: max_age must be positive seconds")
        if self.max_count is not None and self.max_count < 1:
            raise ValueError(f"journal rule {self.uri!r}: max_count must be at least 1")

    def matches(self, topic: str) -> bool:
        if self.match == "exact":
            return topic == self.uri
        if self.match == "prefix":
            return topic.startswith(self.uri)
        want, got = self.uri.split("."), topic.split(".")
        return len(want) == len(got) and all(w in ("", g) for w, g in zip(want, got, strict=True))


DEFAULT_RULES: tuple[TopicRule, ...] = (TopicRule(uris.DEMO_PREFIX, "prefix"),)


def from_json(items: Sequence[Mapping[str, Any]] | None) -> tuple[TopicRule, ...]:
    """Rules from their JSON form; ``None`` gives :data:`DEFAULT_RULES`."""
    if items is None:
        return DEFAULT_RULES
    known = {"uri", "match", "max_age", "max_count"}
    rules = []
    for item in items:
        unknown = set(item) - known
        if unknown:
            raise ValueError(f"journal rule {dict(item)}: unknown keys {sorted(unknown)}")
        rules.append(TopicRule(**item))
    return tuple(rules)


def to_json(rules: Iterable[TopicRule]) -> str:
    return json.dumps([asdict(rule) for rule in rules])


def rule_for(rules: Iterable[TopicRule], topic: str) -> TopicRule | None:
    """The first rule that journals ``topic``, if any."""
    return next((rule for rule in rules if rule.matches(topic)), None)
