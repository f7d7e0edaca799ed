"""The Dramatiq broker and the one actor that delivers outbox rows.

Messages carry row ids only, a few to a message so the broker's overhead is
shared; the rows are claimed together and each is marked sent in its own commit. ``CONCORD_BROKER_URL`` picks Redis
(``redis://``) or RabbitMQ (``amqp://``); unset, a StubBroker runs in-process.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import TimeLimit, default_middleware

from core.notify.delivery import deliver

QUEUE_NAME = "concord-notifications"


@dataclass
class Queue:
    broker: dramatiq.Broker
    actor: dramatiq.Actor

    def enqueue(self, row_ids: list[int]) -> None:
        self.actor.send(row_ids)


def make_broker(url: str | None) -> dramatiq.Broker:
    if not url:
        # In-process: this process is the worker. Its time limit is watched by one thread for the whole
        # process, as in a worker process of dramatiq's own; started per broker, a thread that never ends was
        # left behind by every app made (a test run makes thousands, and their wake-ups slowed it to a crawl).
        return StubBroker(middleware=[_time_limit_of_this_process() if m is TimeLimit else m() for m in default_middleware])
    if url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url)
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    return RabbitmqBroker(url=url)


@cache
def _time_limit_of_this_process() -> TimeLimit:
    """dramatiq's TimeLimit middleware with its watching thread started, once per process."""
    limit = TimeLimit()
    limit.after_process_boot(None)
    return limit


def init_app(app) -> None:
    broker = make_broker(app.config.get("BROKER_URL"))

    def deliver_notifications(row_ids: list[int]) -> None:
        with app.app_context():
            deliver(row_ids)

    actor = dramatiq.actor(broker=broker, queue_name=QUEUE_NAME, max_retries=0)(deliver_notifications)
    app.extensions["concord.queue"] = Queue(broker, actor)
