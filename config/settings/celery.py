"""Celery settings, fit for at-least-once delivery on a Redis broker.

Without ``REDIS_URL`` tasks run in-process (the embedded default).

Production Redis must run with ``maxmemory-policy noeviction`` (an evicting
policy silently drops queued tasks and unacknowledged messages under memory
pressure) and with AOF on (``appendonly yes``, ``appendfsync everysec``), so
a restart loses at most a second of queued tasks. Nothing is lost even then:
the notification rows are the source of truth and the relay publishes
again what is still ``created``; the losses would only be delays.
"""

import environ

env = environ.Env()

_redis_url = env("REDIS_URL", default="")

CELERY_BROKER_URL = _redis_url or "memory://"
CELERY_TASK_ALWAYS_EAGER = not _redis_url
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Paris"

# A task is acknowledged only once it has run, and handed back to the broker
# when its worker process dies, so a crash delays a notification, never loses
# it. Every task is safe to run twice (the claim makes the second a no-op).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Time limits are enforced by the prefork pool only. With the threads pool
# (our default, see the README) every provider call carries its own HTTP
# time-out, every database statement of a worker the one below, and the
# reconciliation sweep catches what still hangs.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=120)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=100)
# PostgreSQL's statement_timeout on the workers' connections (not the web
# processes'): a statement still running after this long is cancelled and
# the task handles it as a lost database (config/database.py). 0: none.
WORKER_STATEMENT_TIMEOUT_SECONDS = env.float(
    "WORKER_STATEMENT_TIMEOUT_SECONDS", default=30
)
# Losing the broker connection must not cancel sends in flight: cancelling
# one mid-call would turn a clean outcome into an ambiguous one, and the
# message that comes back is harmless (the claim makes it a no-op).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# On a warm shutdown (SIGTERM) give running sends time to finish and record
# their outcome before the worker exits.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env.float(
    "CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", default=15
)

# Unacknowledged messages come back after the visibility timeout. It must be
# longer than any task runs and than any countdown we schedule, or a task is
# delivered again while still waiting (long back-offs go through the
# database, not through Celery countdowns).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "health_check_interval": 10,
}
# Publishing gives up quickly when the broker is down: the notification row
# is already committed and the relay publishes it again later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that loses Redis keeps trying to reconnect, however long the
# outage (the default gives up after 100 tries and the worker exits).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None

# Queues are declared in config/celery.py; tasks published without one go
# to ``periodic``.
CELERY_TASK_DEFAULT_QUEUE = "periodic"
CELERY_TASK_ROUTES = {
    "deliveries.process_delivery_receipt": {"queue": "receipts"},
    "deliveries.process_delivery_receipts": {"queue": "receipts"},
    "deliveries.record_attempt_result": {"queue": "receipts"},
    "deliveries.relay_created_notifications": {"queue": "periodic"},
    "deliveries.sweep_*": {"queue": "periodic"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
