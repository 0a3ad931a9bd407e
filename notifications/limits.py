"""Per-minute rate limits and daily limits, kept in Redis.

* Rate limit: one token bucket per (service, key type), refilled at
  ``service.rate_limit / 60`` tokens a second, holding at most
  ``min(ceil(rate_limit / 3) + 1, 1000)`` tokens (GOV.UK Notify's shape).
* Daily limits: one counter per service, channel and day (midnight to
  midnight, Europe/Paris). Checked before the request is read,
  incremented once the notification is stored. A counter Redis lost is
  rebuilt from the database on the next check.

A send costs one round trip to Redis: one script takes the token and
reads the day's counter. Counts of accepted notifications are added after
commit, from a background thread, for many sends at once.
Scripts run by their SHA1 (``EVALSHA``); Redis is sent their text only
when it does not know them (after a restart or ``SCRIPT FLUSH``).

Test keys are rate limited (in their own bucket) but never counted; their
daily check is Notify's, against a count that stays at 0, so only a limit
of 0 refuses them (and, on a trial service, a live service's limits apply
to them). When
Redis is unreachable the checks are skipped, a warning is logged and
``skipped_checks`` counts it: sending goes on, as Notify does.
"""

import collections
import datetime as dt
import hashlib
import logging
import math
import threading
import zoneinfo

import redis
from celery import current_app
from django.conf import settings
from django.utils import timezone

from config.api import RateLimitError, TooManyRequestsError
from config.batching import Batcher

from . import redis_client
from .cache import ServiceSnapshot

logger = logging.getLogger(__name__)

TOKEN_BUCKET_MAX = 1000
# The limits a test key of a service in trial mode is checked against:
# Notify's for a live service (DEFAULT_LIVE_SERVICE_RATE_LIMITS, with 100
# international text messages).
TEST_KEY_TRIAL_LIMITS = {"email": 250_000, "sms": 250_000, "international_sms": 100}
KEY_TYPE_NAMES = {"normal": "LIVE", "team": "TEAM", "test": "TEST"}
FRENCH_KINDS = {
    "email": ("email", "emails"),
    "sms": ("SMS", "SMS"),
    "international_sms": ("SMS vers l’étranger", "SMS vers l’étranger"),
}


class _Script:
    def __init__(self, text: str) -> None:
        self.text = text
        self.sha = hashlib.sha1(text.encode()).hexdigest()  # noqa: S324

    def __call__(self, client, keys: list[str], args: list):
        try:
            return client.evalsha(self.sha, len(keys), *keys, *args)
        except redis.exceptions.NoScriptError:
            # EVAL also stores the script for the next EVALSHA.
            return client.eval(self.text, len(keys), *keys, *args)


# KEYS[1] is the bucket; KEYS[2], if given, a daily counter read in the
# same call ('' when Redis does not have it).
_RATE_LIMIT_SCRIPT = _Script("""
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
end
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 60)
local count = ''
if #KEYS > 1 then
  count = redis.call('GET', KEYS[2]) or ''
end
return {allowed, tostring(wait), count}
""")

# Increment a daily counter only if it exists: a counter Redis lost must be
# rebuilt from the database, not restarted at 1.
# Each KEYS[i] that exists grows by ARGV[i] (a counter Redis does not have
# is rebuilt from the database by the next check instead).
_INCREMENT_IF_PRESENT = _Script("""
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('INCRBY', key, tonumber(ARGV[i]))
  end
end
return 1
""")

_skipped = 0
_skipped_lock = threading.Lock()


def skipped_checks() -> int:
    """How many limit checks this process skipped because Redis was
    unreachable (exported for monitoring)."""
    return _skipped


def _skip(what: str, service_id: str) -> None:
    global _skipped
    with _skipped_lock:
        _skipped += 1
    logger.warning(
        "Redis unreachable: %s skipped for service %s",
        what,
        service_id,
        extra={"service_id": service_id, "limit": what},
    )


# Rate limit --------------------------------------------------------------


def bucket_capacity(rate_limit: int) -> int:
    return min(math.ceil(rate_limit / 3) + 1, TOKEN_BUCKET_MAX)


def check_rate_limit(
    *, service: ServiceSnapshot, key_type: str, daily_kind: str | None = None
) -> int | None:
    """Take one token from the (service, key type) bucket; raise
    ``RateLimitError`` when it is empty.

    With ``daily_kind``, also read today's count of that kind in the same
    round trip and return it, for ``check_daily_limit`` (``None`` when it
    was not read)."""
    client = redis_client.get_client()
    if client is None or not settings.API_RATE_LIMIT_ENABLED:
        return None
    rate_limit = max(service.rate_limit, 1)
    if redis_client.cooling_down():
        _skip("rate limit", service.id)
        return None
    keys = [f"rate-limit:{service.id}:{key_type}"]
    if daily_kind is not None and _daily_limit_applies(key_type):
        keys.append(_counter_key(service.id, daily_kind))
    try:
        allowed, wait, count = _RATE_LIMIT_SCRIPT(
            client, keys, [rate_limit / 60, bucket_capacity(rate_limit)]
        )
    except redis.RedisError:
        redis_client.report_failure()
        _skip("rate limit", service.id)
        return None
    if int(allowed) != 1:
        name = KEY_TYPE_NAMES.get(key_type, key_type.upper())
        raise RateLimitError(
            f"Exceeded rate limit for key type {name} of {service.rate_limit} "
            "requests per 60 seconds",
            retry_after=max(1, math.ceil(float(wait))),
        )
    return int(count) if count else None


