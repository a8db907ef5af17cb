"""Who may do what on which URIs: one table, rendered into the realm's roles.

:data:`ROLES` maps each role to its rules (URI patterns and the actions
``call``, ``register``, ``publish``, ``subscribe`` allowed on them) and to the
actions its users get on prefixes of their own (``wampgate user add NAME
--role service --prefix acme.``). :func:`crossbar_roles` turns the table into
the ``roles`` list of a Crossbar realm; nothing else in the node configuration
lists permissions.

A role without own prefixes is a static Crossbar role. A role with them is
authorized by the router-side procedure :data:`~wampgate.contract.uris.ROUTER_AUTHORIZE`
(see :mod:`wampgate.router.guard`), which answers with :func:`authorization`:
what the table allows is cached by Crossbar per role, URI and action (one
authorizer call per URI and action for the router's lifetime); what depends on
the user's prefixes is decided at every action, so prefix changes apply at once.

Everything here is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from wampgate.contract import defaults, uris

Action = Literal["call", "register", "publish", "subscribe"]
ACTIONS: tuple[Action, ...] = ("call", "register", "publish", "subscribe")
Match = Literal["exact", "prefix", "wildcard"]


@dataclass(frozen=True)
class Rule:
    """``actions`` are allowed on ``uri`` (matched exactly, as a prefix or a wildcard)."""

    uri: str
    match: Match
    actions: frozenset[Action]


def rule(uri: str, match: Match, *actions: Action) -> Rule:
    return Rule(uri, match, frozenset(actions))


@dataclass(frozen=True)
class Role:
    """A role's rules, the actions its users get on their own prefixes, and what it is for."""

    about: str
    rules: tuple[Rule, ...]
    own_prefix_actions: frozenset[Action] = frozenset()
    #: Whether named users may be given this role.
    assignable: bool = True
    #: Whether a user of this role is useless without a prefix of their own.
    needs_prefix: bool = False

    @property
    def dynamic(self) -> bool:
        return bool(self.own_prefix_actions)


#: What the bridges serve: Celery tasks to call, other brokers' messages to follow.
#: Only the bridges (role backend) publish there, so nothing loops back in.
_BRIDGES = (
    rule(uris.CELERY_PREFIX, "prefix", "call"),
    rule(uris.AMQP_TOPIC_PREFIX, "prefix", "subscribe"),
    rule(uris.ZMQ_TOPIC_PREFIX, "prefix", "subscribe"),
    rule(uris.KAFKA_TOPIC_PREFIX, "prefix", "subscribe"),
)
_FOLLOW = (
    rule(uris.DEMO_PREFIX, "prefix", "call", "subscribe"),
    rule(uris.WAMPGATE_PREFIX, "prefix", "call", "subscribe"),
    *_BRIDGES,
)
#: Named users may also publish on demo., except where the clock publishes.
_USER = (
    rule(uris.DEMO_PREFIX, "prefix", "call", "publish", "subscribe"),
    rule(uris.CLOCK_PREFIX, "prefix", "call", "subscribe"),
    rule(uris.WAMPGATE_PREFIX, "prefix", "call", "subscribe"),
    *_BRIDGES,
)
#: What the router serves to Crossbar itself: nobody but the backend reaches it.
_INTERNAL = rule(uris.ROUTER_PREFIX, "prefix")
#: Publishing through the journal publishes as the backend (any journaled topic): operators only.
_JOURNAL = rule(uris.JOURNAL_PUBLISH, "exact")

ROLES: Mapping[str, Role] = {
    defaults.ANONYMOUS_ROLE: Role(
        "no credentials: call and follow demo., wampgate. and the bridges; never the meta API",
        (*_FOLLOW, _JOURNAL, _INTERNAL),
        assignable=False,
    ),
    defaults.USER_ROLE: Role(
        "a person: as anonymous, plus publish on demo. (not demo.clock.)",
        (*_USER, _JOURNAL, _INTERNAL),
        frozenset({"call", "publish", "subscribe"}),
    ),
    defaults.SERVICE_ROLE: Role(
        "a program: as anonymous, plus everything under its own prefixes",
        (*_FOLLOW, _JOURNAL, _INTERNAL),
        frozenset(ACTIONS),
        needs_prefix=True,
    ),
    defaults.ADMIN_ROLE: Role(
        "an operator: as user, plus the meta API (list, inspect and kill sessions)",
        (
            *_USER,
            rule(uris.META_PREFIX, "prefix", "call", "subscribe"),
            rule(uris.JOURNAL_PUBLISH, "exact", "call"),
            _INTERNAL,
        ),
        frozenset(ACTIONS),
    ),
    defaults.BACKEND_ROLE: Role(
        "the components (generated secret, unix socket): everything",
        (rule("", "prefix", *ACTIONS),),
        assignable=False,
    ),
}


