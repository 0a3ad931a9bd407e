"""Handing normalised receipts to the delivery pipeline.

``providers`` knows no model of ours: webhooks, the anymail tracking signal
and the fake providers all pass plain ``ReceiptEvent``s to the function
named by ``settings.PROVIDER_RECEIPT_SINK``, which stores each one once and
applies it in a task.
"""

import hashlib
import json
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

from .base import ReceiptEvent


def hand_to_sink(events: list[ReceiptEvent]) -> None:
    """Give each event to the receipt sink, in order; let its errors
    propagate so that the webhook answers 5xx and the provider retries."""
    sink_path = getattr(settings, "PROVIDER_RECEIPT_SINK", "")
    if not sink_path:
        return
    sink = import_string(sink_path)
    for event in events:
        sink(event)


def stable_event_id(*parts: object, payload: object = None) -> str:
    """A provider event id for providers that send none: a hash of the
    fields that identify the report, and of the raw payload when given.

    The same report sent again hashes to the same id, so its replay is
    stored once."""
    canonical = json.dumps(
        [str(part) for part in parts] + [payload],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse_notification_id(value: object) -> uuid.UUID | None:
    """Our notification id from a provider's client reference or metadata,
    or ``None`` when it is missing or not one of ours."""
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
