"""A demo Celery app for the Celery bridge: calc tasks, a failing one, a long one, a reading.

Run a worker (with the periodic reading) and the bridge::

    celery -A wampgate.components.celery_demo worker -B --loglevel info
    python -m wampgate.components.celery_bridge

Broker and result backend come from ``WAMPGATE_CELERY_BROKER`` (a local
RabbitMQ by default) and ``WAMPGATE_CELERY_BACKEND`` (a SQLite file under
``.wampgate/`` by default). The periodic task ``reading`` publishes
``{"seq", "value", "time"}`` every ``WAMPGATE_CELERY_READING_INTERVAL``
seconds (default 5) to the RabbitMQ fanout exchange ``readings``, which the
RabbitMQ bridge carries to the WAMP topic ``amqp.readings``.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from datetime import UTC, datetime
from typing import Any, NoReturn

from celery import Celery
from kombu import Exchange
from wampgate.components.schema import Number
from wampgate.contract import env

READINGS_EXCHANGE = Exchange("readings", "fanout", durable=True)

app = Celery(
    "wampgate_demo",
    broker=os.environ.get(env.CELERY_BROKER, "amqp://guest:guest@127.0.0.1:5672//"),
    backend=os.environ.get(env.CELERY_BACKEND, "db+sqlite:///.wampgate/celery-results.sqlite"),
)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_track_started=True,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    beat_schedule={
        "reading": {
            "task": "reading",
            "schedule": float(os.environ.get(env.CELERY_READING_INTERVAL, "5")),
        }
    },
)


@app.task(name="add")
def add(a: Number, b: Number) -> Number:
    """Add two numbers."""
    return a + b


@app.task(name="mul")
def mul(a: Number, b: Number) -> Number:
    """Multiply two numbers."""
    return a * b


@app.task(name="xsum")
def xsum(numbers: list[Number]) -> Number:
    """The sum of a list of numbers."""
    return sum(numbers)


@app.task(name="broken")
def broken() -> NoReturn:
    """Always fails, with a ValueError."""
    raise ValueError("broken on purpose")


@app.task(name="countdown", bind=True)
def countdown(self: Any, steps: int = 5, seconds: Number = 0.5) -> int:
    """A long job: counts ``steps`` steps of ``seconds`` each, reporting progress."""
    for done in range(steps):
        self.update_state(state="PROGRESS", meta={"done": done, "total": steps})
        time.sleep(seconds)
    return steps


_seq = itertools.count(1)


@app.task(name="reading")
def reading() -> dict[str, Any]:
    """Publish one sensor reading to the ``readings`` exchange (run by celery beat)."""
    now = datetime.now(UTC)
    value = {
        "seq": next(_seq),
        "value": round(20 + 2 * math.sin(now.timestamp() / 60), 3),
        "time": now.isoformat(timespec="milliseconds"),
    }
    with app.producer_or_acquire() as producer:
        producer.publish(
            value,
            exchange=READINGS_EXCHANGE,
            routing_key="",
            serializer="json",
            declare=[READINGS_EXCHANGE],
        )
    return value