def _wildcard(pattern: str, uri: str) -> bool:
    want, got = pattern.split("."), uri.split(".")
    return len(want) == len(got) and all(w in ("", g) for w, g in zip(want, got, strict=True))


def matching_rule(rules: Iterable[Rule], uri: str) -> Rule | None:
    """The rule Crossbar applies to ``uri``: the longest prefix or exact URI, then wildcards."""
    plain = [r for r in rules if r.match != "wildcard" and uri.startswith(r.uri)]
    best = max(plain, key=lambda r: len(r.uri), default=None)
    if best is not None and best.match == "exact" and best.uri != uri:
        best = None  # Crossbar's trie: an exact URI that is only a prefix matches nothing
    if best is None or best.match != "exact":
        wild = [r for r in rules if r.match == "wildcard" and _wildcard(r.uri, uri)]
        best = max(wild, key=lambda r: len(r.uri.partition("..")[0]), default=best)
    return best


def allows(rules: Iterable[Rule], uri: str, action: Action) -> bool:
    found = matching_rule(rules, uri)
    return found is not None and action in found.actions


def authorization(role: Role, prefixes: Iterable[str], uri: str, action: Action) -> dict[str, Any]:
    """The dynamic authorizer's answer for a user of ``role`` holding ``prefixes``.

    Only answers that depend on the role alone may be cached: Crossbar caches
    per role, not per user.
    """
    found = matching_rule(role.rules, uri)
    if found is not None and (action in found.actions or found == _INTERNAL):
        allow, cache = action in found.actions, True
    elif action not in role.own_prefix_actions:
        allow, cache = False, True
    else:
        allow, cache = any(uri.startswith(p) for p in prefixes), False
    # The broker reads "disclose" on every publish; callers and publishers stay hidden.
    return {"allow": allow, "cache": cache, "disclose": False}


def crossbar_permission(r: Rule) -> dict[str, Any]:
    """One rule as a Crossbar permission: callers and publishers never disclosed."""
    return {
        "uri": r.uri,
        "match": r.match,
        "allow": {action: action in r.actions for action in ACTIONS},
        "disclose": {"caller": False, "publisher": False},
        "cache": True,
    }


def crossbar_role(name: str, role: Role) -> dict[str, Any]:
    if role.dynamic:
        return {"name": name, "authorizer": uris.ROUTER_AUTHORIZE}
    return {"name": name, "permissions": [crossbar_permission(r) for r in role.rules]}


def crossbar_roles(roles: Mapping[str, Role] = ROLES) -> list[dict[str, Any]]:
    """The ``roles`` of a Crossbar realm for ``roles``."""
    return [crossbar_role(name, role) for name, role in roles.items()]


#: How :func:`rows` names the user's own prefixes and the empty prefix.
OWN_PREFIXES, ANY_URI = "(own prefixes)", "(any URI)"


def rows(role: Role) -> list[tuple[str, str, tuple[bool, ...]]]:
    """``(uri, match, allowed per action)`` for each rule, then the own prefixes if any."""
    out: list[tuple[str, str, tuple[bool, ...]]] = [
        (r.uri or ANY_URI, r.match, tuple(a in r.actions for a in ACTIONS)) for r in role.rules
    ]
    if role.dynamic:
        out.append((OWN_PREFIXES, "prefix", tuple(a in role.own_prefix_actions for a in ACTIONS)))
    return out


def markdown_table(roles: Mapping[str, Role] = ROLES) -> str:
    """Every role's rules as one Markdown table (SECURITY.md holds it verbatim)."""
    lines = ["| role | URI | match | " + " | ".join(ACTIONS) + " |", "|---" * 7 + "|"]
    for name, role in roles.items():
        for uri, match, allowed in rows(role):
            marks = " | ".join("yes" if yes else "-" for yes in allowed)
            shown = uri if uri in (OWN_PREFIXES, ANY_URI) else f"`{uri}`"
            lines.append(f"| `{name}` | {shown} | {match} | {marks} |")
    return "\n".join(lines) + "\n"