# Daily limits ------------------------------------------------------------


def _local_now() -> dt.datetime:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(settings.API_LIMITS_TIME_ZONE))


def _day_bounds() -> tuple[dt.datetime, dt.datetime]:
    now = _local_now()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    # Aware arithmetic is wall-clock arithmetic: the next local midnight,
    # whatever the length of the day (DST).
    return start, start + dt.timedelta(days=1)


def day_start() -> dt.datetime:
    """When today began for the daily limits (midnight, Europe/Paris)."""
    return _day_bounds()[0]


def _counter_key(service_id: str, kind: str) -> str:
    return f"daily-count:{service_id}:{kind}:{_local_now().date().isoformat()}"


def seconds_until_reset() -> int:
    _, end = _day_bounds()
    # Subtracting two times of the same zone ignores their offsets: go
    # through UTC so a 23- or 25-hour day counts right.
    remaining = end.astimezone(dt.UTC) - timezone.now()
    return max(1, math.ceil(remaining.total_seconds()))


def _daily_limit_applies(key_type: str) -> bool:
    return key_type != "test" and settings.API_DAILY_LIMIT_ENABLED


def check_daily_limit(
    *, service: ServiceSnapshot, key_type: str, kind: str, count: int | None = None
) -> None:
    """Raise ``TooManyRequestsError`` if one more ``kind`` (``email``,
    ``sms`` or ``international_sms``) would go over today's limit. Test keys
    are never counted: their count is 0 (no Redis call). ``count``: today's
    count if the caller read it already (``check_rate_limit``)."""
    client = redis_client.get_client()
    if client is None or not settings.API_DAILY_LIMIT_ENABLED:
        return
    if key_type == "test":
        _check_test_key_limit(service, kind)
        return
    limit = service.daily_limit(kind)
    key = _counter_key(service.id, kind)
    if redis_client.cooling_down():
        _skip("daily limit", service.id)
        return
    try:
        if count is None:
            count = client.get(key)
        if count is None:
            count = _rebuild(client, key, service_id=service.id, kind=kind)
    except redis.RedisError:
        redis_client.report_failure()
        _skip("daily limit", service.id)
        return
    if int(count) + 1 > limit:
        _refuse_daily(limit, kind)


def _check_test_key_limit(service: ServiceSnapshot, kind: str) -> None:
    limit = (
        TEST_KEY_TRIAL_LIMITS[kind] if service.restricted else service.daily_limit(kind)
    )
    if limit < 1:
        _refuse_daily(limit, kind)


def _refuse_daily(limit: int, kind: str) -> None:
    raise TooManyRequestsError(
        f"Exceeded send limits ({kind}: {limit}) for today",
        retry_after=seconds_until_reset(),
        french_message=_daily_limit_french(limit, kind),
    )


def _daily_limit_french(limit: int, kind: str) -> str:
    singular, plural = FRENCH_KINDS[kind]
    # 50 000, as French writes it: a narrow no-break space per thousand.
    number = f"{limit:,}".replace(",", "\u202f")
    return (
        f"Ce service a atteint sa limite de {number} "
        f"{singular if limit <= 1 else plural} par jour. Réessayez demain, "
        "après minuit."
    )


def _rebuild(client, key: str, *, service_id: str, kind: str) -> int:
    """Count today's notifications in the database (the first check of the
    day, or after Redis lost its data)."""
    from . import selectors

    start, end = _day_bounds()
    count = selectors.notification_count_since(
        service_id=service_id, kind=kind, since=start
    )
    client.set(key, count, nx=True, exat=int(end.timestamp()) + 3600)
    return int(client.get(key) or count)


def count_sent(*, service_id: str, key_type: str, kinds: list[str]) -> None:
    """Count one accepted notification against today's limits: the counts
    of the last few milliseconds leave together, in one Redis call, from
    the process's counting thread (``_counts``)."""
    if not _daily_limit_applies(key_type):
        return
    for kind in kinds:
        _counts.put("daily", (service_id, _counter_key(service_id, kind)))


def _send_counts(_key, items: list[tuple[str, str]]) -> bool:
    client = redis_client.get_client()
    if client is None:
        return True
    totals = collections.Counter(counter for _, counter in items)
    if redis_client.cooling_down():
        _skip("daily count", items[0][0])
        return True
    try:
        _INCREMENT_IF_PRESENT(client, list(totals), list(totals.values()))
    except redis.RedisError:
        redis_client.report_failure()
        _skip("daily count", items[0][0])
    return True


# A process killed before a flush loses the counts it held (a few
# milliseconds of sends), as it would lose them to a Redis outage: the daily
# limits are a safeguard, not a bill, and Notify's are as approximate.
_counts = Batcher(
    name="daily-counts",
    send=_send_counts,
    interval_ms=lambda: settings.DELIVERY_PUBLISH_INTERVAL_MS,
    size=lambda: settings.DELIVERY_BATCH_SIZE,
    # As the delivery publisher: at once where tasks run in-process.
    immediate=lambda: bool(current_app.conf.task_always_eager),
)


def flush_counts() -> None:
    """Send the counts this process holds now (tests, shutdown)."""
    _counts.flush()
