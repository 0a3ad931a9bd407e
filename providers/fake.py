"""Fake email and SMS providers: the default in development, tests and
benchmarks; refused by a system check in production (``providers.checks``).

They keep an outbox, answer after ``FAKE_PROVIDER_LATENCY_MS``, and report
outcomes through the real receipt pipeline (the sink named by
``PROVIDER_RECEIPT_SINK``), so a development run goes from the API to
``delivered`` end to end. There are two of each (``fake-email`` and
``fake-email-2``, ``fake-sms`` and ``fake-sms-2``) so failover can be shown.

Documented recipients give fixed outcomes:

=====================================  ======================================
email address                          outcome
=====================================  ======================================
``temp-fail@simulator.notify``         receipt ``temporary-failure``
``perm-fail@simulator.notify``         receipt ``permanent-failure``
``provider-error@simulator.notify``    send fails with a temporary error
``provider-reject@simulator.notify``   send refused (permanent error)
anything else                          receipt ``delivered``
=====================================  ======================================

=====================================  ======================================
phone number (E.164) ending in         outcome
=====================================  ======================================
``7700900003`` or ``639980003``        receipt ``temporary-failure``
``7700900002`` or ``639980002``        receipt ``permanent-failure``
``639980004``                          send fails with a temporary error
``639980005``                          send refused (permanent error)
anything else                          receipt ``delivered``
=====================================  ======================================

Across processes. When ``FAKE_PROVIDER_REDIS_URL`` is set (it defaults to
``REDIS_URL``), every send is also counted in Redis, so a test can count
what a real Celery worker sent: ``sent_count(notification_id)``,
``sent_total()``, ``sent_log()``; ``reset()`` clears it all. A test can
also change how a fake provider behaves while a worker runs, with
``set_behaviour(name, behaviour, count=None)`` (for the next ``count``
sends, or until changed):

========================  =================================================
behaviour                 what the provider does
========================  =================================================
``ok``                    the normal outcomes above
``http-500``              temporary error after the latency; nothing sent
``http-429``              temporary error with ``retry_after`` (1 s)
``timeout``               ambiguous temporary error after the latency;
                          nothing sent (the request was lost on the way)
``timeout-after-send``    the message is sent (counted, receipt emitted),
                          then an ambiguous temporary error: the answer was
                          lost on the way back
``down``                  temporary error at once (connection refused)
``reject``                permanent technical-failure (``provider_fault``)
========================  =================================================

``set_deduplication(True)`` makes the fakes behave like a gateway that
deduplicates on our notification id (Octopush's ``request_id``): a second
send of the same notification to the same provider returns the first
reference and is not sent again.
"""

import collections
import json
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from config.batching import Batcher

from .base import (
    EmailProvider,
    OutgoingEmail,
    OutgoingSms,
    ProviderPermanentError,
    ProviderTemporaryError,
    ReceiptEvent,
    SendResult,
    SmsProvider,
)
from .receipts import hand_to_sink

logger = logging.getLogger(__name__)

EMAIL_OUTCOMES = {
    "temp-fail@simulator.notify": "temporary-failure",
    "perm-fail@simulator.notify": "permanent-failure",
    "provider-error@simulator.notify": "send-temporary-error",
    "provider-reject@simulator.notify": "send-permanent-error",
}
SMS_OUTCOMES = {
    "7700900003": "temporary-failure",
    "7700900002": "permanent-failure",
    "639980003": "temporary-failure",
    "639980002": "permanent-failure",
    "639980004": "send-temporary-error",
    "639980005": "send-permanent-error",
}

BEHAVIOURS = (
    "ok",
    "http-500",
    "http-429",
    "timeout",
    "timeout-after-send",
    "down",
    "reject",
)
KEY_PREFIX = "fake-provider:"
# Keys live a day: long enough for any test or benchmark, short enough
# that a forgotten run does not fill Redis.
KEY_TTL_SECONDS = 24 * 3600
LOG_MAX_ENTRIES = 100_000


@dataclass(frozen=True)
class OutboxEntry:
    provider: str
    provider_reference: str
    notification_id: uuid.UUID
    to: str
    message: OutgoingEmail | OutgoingSms


