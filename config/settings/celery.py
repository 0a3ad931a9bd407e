"""Celery settings, fit for at-least-once delivery on a Redis broker.

Without ``REDIS_URL`` tasks run in-process (the embedded default). In
production run Redis with ``maxmemory-policy noeviction`` and AOF on, or
the broker may drop queued tasks under memory pressure.
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
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100

# Unacknowledged messages come back after the visibility timeout. It must be
# longer than any task runs and than any countdown we schedule, or a task is
# delivered again while still waiting (long back-offs go through the
# database, not through Celery countdowns).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
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

CELERY_TASK_DEFAULT_QUEUE = "periodic"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
