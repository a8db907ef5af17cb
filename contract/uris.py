"""Every public URI of wampgate, in one place.

Third-party clients rely on these names (see DESIGN.md); change them only
together with the contract.
"""

from typing import Final

#: Prefixes that permissions are granted on.
DEMO_PREFIX: Final = "demo."
CLOCK_PREFIX: Final = "demo.clock."
WAMPGATE_PREFIX: Final = "wampgate."
#: The WAMP meta API (sessions, registrations, subscriptions; killing sessions).
META_PREFIX: Final = "wamp."
#: Procedures the router itself serves to Crossbar; no client may call them.
ROUTER_PREFIX: Final = "wampgate.router."
#: The dynamic authorizer of the roles whose users may hold their own prefixes.
ROUTER_AUTHORIZE: Final = "wampgate.router.authorize"
#: Store an event in the journal, then publish it (behind ``wampgate.journal.publish``).
ROUTER_JOURNAL_PUBLISH: Final = "wampgate.router.journal.publish"

CALC_ADD: Final = "demo.calc.add"
CALC_MUL: Final = "demo.calc.mul"
CALC_XSUM: Final = "demo.calc.xsum"
CALC_BROKEN: Final = "demo.calc.broken"
CALC_ERROR_BROKEN: Final = "demo.calc.error.broken"

CLOCK_TICK: Final = "demo.clock.tick"

#: ``wampgate soak`` publishes ``{"seq": n}`` here (as a named user) and counts deliveries.
SOAK_EVENTS: Final = "demo.soak.events"

ECHO: Final = "demo.echo"

#: The journal: stored events of journaled topics, and publishing through it.
HISTORY_GET: Final = "wampgate.history.get"
HISTORY_TOPICS: Final = "wampgate.history.topics"
JOURNAL_PUBLISH: Final = "wampgate.journal.publish"
#: The key in an EVENT's details that carries the event's per-topic journal seq.
EVENT_SEQ_KEY: Final = "x_seq"

CATALOG_LIST: Final = "wampgate.catalog.list"
CATALOG_DESCRIBE: Final = "wampgate.catalog.describe"
#: Each component registers ``<prefix><component name>``; the catalog calls them.
CATALOG_COMPONENT_PREFIX: Final = "wampgate.catalog.component."

ERROR_INVALID_ARGUMENT: Final = "wamp.error.invalid_argument"
ERROR_NO_SUCH_PROCEDURE: Final = "wamp.error.no_such_procedure"
#: A part of the gateway (the journal, the catalog) cannot serve the call right now.
ERROR_UNAVAILABLE: Final = "wampgate.error.unavailable"
#: The topic matches none of the journal's rules.
ERROR_NOT_JOURNALED: Final = "wampgate.error.not_journaled"

# WAMP meta API (implemented by the router).
META_SESSION_COUNT: Final = "wamp.session.count"
META_SESSION_LIST: Final = "wamp.session.list"
META_SESSION_GET: Final = "wamp.session.get"
META_SESSION_KILL: Final = "wamp.session.kill"
META_REGISTRATION_LIST: Final = "wamp.registration.list"
META_REGISTRATION_GET: Final = "wamp.registration.get"
META_REGISTRATION_LOOKUP: Final = "wamp.registration.lookup"
META_REGISTRATION_MATCH: Final = "wamp.registration.match"
META_REGISTRATION_COUNT_CALLEES: Final = "wamp.registration.count_callees"
META_SUBSCRIPTION_LIST: Final = "wamp.subscription.list"
META_SUBSCRIPTION_GET: Final = "wamp.subscription.get"
META_SUBSCRIPTION_LOOKUP: Final = "wamp.subscription.lookup"
META_SUBSCRIPTION_MATCH: Final = "wamp.subscription.match"
META_SUBSCRIPTION_COUNT_SUBSCRIBERS: Final = "wamp.subscription.count_subscribers"


def meta_ids(listing: dict[str, list[int]]) -> list[int]:
    """All ids of a ``wamp.registration.list`` / ``wamp.subscription.list`` answer."""
    return [i for kind in ("exact", "prefix", "wildcard") for i in listing.get(kind, [])]


# Bridges to other brokers.
#: Each bridge registers ``<prefix><bridge name>``: its mappings, counters and broker state.
BRIDGE_STATE_PREFIX: Final = "wampgate.bridge.state."
#: Default WAMP topic of a RabbitMQ message: ``amqp.<exchange>.<routing key>``.
AMQP_TOPIC_PREFIX: Final = "amqp."
#: Celery tasks are procedures ``celery.<task name>``; canvas procedures beside them.
CELERY_PREFIX: Final = "celery."
CELERY_GROUP: Final = "celery.group"
CELERY_CHAIN: Final = "celery.chain"
CELERY_CHORD: Final = "celery.chord"
#: A task that raised ``ValueError`` fails the call with ``celery.error.ValueError``.
CELERY_ERROR_PREFIX: Final = "celery.error."
CELERY_ERROR_REVOKED: Final = "celery.error.revoked"
CELERY_ERROR_UNKNOWN_TASK: Final = "celery.error.unknown_task"
#: Default WAMP topic prefixes of ZeroMQ and Kafka messages.
ZMQ_TOPIC_PREFIX: Final = "zmq."
KAFKA_TOPIC_PREFIX: Final = "kafka."

#: The work-queue demo: several processes of the jobs component share it, one job each at a time.
JOBS_SLOW_SQUARE: Final = "demo.jobs.slow_square"