class Outbox:
    """What the fake providers were handed, in this process: the latest
    ``FAKE_PROVIDER_OUTBOX_SIZE`` messages (the counts in Redis cover
    every send)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: collections.deque[OutboxEntry] = collections.deque()

    def append(self, entry: OutboxEntry) -> None:
        size = settings.FAKE_PROVIDER_OUTBOX_SIZE
        with self._lock:
            self._entries.append(entry)
            while len(self._entries) > size:
                self._entries.popleft()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __iter__(self):
        with self._lock:
            return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def for_notification(self, notification_id: uuid.UUID) -> list[OutboxEntry]:
        return [entry for entry in self if entry.notification_id == notification_id]


outbox = Outbox()

# Without Redis (the embedded default), behaviours live in this process.
_local_behaviours: dict[str, dict] = {}
_local_references: dict[str, str] = {}
_local_flags: dict[str, bool] = {}
_redis_lock = threading.Lock()
_redis_clients: dict[tuple[str, int], object] = {}


def _redis():
    """A Redis client for ``FAKE_PROVIDER_REDIS_URL``, or ``None``."""
    url = getattr(settings, "FAKE_PROVIDER_REDIS_URL", "")
    if not url:
        return None
    key = (url, os.getpid())
    client = _redis_clients.get(key)
    if client is None:
        import redis

        with _redis_lock:
            client = _redis_clients.setdefault(
                key,
                redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2),
            )
    return client


def _key(*parts: str) -> str:
    return KEY_PREFIX + ":".join(parts)


# The test-facing API.


def set_behaviour(provider_name: str, behaviour: str, count: int | None = None) -> None:
    """Make ``provider_name`` behave as ``behaviour`` for its next ``count``
    sends (all processes), or until changed when ``count`` is ``None``."""
    if behaviour not in BEHAVIOURS:
        raise ValueError(f"Unknown behaviour {behaviour!r}; choose from {BEHAVIOURS}")
    remaining = -1 if count is None else int(count)
    client = _redis()
    if client is None:
        _local_behaviours[provider_name] = {"mode": behaviour, "remaining": remaining}
        return
    key = _key("behaviour", provider_name)
    client.delete(key)
    if behaviour != "ok":
        client.hset(key, mapping={"mode": behaviour, "remaining": remaining})
        client.expire(key, KEY_TTL_SECONDS)


def set_deduplication(enabled: bool) -> None:
    """Make the fakes deduplicate resends of a notification (see above)."""
    client = _redis()
    if client is None:
        _local_flags["deduplicate"] = enabled
        return
    if enabled:
        client.set(_key("deduplicate"), "1", ex=KEY_TTL_SECONDS)
    else:
        client.delete(_key("deduplicate"))


def sent_count(notification_id: uuid.UUID | str, provider: str | None = None) -> int:
    """How many times ``notification_id`` was sent (by ``provider``, or by
    any fake provider), in every process."""
    client = _redis()
    if client is None:
        return sum(
            1
            for entry in outbox.for_notification(uuid.UUID(str(notification_id)))
            if provider is None or entry.provider == provider
        )
    key = _key("counts", provider) if provider else _key("counts")
    return int(client.hget(key, str(notification_id)) or 0)


def sent_total() -> int:
    """How many messages the fakes sent, in every process."""
    client = _redis()
    if client is None:
        return len(outbox)
    return int(client.get(_key("total")) or 0)


def sent_log() -> list[dict]:
    """Every send (provider, notification id, reference), oldest first."""
    client = _redis()
    if client is None:
        return [
            {
                "provider": entry.provider,
                "notification_id": str(entry.notification_id),
                "provider_reference": entry.provider_reference,
            }
            for entry in outbox
        ]
    return [json.loads(item) for item in client.lrange(_key("log"), 0, -1)]


def reset() -> None:
    """Forget every send, behaviour and flag (this process and Redis)."""
    outbox.clear()
    _local_behaviours.clear()
    _local_references.clear()
    _local_flags.clear()
    client = _redis()
    if client is not None:
        keys = list(client.scan_iter(match=KEY_PREFIX + "*", count=1000))
        if keys:
            client.delete(*keys)


# Inside the fakes.


# Each send's bookkeeping is one script call (one round trip, one command
# to encode) rather than a pipeline of many commands: at hundreds of sends
# a second, the client's encoding and parsing showed in the benchmark.
SWITCHES_SCRIPT = """
local mode = redis.call('HGET', KEYS[1], 'mode')
local deduplicate = redis.call('EXISTS', KEYS[2])
if not mode then return {'ok', deduplicate} end
if redis.call('HGET', KEYS[1], 'remaining') == '-1' then
  return {mode, deduplicate}
