"""Environment variable names read by more than one part of wampgate."""

from typing import Final

HOST: Final = "WAMPGATE_HOST"
PORT: Final = "WAMPGATE_PORT"
ECHO_PORT: Final = "WAMPGATE_ECHO_PORT"
ECHO_HOST: Final = "WAMPGATE_ECHO_HOST"
#: The client-facing RawSocket port (anonymous, like /ws).
RAWSOCKET_PORT: Final = "WAMPGATE_RAWSOCKET_PORT"
#: Where ``wampgate bench`` reaches that RawSocket transport (``rs://HOST:PORT``).
RAWSOCKET_URL: Final = "WAMPGATE_RAWSOCKET_URL"
REALM: Final = "WAMPGATE_REALM"
STATE_DIR: Final = "WAMPGATE_STATE_DIR"
URL: Final = "WAMPGATE_URL"
USER: Final = "WAMPGATE_USER"
PASSWORD: Final = "WAMPGATE_PASSWORD"
LOG_LEVEL: Final = "WAMPGATE_LOG_LEVEL"

#: The backend transport spec (``unix:PATH`` or ``tcp:HOST:PORT``) components join on.
BACKEND: Final = "WAMPGATE_BACKEND"
BACKEND_SECRET: Final = "WAMPGATE_BACKEND_SECRET"
BACKEND_AUTHID: Final = "WAMPGATE_BACKEND_AUTHID"

CLOCK_INTERVAL: Final = "WAMPGATE_CLOCK_INTERVAL"

#: The journal's database: a SQLite file path or ``postgresql://`` URL; ``off`` disables it.
JOURNAL: Final = "WAMPGATE_JOURNAL"
#: The journaled topics and their retention, JSON (as in the journal component's ``extra``).
JOURNAL_TOPICS: Final = "WAMPGATE_JOURNAL_TOPICS"
#: Seconds between two retention passes of the journal component.
JOURNAL_PRUNE_INTERVAL: Final = "WAMPGATE_JOURNAL_PRUNE_INTERVAL"

#: The HTTP bridge is on only when both are set; the secret never goes into a file.
HTTP_KEY: Final = "WAMPGATE_HTTP_KEY"
HTTP_SECRET: Final = "WAMPGATE_HTTP_SECRET"

#: Bridges: every bridge has a name (its state procedure and queue names use it).
BRIDGE_NAME: Final = "WAMPGATE_BRIDGE_NAME"
AMQP_URL: Final = "WAMPGATE_AMQP_URL"
#: RabbitMQ -> WAMP mappings: ``exchange[:kind[:binding key]][=topic]``, comma-separated.
AMQP_IN: Final = "WAMPGATE_AMQP_IN"
#: WAMP -> RabbitMQ mappings: ``topic prefix=exchange[:kind]``, comma-separated.
AMQP_OUT: Final = "WAMPGATE_AMQP_OUT"
#: The Celery app (``module:attribute``) whose tasks become procedures.
CELERY_APP: Final = "WAMPGATE_CELERY_APP"
CELERY_PREFIX: Final = "WAMPGATE_CELERY_PREFIX"
CELERY_BROKER: Final = "WAMPGATE_CELERY_BROKER"
CELERY_BACKEND: Final = "WAMPGATE_CELERY_BACKEND"
#: Seconds between two readings of the demo app's periodic task.
CELERY_READING_INTERVAL: Final = "WAMPGATE_CELERY_READING_INTERVAL"
#: ZeroMQ -> WAMP: ``endpoint[|prefix][=topic prefix]``, comma-separated.
ZMQ_SUB: Final = "WAMPGATE_ZMQ_SUB"
#: WAMP -> ZeroMQ: ``topic prefix=bind endpoint``, comma-separated.
ZMQ_PUB: Final = "WAMPGATE_ZMQ_PUB"
KAFKA_SERVERS: Final = "WAMPGATE_KAFKA_SERVERS"
#: Kafka -> WAMP: ``kafka topic[=wamp topic]``, comma-separated.
KAFKA_IN: Final = "WAMPGATE_KAFKA_IN"
KAFKA_GROUP: Final = "WAMPGATE_KAFKA_GROUP"

#: How many processes of a component its supervisor runs (they share its registrations).
WORKERS: Final = "WAMPGATE_WORKERS"
#: Which of those processes this is: 1, 2, ... (set by the supervisor for each).
WORKER: Final = "WAMPGATE_WORKER"
