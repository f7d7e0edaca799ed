"""The Dramatiq broker and the one actor that delivers outbox rows.

Messages carry row ids only, a few to a message so the broker's overhead is
shared; the rows are claimed together and each is marked sent in its own commit. ``CONCORD_BROKER_URL`` picks Redis
(``redis://``) or RabbitMQ (``amqp://``); unset, a StubBroker runs in-process.
"""
from __future__ import annotations

from dataclasses import dataclass

import dramatiq
from dramatiq.brokers.stub import StubBroker

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
        broker = StubBroker()
        broker.emit_after("process_boot")
        return broker
    if url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url)
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    return RabbitmqBroker(url=url)


def init_app(app) -> None:
    broker = make_broker(app.config.get("BROKER_URL"))

    def deliver_notifications(row_ids: list[int]) -> None:
        with app.app_context():
            deliver(row_ids)

    actor = dramatiq.actor(broker=broker, queue_name=QUEUE_NAME, max_retries=0)(deliver_notifications)
    app.extensions["concord.queue"] = Queue(broker, actor)
