"""Who may do what on which URIs: one table, rendered into the realm's roles.

:data:`ROLES` maps each role to its rules, in the order Crossbar should read
them. :func:`crossbar_roles` turns the table into the ``roles`` list of a
Crossbar realm; nothing else in the node configuration lists permissions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from wampgate.contract import defaults, uris

Action = Literal["call", "register", "publish", "subscribe"]
ACTIONS: tuple[Action, ...] = ("call", "register", "publish", "subscribe")


@dataclass(frozen=True)
class Rule:
    """``actions`` are allowed on ``uri`` (matched exactly, as a prefix or a wildcard)."""

    uri: str
    match: Literal["exact", "prefix", "wildcard"]
    actions: frozenset[Action]


def rule(uri: str, match: Literal["exact", "prefix", "wildcard"], *actions: Action) -> Rule:
    return Rule(uri, match, frozenset(actions))


#: The meta API a client may read (sessions, registrations, subscriptions);
#: never the procedures that kill sessions or remove registrations.
META_READ = (
    uris.META_SESSION_COUNT,
    uris.META_SESSION_LIST,
    uris.META_REGISTRATION_LIST,
    uris.META_REGISTRATION_GET,
    uris.META_REGISTRATION_LOOKUP,
    uris.META_REGISTRATION_MATCH,
    uris.META_REGISTRATION_COUNT_CALLEES,
    uris.META_SUBSCRIPTION_LIST,
    uris.META_SUBSCRIPTION_GET,
    uris.META_SUBSCRIPTION_LOOKUP,
    uris.META_SUBSCRIPTION_MATCH,
    uris.META_SUBSCRIPTION_COUNT_SUBSCRIBERS,
)
_META = tuple(rule(uri, "exact", "call") for uri in META_READ)

#: What the bridges serve: Celery tasks to call, other brokers' messages to follow.
#: Only the bridges (role backend) publish there, so nothing loops back in.
_BRIDGES = (
    rule(uris.CELERY_PREFIX, "prefix", "call"),
    rule(uris.AMQP_TOPIC_PREFIX, "prefix", "subscribe"),
    rule(uris.ZMQ_TOPIC_PREFIX, "prefix", "subscribe"),
    rule(uris.KAFKA_TOPIC_PREFIX, "prefix", "subscribe"),
)

ROLES: Mapping[str, tuple[Rule, ...]] = {
    # Browsers and the CLI without credentials: call and follow, never serve or publish.
    defaults.ANONYMOUS_ROLE: (
        rule(uris.DEMO_PREFIX, "prefix", "call", "subscribe"),
        rule(uris.WAMPGATE_PREFIX, "prefix", "call", "subscribe"),
        *_BRIDGES,
        *_META,
    ),
    # Named users may also publish on demo., except where the clock publishes.
    defaults.USER_ROLE: (
        rule(uris.DEMO_PREFIX, "prefix", "call", "publish", "subscribe"),
        rule(uris.CLOCK_PREFIX, "prefix", "call", "subscribe"),
        rule(uris.WAMPGATE_PREFIX, "prefix", "call", "subscribe"),
        *_BRIDGES,
        *_META,
    ),
    # Components: everything.
    defaults.BACKEND_ROLE: (rule("", "prefix", *ACTIONS),),
}


def crossbar_permission(r: Rule) -> dict[str, Any]:
    """One rule as a Crossbar permission: callers and publishers never disclosed."""
    return {
        "uri": r.uri,
        "match": r.match,
        "allow": {action: action in r.actions for action in ACTIONS},
        "disclose": {"caller": False, "publisher": False},
        "cache": True,
    }


def crossbar_roles(roles: Mapping[str, tuple[Rule, ...]] = ROLES) -> list[dict[str, Any]]:
    """The ``roles`` of a Crossbar realm for ``roles``."""
    return [
        {"name": name, "permissions": [crossbar_permission(r) for r in rules]}
        for name, rules in roles.items()
    ]
