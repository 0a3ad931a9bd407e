"""Counters that slow down password and second-factor guessing.

They live in the cache (Redis in production), in fixed windows that start
at the first failure. Failures are counted per email address as typed,
whether or not an account exists, so a lock-out tells nothing about which
addresses have one; and per source address, to slow down guessing across
many accounts.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()
    return f"throttle:{kind}:{digest}"


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _increment(key: str) -> int:
    timeout = settings.SIGN_IN_LOCKOUT_SECONDS
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:
        # The key expired between add() and incr().
        cache.set(key, 1, timeout)
        return 1


def sign_in_is_throttled(*, email: str, ip: str | None) -> bool:
    by_email = _count(_key("sign-in", email)) >= settings.SIGN_IN_MAX_FAILURES
    by_ip = (
        ip is not None
        and _count(_key("sign-in-ip", ip)) >= settings.SIGN_IN_MAX_FAILURES_PER_IP
    )
    return by_email or by_ip


def sign_in_failure_count(*, email: str, ip: str | None) -> None:
    _increment(_key("sign-in", email))
    if ip is not None:
        _increment(_key("sign-in-ip", ip))


def sign_in_failures_clear(*, email: str) -> None:
    cache.delete(_key("sign-in", email))


def second_factor_is_throttled(*, user_id: int) -> bool:
    count = _count(_key("second-factor", str(user_id)))
    return count >= settings.SECOND_FACTOR_MAX_FAILURES


def second_factor_failure_count(*, user_id: int) -> None:
    _increment(_key("second-factor", str(user_id)))


def second_factor_failures_clear(*, user_id: int) -> None:
    cache.delete(_key("second-factor", str(user_id)))


def reset_request_is_throttled(*, email: str, ip: str | None) -> bool:
    """At most a few reset emails per address (and per source) per
    window, so the form cannot be used to flood someone's inbox."""
    by_email = _increment(_key("reset", email)) > settings.SIGN_IN_MAX_FAILURES
    by_ip = (
        ip is not None
        and _increment(_key("reset-ip", ip)) > settings.SIGN_IN_MAX_FAILURES_PER_IP
    )
    return by_email or by_ip
