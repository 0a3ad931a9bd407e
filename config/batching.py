"""Items buffered in memory per key and handed on in batches by one
background thread per process: every ``interval_ms`` after the oldest
waiting item, or as soon as a key holds ``size`` items.

The delivery publisher (``deliveries.publisher``) and the fake providers'
receipts (``providers.fake``) use it. What a buffer holds is lost with its
process: each user says what covers that loss.

Fork-safe: a forked child (gunicorn workers, prefork pools) starts with an
empty buffer and starts its own thread when it first buffers something.
The buffer is flushed at interpreter exit.
"""

import atexit
import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Hashable, Iterator

logger = logging.getLogger(__name__)

# ``send(key, items)`` hands one batch on; it returns whether it was taken
# and must not raise.
Send = Callable[[Hashable, list], bool]


class Batcher:
    """See the module docstring. ``interval_ms`` and ``size`` are read at
    each use (settings may change in tests); ``immediate()`` true, or a
    ``synchronously()`` block, sends each item at once in the caller's
    thread with ``send_now``."""

    def __init__(
        self,
        *,
        name: str,
        send: Send,
        interval_ms: Callable[[], float],
        size: Callable[[], int],
        send_now: Send | None = None,
        immediate: Callable[[], bool] = lambda: False,
    ) -> None:
        self.name = name
        self._send = send
        self._send_now = send_now or send
        self._interval_ms = interval_ms
        self._size = size
        self._immediate = immediate
        self._synchronous = 0
        self._reset()
        os.register_at_fork(after_in_child=self._reset)
        atexit.register(self.flush)

    def _reset(self) -> None:
        # In a forked child the parent's thread does not exist and its lock
        # may be held: start afresh (what the parent held is its own).
        self._condition = threading.Condition()
        self._buffers: dict[Hashable, list] = {}
        self._oldest: float | None = None
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def put(self, key: Hashable, item) -> None:
        """Buffer ``item`` under ``key`` (or send it now, see above)."""
        if self._synchronous or self._immediate():
            self._send_now(key, [item])
            return
        with self._condition:
            self._ensure_thread()
            buffer = self._buffers.setdefault(key, [])
            buffer.append(item)
            first = self._oldest is None
            if first:
                self._oldest = time.monotonic()
            # The thread sleeps until there is something to wait for.
            if first or len(buffer) >= self._size():
                self._condition.notify()

    def flush(self) -> int:
        """Send everything buffered now; return how many items were taken."""
        with self._condition:
            taken = self._take_all()
        return self._send_all(taken)

    def pending(self) -> int:
        with self._condition:
            return sum(len(items) for items in self._buffers.values())

    @contextlib.contextmanager
    def synchronously(self) -> Iterator[None]:
        """Send at once, in the caller's thread, within this block."""
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
                target=self._run, name=self.name, daemon=True
            )
            self._thread.start()

    def _take_all(self) -> dict[Hashable, list]:
        taken, self._buffers, self._oldest = self._buffers, {}, None
        return taken

    def _take_due(self) -> dict[Hashable, list]:
        """Under the lock: wait until a batch is full or the oldest item
        has waited the interval, then take the buffers."""
        while True:
            size = self._size()
            full = any(len(items) >= size for items in self._buffers.values())
            if self._oldest is None:
                self._condition.wait()
                continue
            left = self._interval_ms() / 1000 - (time.monotonic() - self._oldest)
            if full or left <= 0:
                return self._take_all()
            self._condition.wait(left)

    def _run(self) -> None:
        while True:
            with self._condition:
                taken = self._take_due()
            try:
                self._send_all(taken)
            except Exception:  # the thread must survive anything
                logger.exception("%s failed to flush", self.name)

    def _send_all(self, taken: dict[Hashable, list]) -> int:
        sent = 0
        size = self._size()
        for key, items in taken.items():
            for start in range(0, len(items), size):
                chunk = items[start : start + size]
                if self._send(key, chunk):
                    sent += len(chunk)
        return sent
