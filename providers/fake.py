"""Fake email and SMS providers: the default in development, tests and
benchmarks; refused by a system check in production.

They keep an outbox, answer after ``FAKE_PROVIDER_LATENCY_MS``, and report
outcomes through the real receipt pipeline (the sink named by
``FAKE_PROVIDER_RECEIPT_SINK``), so a development run goes from the API to
``delivered`` end to end.

Documented recipients give fixed outcomes:

=================================  ======================================
email address                      outcome
=================================  ======================================
``temp-fail@simulator.notify``     receipt ``temporary-failure``
``perm-fail@simulator.notify``     receipt ``permanent-failure``
``provider-error@simulator.notify``  send fails with a temporary error
``provider-reject@simulator.notify`` send refused (permanent error)
anything else                      receipt ``delivered``
=================================  ======================================

=================================  ======================================
phone number (E.164) ending in     outcome
=================================  ======================================
``7700900003`` or ``639980003``    receipt ``temporary-failure``
``7700900002`` or ``639980002``    receipt ``permanent-failure``
``639980004``                      send fails with a temporary error
``639980005``                      send refused (permanent error)
anything else                      receipt ``delivered``
=================================  ======================================
"""

import logging
import threading
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

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


@dataclass(frozen=True)
class OutboxEntry:
    provider: str
    provider_reference: str
    notification_id: uuid.UUID
    to: str
    message: OutgoingEmail | OutgoingSms


class Outbox:
    """What the fake providers were handed, in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[OutboxEntry] = []

    def append(self, entry: OutboxEntry) -> None:
        with self._lock:
            self._entries.append(entry)

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


def _emit_receipt(event: ReceiptEvent) -> None:
    sink_path = getattr(settings, "FAKE_PROVIDER_RECEIPT_SINK", "")
    if not sink_path:
        return
    import_string(sink_path)(event)


class _FakeProvider:
    name = "fake"

    def _simulate(self, *, notification_id, to, message, outcome: str) -> SendResult:
        latency_ms = getattr(settings, "FAKE_PROVIDER_LATENCY_MS", 0)
        if latency_ms:
            time.sleep(latency_ms / 1000)
        if outcome == "send-temporary-error":
            raise ProviderTemporaryError("Fake provider error", provider=self.name)
        if outcome == "send-permanent-error":
            raise ProviderPermanentError("Fake provider refusal", provider=self.name)

        reference = f"fake-{uuid.uuid4()}"
        outbox.append(OutboxEntry(self.name, reference, notification_id, to, message))
        _emit_receipt(
            ReceiptEvent(
                provider=self.name,
                provider_event_id=f"{reference}-{outcome}",
                provider_reference=reference,
                status=outcome,
                occurred_at=timezone.now(),
                notification_id=notification_id,
            )
        )
        return SendResult(provider=self.name, provider_reference=reference)


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
