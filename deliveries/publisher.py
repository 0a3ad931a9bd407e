"""Batching publisher: ids queued by a process after commit leave as one
Celery message per task and queue, every few milliseconds or every
``DELIVERY_BATCH_SIZE`` ids.

Why: one message per notification costs the web process a broker round
trip and the worker a whole Celery task; a batch pays those once for many
notifications, and the request no longer waits on the broker at all.
Measured on the 2-core development machine (process CPU time, in-process,
fake providers without latency): a one-id publish costs 0.5 ms of CPU
(2.5 ms of wall time), a one-notification task 2.9 ms; in batches of 100,
0.006 ms and about 0.3 ms per notification. ``bench.api_cpu`` shows the
publish apart from the API's own cost.

What a batch may lose. The buffer lives in memory: a process killed before
its flush loses what it held. The rows are committed, so the relay
publishes them again after ``DELIVERY_RELAY_DELAY_SECONDS`` (the same
at-least-once story as a publish lost to a broker outage); receipts left
unapplied are published again by the receipt sweep. A broker failure at
flush is logged, never raised.

In-process tasks (``CELERY_TASK_ALWAYS_EAGER``, the embedded default and
most tests) and ``synchronously()`` publish at once, in the caller's
thread, so behaviour there stays immediate.

The buffering itself (one daemon thread per process, fork-safe, flushed at
exit) is ``config.batching.Batcher``.
"""

import logging
from collections.abc import Callable

from celery import current_app
from django.conf import settings

from config.batching import Batcher

logger = logging.getLogger(__name__)

# ``send(task_name, queue, ids)``: one message; whether it was taken.
Sender = Callable[[str, str, list[str]], bool]


class Publisher(Batcher):
    """Ids buffered per (task, queue), one message per batch."""

    def __init__(self, send: Sender, send_now: Sender | None = None) -> None:
        send_now = send_now or send
        super().__init__(
            name="delivery-publisher",
            send=lambda key, ids: send(*key, ids),
            send_now=lambda key, ids: send_now(*key, ids),
            interval_ms=lambda: settings.DELIVERY_PUBLISH_INTERVAL_MS,
            size=lambda: settings.DELIVERY_BATCH_SIZE,
            immediate=lambda: bool(current_app.conf.task_always_eager),
        )

    def add(self, *, task_name: str, queue: str, item_id: object) -> None:
        """Queue one id for ``task_name`` on ``queue``."""
        self.put((task_name, queue), str(item_id))


def _send(task_name: str, queue: str, ids: list[str]) -> bool:
    # To the broker whatever the mode is now: the ids were buffered while
    # tasks went to the broker (tests switch the mode back and forth).
    return _logged(
        lambda: current_app.send_task(task_name, args=[ids], queue=queue),
        task_name=task_name,
        count=len(ids),
    )


def _send_now(task_name: str, queue: str, ids: list[str]) -> bool:
    # Through the task object, so that in-process tasks run here.
    task = current_app.tasks[task_name]
    return _logged(
        lambda: task.apply_async(args=[ids], queue=queue),
        task_name=task_name,
        count=len(ids),
    )


def _logged(publish: Callable[[], object], *, task_name: str, count: int) -> bool:
    try:
        publish()
    except Exception:
        logger.exception(
            "Could not publish %s ids to %s; the relay and sweeps will",
            count,
            task_name,
            extra={"count": count, "task": task_name},
        )
        return False
    return True


publisher = Publisher(_send, _send_now)
synchronously = publisher.synchronously
