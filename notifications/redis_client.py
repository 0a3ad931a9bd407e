"""The Redis connection the API's caches and limits share.

Short time-outs: Redis is an accelerator for the API, never a reason to
hang a request. Callers catch ``redis.RedisError`` and carry on without it.
"""

import functools
import logging
import time

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

SOCKET_TIMEOUT_SECONDS = 0.5
# After a failure, Redis is left alone this long, so that an outage costs
# each request nothing rather than a time-out per call.
COOL_DOWN_SECONDS = 5.0

_down_until = 0.0


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
        health_check_interval=30,
    )


def get_client() -> redis.Redis | None:
    """The shared client, or ``None`` on the embedded default (no Redis)."""
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return None
    return _client(url)


def cooling_down() -> bool:
    """Whether Redis failed a moment ago (callers then act as if it had
    failed again, without waiting for a time-out)."""
    return time.monotonic() < _down_until


def report_failure() -> None:
    global _down_until
    _down_until = time.monotonic() + COOL_DOWN_SECONDS


def reset() -> None:
    """Forget a past failure (tests)."""
    global _down_until
    _down_until = 0.0
