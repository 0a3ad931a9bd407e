"""The Celery app, its queues and the Beat schedule.

Production processes (see README, "Running in production"):

- ``celery -A config worker -Q send-email,send-sms --pool threads
  --concurrency 8``, one per core: each task is a batch, whose provider
  calls wait on ``DELIVERY_SEND_THREADS`` threads (sends are I/O-bound);
- ``celery -A config worker -Q receipts,periodic,callbacks,jobs --pool
  threads --concurrency 8``;
- ``celery -A config beat`` (one only; every periodic task is safe to run
  twice anyway).
"""

import os
from functools import cache

from celery import Celery
from celery.signals import worker_init, worker_process_init
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

QUEUES = ("send-email", "send-sms", "receipts", "periodic", "callbacks", "jobs")

app = Celery("notifications")


@app.on_after_configure.connect
def _set_beat_schedule(sender, **kwargs) -> None:
    from django.conf import settings

    sender.conf.beat_schedule = beat_schedule(settings)


@worker_init.connect
@worker_process_init.connect
def _bound_database_statements(**kwargs) -> None:
    """Workers' database statements have a time-out (see config.database);
    ``worker_init`` covers the threads pool, ``worker_process_init`` each
    prefork child."""
    from config import database

    database.bound_worker_statements()


app.config_from_object("django.conf:settings", namespace="CELERY")
# One direct exchange per queue, so a message published to a queue lands in
# that queue only.
app.conf.task_queues = [
    Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES
]
app.autodiscover_tasks()


def beat_schedule(settings) -> dict:
    """The periodic tasks, declared in code. django-celery-beat's database
    scheduler picks them up and lets operators pause one from the admin.

    Every task expires before its next run, so a backlog of ticks (a worker
    down for an hour) does not replay them all at once."""
    relay_every = settings.DELIVERY_RELAY_INTERVAL_SECONDS
    sweep_every = settings.DELIVERY_SWEEP_INTERVAL_SECONDS

    def every(seconds: float, task: str) -> dict:
        return {
            "task": task,
            "schedule": seconds,
            "options": {"queue": "periodic", "expires": seconds},
        }

    return {
        "relay-created-notifications": every(
            relay_every, "deliveries.relay_created_notifications"
        ),
        "sweep-stale-attempts": every(sweep_every, "deliveries.sweep_stale_attempts"),
        "sweep-unapplied-receipts": every(
            sweep_every, "deliveries.sweep_unapplied_receipts"
        ),
        "sweep-timed-out-notifications": every(
            sweep_every, "deliveries.sweep_timed_out_notifications"
        ),
        "sweep-processed-receipts": every(3600, "deliveries.sweep_processed_receipts"),
        "prune-idempotency-records": every(
            3600, "notifications.prune_idempotency_records"
        ),
        # Hourly, so each run has little to do and a missed one costs little.
        "erase-expired-personal-data": every(
            settings.RETENTION_ERASE_INTERVAL_SECONDS,
            "notifications.erase_expired_personal_data",
        ),
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
