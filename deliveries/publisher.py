"""Batching publisher: ids queued by a process after commit leave as one
Celery message per task and queue, every few milliseconds or every
``DELIVERY_BATCH_SIZE`` ids.

Why: one message per notification costs a broker round trip in the API
request and a whole Celery task in the worker (TODO(#5) figures: about
15 ms of CPU each); a batch pays those once for many notifications, and
the request no longer waits on the broker at all.

What a batch may lose. The buffer lives in memory: a process killed before
its flush loses what it held. The rows are committed, so the relay
publishes them again after ``DELIVERY_RELAY_DELAY_SECONDS`` (the same
at-least-once story as a publish lost to a broker outage); receipts left
unapplied are published again by the receipt sweep. A broker failure at
flush is logged, never raised.

In-process tasks (``CELERY_TASK_ALWAYS_EAGER``, the embedded default and
most tests) and ``synchronously()`` publish at once, in the caller's
thread, so behaviour there stays immediate.

One daemon thread per process flushes the buffer; it starts with the first
id queued, again in a forked child (gunicorn workers, prefork pools), and
the buffer is flushed at interpreter exit.
"""

import atexit
import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator

from celery import current_app
from django.conf import settings

logger = logging.getLogger(__name__)

# (task name, queue): what one flushed message carries.
Destination = tuple[str, str]
Sender = Callable[[str, str, list[str]], bool]


class Publisher:
    """Ids buffered per destination and flushed by a background thread.

    ``send(task_name, queue, ids)`` publishes one message to the broker and
    ``send_now`` publishes or runs it at once (honouring in-process
    tasks); both return whether it was taken, and must not raise."""

    def __init__(self, send: Sender, send_now: Sender | None = None) -> None:
        self._send = send
        self._send_now = send_now or send
        self._synchronous = 0
        self._reset()
        os.register_at_fork(after_in_child=self._reset)
        atexit.register(self.flush)

    def _reset(self) -> None:
        # In a forked child the parent's thread does not exist and its lock
        # may be held: start afresh (what the parent held is its own).
        self._condition = threading.Condition()
        self._buffers: dict[Destination, list[str]] = {}
        self._oldest: float | None = None
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def add(self, *, task_name: str, queue: str, item_id: object) -> None:
        """Queue one id for ``task_name`` on ``queue``."""
        if self.immediate():
            self._send_now(task_name, queue, [str(item_id)])
            return
        with self._condition:
            self._ensure_thread()
            buffer = self._buffers.setdefault((task_name, queue), [])
            buffer.append(str(item_id))
            if self._oldest is None:
                self._oldest = time.monotonic()
            if len(buffer) >= _batch_size():
                self._condition.notify()

    def immediate(self) -> bool:
        return bool(self._synchronous) or bool(current_app.conf.task_always_eager)

    def flush(self) -> int:
        """Publish everything buffered now; return how many ids left."""
        with self._condition:
            taken = self._take_all()
        return self._publish(taken)

    def pending(self) -> int:
        with self._condition:
            return sum(len(ids) for ids in self._buffers.values())

    @contextlib.contextmanager
    def synchronously(self) -> Iterator[None]:
        """Publish at once, in the caller's thread, within this block."""
        self.flush()
        self._synchronous += 1
        try:
            yield
        finally:
            self._synchronous -= 1

    def _ensure_thread(self) -> None:
        if self._pid != os.getpid():
            self._reset()
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._run, name="delivery-publisher", daemon=True
            )
            self._thread.start()

    def _take_all(self) -> dict[Destination, list[str]]:
        taken, self._buffers, self._oldest = self._buffers, {}, None
        return taken

    def _take_due(self) -> dict[Destination, list[str]]:
        """Under the lock: wait until a batch is full or the oldest id has
        waited the interval, then take the buffers."""
        interval = settings.DELIVERY_PUBLISH_INTERVAL_MS / 1000
        while True:
            full = any(len(ids) >= _batch_size() for ids in self._buffers.values())
            if self._oldest is not None:
                waited = time.monotonic() - self._oldest
                if full or waited >= interval:
                    return self._take_all()
                self._condition.wait(interval - waited)
            else:
                self._condition.wait()

    def _run(self) -> None:
        while True:
            with self._condition:
                taken = self._take_due()
            try:
                self._publish(taken)
            except Exception:  # the thread must survive anything
                logger.exception("Delivery publisher failed to flush")

    def _publish(self, taken: dict[Destination, list[str]]) -> int:
        published = 0
        size = _batch_size()
        for (task_name, queue), ids in taken.items():
            for start in range(0, len(ids), size):
                chunk = ids[start : start + size]
                if self._send(task_name, queue, chunk):
                    published += len(chunk)
        return published


def _batch_size() -> int:
    return settings.DELIVERY_BATCH_SIZE


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
