"""Delivery receipts: stored raw once per provider event, then applied to
their notification through the state machine."""

import dataclasses
import logging
import uuid

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from notifications.models import Notification
from notifications.statuses import Event
from providers.base import ReceiptEvent

from ..models import DeliveryAttempt, DeliveryReceipt, ReceiptOutcome
from .common import notification_move

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ReceiptApplication:
    """What applying a receipt did. ``outcome`` is ``None`` when its
    notification is not known yet (the caller retries, then sets it aside);
    ``attempts`` counts the tries so far."""

    outcome: str | None
    attempts: int


def receipt_store(*, event: ReceiptEvent) -> DeliveryReceipt | None:
    """Store a receipt once per provider event; ``None`` for a replay."""
    try:
        with transaction.atomic():
            return DeliveryReceipt.objects.create(
                provider=event.provider,
                provider_event_id=event.provider_event_id,
                provider_reference=event.provider_reference,
                notification_id=event.notification_id,
                status=event.status,
                occurred_at=event.occurred_at,
                payload=event.payload,
            )
    except IntegrityError:
        return None


def _notification_for(receipt: DeliveryReceipt) -> uuid.UUID | None:
    """Our notification for a receipt: by the id the provider echoed back,
    else by the provider's reference (the last hand-over's, or an earlier
    attempt's)."""
    if receipt.notification_id is not None:
        if Notification.objects.filter(id=receipt.notification_id).exists():
            return receipt.notification_id
    if not receipt.provider_reference:
        return None
    by_notification = (
        Notification.objects.filter(
            provider=receipt.provider, provider_reference=receipt.provider_reference
        )
        .values_list("id", flat=True)
        .first()
    )
    if by_notification is not None:
        return by_notification
    return (
        DeliveryAttempt.objects.filter(
            provider=receipt.provider, provider_reference=receipt.provider_reference
        )
        .values_list("notification_id", flat=True)
        .first()
    )


def receipt_apply(*, receipt_id: uuid.UUID) -> ReceiptApplication:
    """Apply a stored receipt to its notification, once. A receipt that is
    late, a duplicate in substance, or outranked by the current status
    changes nothing (the state machine's precedence decides)."""
    receipt = DeliveryReceipt.objects.filter(id=receipt_id).first()
    if receipt is None or receipt.processed_at is not None:
        outcome = receipt.outcome if receipt else ReceiptOutcome.IGNORED
        return ReceiptApplication(outcome or ReceiptOutcome.IGNORED, 0)

    notification_id = _notification_for(receipt)
    if notification_id is None:
        DeliveryReceipt.objects.filter(id=receipt_id).update(attempts=F("attempts") + 1)
        return ReceiptApplication(None, receipt.attempts + 1)

    with transaction.atomic():
        moved = notification_move(
            notification_id=notification_id,
            event=Event.RECEIPT,
            target=receipt.status,
            reported=receipt.status,
        )
        outcome = ReceiptOutcome.APPLIED if moved else ReceiptOutcome.IGNORED
        DeliveryReceipt.objects.filter(id=receipt_id).update(
            processed_at=timezone.now(),
            notification_id=notification_id,
            outcome=outcome,
            attempts=F("attempts") + 1,
        )
    logger.info(
        "Receipt %s for notification %s: %s %s",
        receipt_id,
        notification_id,
        receipt.status,
        outcome,
        extra={
            "notification_id": str(notification_id),
            "receipt_id": str(receipt_id),
            "provider": receipt.provider,
        },
    )
    return ReceiptApplication(outcome, receipt.attempts + 1)


def receipt_set_aside(*, receipt_id: uuid.UUID) -> None:
    """Give up on a receipt whose notification never became known: keep it
    (operators can look it up) but stop trying."""
    receipt = DeliveryReceipt.objects.filter(id=receipt_id).first()
    if receipt is None:
        return
    DeliveryReceipt.objects.filter(id=receipt_id, processed_at__isnull=True).update(
        processed_at=timezone.now(), outcome=ReceiptOutcome.ORPHAN
    )
    logger.warning(
        "Receipt %s from %s matches no notification after %s tries; set aside",
        receipt_id,
        receipt.provider,
        receipt.attempts,
        extra={"receipt_id": str(receipt_id), "provider": receipt.provider},
    )
