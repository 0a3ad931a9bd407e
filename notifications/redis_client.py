"""The Redis connection the API's caches and limits share.

Short time-outs: Redis is an accelerator for the API, never a reason to
hang a request. Callers catch ``redis.RedisError`` and carry on without it.
"""

import functools
import logging

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

SOCKET_TIMEOUT_SECONDS = 0.5


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