end
if redis.call('HINCRBY', KEYS[1], 'remaining', -1) < 0 then
  redis.call('DEL', KEYS[1])
  return {'ok', deduplicate}
end
return {mode, deduplicate}
"""
RECORD_SCRIPT = """
local ttl = tonumber(ARGV[3])
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('INCR', KEYS[3])
redis.call('RPUSH', KEYS[4], ARGV[2])
redis.call('LTRIM', KEYS[4], -tonumber(ARGV[4]), -1)
for index = 1, 4 do redis.call('EXPIRE', KEYS[index], ttl) end
return 1
"""
_scripts: dict[tuple[int, str], object] = {}


def _script(client, source: str):
    key = (id(client), source)
    script = _scripts.get(key)
    if script is None:
        script = _scripts.setdefault(key, client.register_script(source))
    return script


def _switches(provider_name: str) -> tuple[str, bool]:
    """The provider's current behaviour (counting this send against a
    limited one) and whether deduplication is on, in one round trip."""
    client = _redis()
    if client is None:
        return _local_behaviour(provider_name), bool(_local_flags.get("deduplicate"))
    keys = [_key("behaviour", provider_name), _key("deduplicate")]
    mode, deduplicate = _script(client, SWITCHES_SCRIPT)(keys=keys)
    mode = mode.decode() if isinstance(mode, bytes) else mode
    return mode, bool(deduplicate)


def _local_behaviour(provider_name: str) -> str:
    state = _local_behaviours.get(provider_name)
    if not state:
        return "ok"
    if state["remaining"] == -1:
        return state["mode"]
    state["remaining"] -= 1
    if state["remaining"] < 0:
        _local_behaviours.pop(provider_name, None)
        return "ok"
    return state["mode"]


def _deduplicated_reference(provider_name: str, notification_id, reference: str):
    """With deduplication on: the reference of an earlier send of this
    notification, or ``None`` after remembering this one."""
    field = f"{provider_name}:{notification_id}"
    client = _redis()
    if client is None:
        earlier = _local_references.get(field)
        if earlier is None:
            _local_references[field] = reference
        return earlier
    if client.hsetnx(_key("references"), field, reference):
        client.expire(_key("references"), KEY_TTL_SECONDS)
        return None
    return client.hget(_key("references"), field).decode()


def _record(entry: OutboxEntry) -> None:
    outbox.append(entry)
    client = _redis()
    if client is None:
        return
    notification_id = str(entry.notification_id)
    line = json.dumps(
        {
            "provider": entry.provider,
            "notification_id": notification_id,
            "provider_reference": entry.provider_reference,
        }
    )
    keys = [
        _key("counts"),
        _key("counts", entry.provider),
        _key("total"),
        _key("log"),
    ]
    args = [notification_id, line, KEY_TTL_SECONDS, LOG_MAX_ENTRIES]
    _script(client, RECORD_SCRIPT)(keys=keys, args=args)


class _FakeProvider:
    name = "fake"

    def _simulate(self, *, notification_id, to, message, outcome: str) -> SendResult:
        behaviour, deduplicate = _switches(self.name)
        if behaviour == "down":
            raise ProviderTemporaryError(
                f"Could not connect to {self.name}", provider=self.name
            )
        _sleep_latency()
        self._fail_before_sending(behaviour, outcome)

        reference = f"fake-{uuid.uuid4()}"
        earlier = (
            _deduplicated_reference(self.name, notification_id, reference)
            if deduplicate
            else None
        )
        if earlier is not None:
            return SendResult(provider=self.name, provider_reference=earlier)
        _record(OutboxEntry(self.name, reference, notification_id, to, message))
        _emit_receipt(self._receipt(reference, notification_id, outcome))

        if behaviour == "timeout-after-send":
            raise ProviderTemporaryError(
                f"No answer from {self.name}", provider=self.name, ambiguous=True
            )
        return SendResult(provider=self.name, provider_reference=reference)

    def _fail_before_sending(self, behaviour: str, outcome: str) -> None:
        if behaviour == "http-500" or outcome == "send-temporary-error":
            raise ProviderTemporaryError(
                f"{self.name} answered HTTP 500", provider=self.name
            )
        if behaviour == "http-429":
            raise ProviderTemporaryError(
                f"{self.name} answered HTTP 429", provider=self.name, retry_after=1
            )
        if behaviour == "timeout":
            raise ProviderTemporaryError(
                f"No answer from {self.name}", provider=self.name, ambiguous=True
            )
        if behaviour == "reject":
            raise ProviderPermanentError(
                f"{self.name} refused our credentials",
                provider=self.name,
                status="technical-failure",
                provider_fault=True,
            )
        if outcome == "send-permanent-error":
            raise ProviderPermanentError(
                f"{self.name} refused the recipient", provider=self.name
            )

    def _receipt(self, reference: str, notification_id, outcome: str) -> ReceiptEvent:
        return ReceiptEvent(
            provider=self.name,
            provider_event_id=f"{reference}-{outcome}",
            provider_reference=reference,
            status=outcome,
            occurred_at=timezone.now(),
            notification_id=notification_id,
        )


def _receipt_batch_ms() -> float:
    return getattr(settings, "FAKE_PROVIDER_RECEIPT_BATCH_MS", 0)


def _hand_over(key, events: list[ReceiptEvent]) -> bool:
    try:
        hand_to_sink(events)
    except Exception:
        # Like a provider whose webhook call failed: try again later (a
        # receipt stored twice is stored once).
        logger.exception("Fake receipts not accepted; trying again later")
        for event in events:
            _receipts.put(key, event)
        return False
    return True


_receipts = Batcher(
    name="fake-provider-receipts",
    send=_hand_over,
    interval_ms=_receipt_batch_ms,
    size=lambda: 100,
    immediate=lambda: not _receipt_batch_ms(),
)


def _emit_receipt(event: ReceiptEvent) -> None:
    """Hand the receipt to the pipeline now, or to the next batch (see
    ``FAKE_PROVIDER_RECEIPT_BATCH_MS``)."""
    if _receipt_batch_ms():
        _receipts.put("receipts", event)
        return
    hand_to_sink([event])


def _sleep_latency() -> None:
    latency_ms = getattr(settings, "FAKE_PROVIDER_LATENCY_MS", 0)
    if latency_ms:
        time.sleep(latency_ms / 1000)


class FakeEmailProvider(_FakeProvider, EmailProvider):
    name = "fake-email"

    def send_email(self, email: OutgoingEmail) -> SendResult:
        outcome = EMAIL_OUTCOMES.get(email.to.lower(), "delivered")
        return self._simulate(
            notification_id=email.notification_id,
            to=email.to,
            message=email,
            outcome=outcome,
        )


class FakeEmailProvider2(FakeEmailProvider):
    """A second fake email provider, to show failover."""

    name = "fake-email-2"


class FakeSmsProvider(_FakeProvider, SmsProvider):
    name = "fake-sms"

    def send_sms(self, sms: OutgoingSms) -> SendResult:
        outcome = "delivered"
        for suffix, suffix_outcome in SMS_OUTCOMES.items():
            if sms.to.endswith(suffix):
                outcome = suffix_outcome
                break
        return self._simulate(
            notification_id=sms.notification_id,
            to=sms.to,
            message=sms,
            outcome=outcome,
        )


class FakeSmsProvider2(FakeSmsProvider):
    """A second fake SMS provider, to show failover."""

    name = "fake-sms-2"
