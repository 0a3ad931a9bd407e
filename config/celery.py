"""The Celery app, its queues and the Beat schedule."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("notifications")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [
    Queue(name)
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
