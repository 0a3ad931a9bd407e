"""The Celery app, its queues and the Beat schedule."""

import os
from functools import cache

from celery import Celery
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("notifications")
app.config_from_object("django.conf:settings", namespace="CELERY")
# One direct exchange per queue, so a message published to a queue lands in
# that queue only.
app.conf.task_queues = [
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in (
        "send-email",
        "send-sms",
        "receipts",
        "periodic",
        "callbacks",
        "jobs",
    )
]
app.autodiscover_tasks()

# Periodic tasks are declared here, in code; django-celery-beat's database
# scheduler picks them up and lets operators pause one from the admin.
app.conf.beat_schedule = {
    "relay-created-notifications": {
        "task": "deliveries.relay_created_notifications",
        "schedule": 15.0,
        "options": {"queue": "periodic", "expires": 15},
    },
    "prune-idempotency-records": {
        "task": "notifications.prune_idempotency_records",
        "schedule": 3600.0,
        "options": {"queue": "periodic", "expires": 3600},
    },
}


@cache
def _redis():
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.REDIS_URL)


@app.task(name="config.ping", ignore_result=True)
def ping(counter_key: str = "") -> None:
    """Do nothing (or count one call): a worker health probe, and the
    benchmark's ceiling of a Celery round trip."""
    if counter_key:
        _redis().incr(counter_key)
