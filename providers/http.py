"""The one HTTP session the SMS adapters share, and how HTTP failures map
to our two provider errors.

One pooled ``requests.Session`` per process keeps TLS connections to the
gateways open between messages. It never retries by itself: a POST that
may have reached the gateway must not be repeated behind the pipeline's
back. Every call has a connect and a read time-out; a connect failure is
safe to retry, a read time-out is ambiguous (the gateway may have taken
the message).
"""

import logging
import os
import threading
import time
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings
from django.utils import timezone
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NameResolutionError, NewConnectionError

from .base import ProviderPermanentError, ProviderTemporaryError

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_session: requests.Session | None = None
_session_pid: int | None = None


def pool_size() -> int:
    """Connections kept open per gateway: one for each provider call the
    process may have in flight (``DELIVERY_SEND_THREADS``), so that no call
    opens, and then drops, a connection of its own (urllib3 discards what
    does not fit in the pool)."""
    return max(1, int(getattr(settings, "DELIVERY_SEND_THREADS", 20)))


def session() -> requests.Session:
    """The process's shared session, made again after a fork so that a
    Celery child never reuses its parent's sockets."""
    global _session, _session_pid
    pid = os.getpid()
    if _session is None or _session_pid != pid:
        with _lock:
            if _session is None or _session_pid != pid:
                new_session = requests.Session()
                adapter = HTTPAdapter(
                    pool_connections=8, pool_maxsize=pool_size(), max_retries=0
                )
                new_session.mount("https://", adapter)
                new_session.mount("http://", adapter)
                new_session.headers["User-Agent"] = "notifications-sms/1"
                _session, _session_pid = new_session, pid
    return _session


def timeouts() -> tuple[float, float]:
    """(connect, read) time-outs in seconds, from settings."""
    return (
        float(getattr(settings, "SMS_PROVIDER_CONNECT_TIMEOUT_SECONDS", 3.05)),
        float(getattr(settings, "SMS_PROVIDER_TIMEOUT_SECONDS", 10)),
    )


def post_json(
    provider: str, url: str, *, payload: dict, headers: dict, auth=None
) -> requests.Response:
    """POST ``payload`` as JSON and return the response, whatever its
    status; network failures become ``ProviderTemporaryError``."""
    started = time.monotonic()
    try:
        response = session().post(
            url, json=payload, headers=headers, auth=auth, timeout=timeouts()
        )
    except requests.RequestException as error:
        raise network_error(provider, error) from error
    logger.debug(
        "Provider %s answered %s in %d ms",
        provider,
        response.status_code,
        (time.monotonic() - started) * 1000,
        extra={"provider": provider, "http_status": response.status_code},
    )
    return response


def network_error(provider: str, error: Exception) -> ProviderTemporaryError:
    """Map a ``requests`` failure: nothing reached the gateway when the
    connection could not be made; anything later is ambiguous."""
    if isinstance(error, requests.ConnectTimeout) or _never_connected(error):
        return ProviderTemporaryError(
            f"Could not connect to {provider}: {error.__class__.__name__}",
            provider=provider,
        )
    return ProviderTemporaryError(
        f"No answer from {provider}: {error.__class__.__name__}",
        provider=provider,
        ambiguous=True,
    )


def _never_connected(error: Exception) -> bool:
    if isinstance(error, requests.exceptions.SSLError):
        return True
    if not isinstance(error, requests.ConnectionError):
        return False
    reason = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, NewConnectionError | NameResolutionError)


def retry_after_seconds(response: requests.Response) -> float | None:
    """The ``Retry-After`` header in seconds (delta or HTTP date)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - timezone.now()).total_seconds())


def error_for_status(
    provider: str, response: requests.Response, detail: str = ""
) -> ProviderTemporaryError | ProviderPermanentError:
    """The error for a non-2xx answer that the adapter did not recognise
    more precisely (see ``error_for_http_status``)."""
    return error_for_http_status(
        provider,
        response.status_code,
        detail,
        retry_after=retry_after_seconds(response),
    )


def error_for_http_status(
    provider: str, status: int, detail: str = "", *, retry_after: float | None = None
) -> ProviderTemporaryError | ProviderPermanentError:
    """The error for an HTTP status:

    - no status, or 2xx with an unreadable body: temporary and ambiguous;
    - 429, 408 and 5xx: temporary (500 and 504 are ambiguous: the provider
      had the request and may have handed the message on);
    - 402 (no credit left): temporary, so traffic moves to another
      provider while the account is topped up;
    - 401 and 403: permanent technical-failure, a fault of our account at
      this provider (``provider_fault``);
    - other 4xx (our request): permanent, technical-failure.
    """
    message = f"{provider} answered HTTP {status}"
    if detail:
        message = f"{message}: {detail}"
    if status < 300:
        # No status, or a success we could not read: the provider may have
        # taken the message.
        return ProviderTemporaryError(message, provider=provider, ambiguous=True)
    if status in (408, 429):
        return ProviderTemporaryError(
            message, provider=provider, retry_after=retry_after
        )
    if status == 402:
        return ProviderTemporaryError(message, provider=provider)
    if status >= 500:
        return ProviderTemporaryError(
            message,
            provider=provider,
            retry_after=retry_after,
            ambiguous=status in (500, 504),
        )
    return ProviderPermanentError(
        message,
        provider=provider,
        status="technical-failure",
        provider_fault=status in (401, 403),
    )


def json_or_empty(response: requests.Response) -> dict:
    """The response body as a dict, or an empty one when it is not JSON."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {"items": body}
