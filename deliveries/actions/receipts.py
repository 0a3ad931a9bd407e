"""Delivery receipts: stored raw once per provider event, then applied to
their notification through the state machine."""

import dataclasses
import logging
import uuid

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from psycopg.types.json import Jsonb

from notifications.models import Notification
from notifications.statuses import Event
from providers.base import ReceiptEvent

from ..models import DeliveryAttempt, DeliveryReceipt, ReceiptOutcome
from .common import (
    combined_statements,
    notification_move,
    status_filter,
    update_sql,
)

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
    receipt = DeliveryReceipt(
        provider=event.provider,
        provider_event_id=event.provider_event_id,
        provider_reference=event.provider_reference,
        notification_id=event.notification_id,
        status=event.status,
        occurred_at=event.occurred_at,
        payload=event.payload,
        received_at=timezone.now(),
    )
    if combined_statements():
        return receipt if _insert_unless_stored(receipt) else None
    try:
        with transaction.atomic():
            receipt.save(force_insert=True)
    except IntegrityError:
        return None
    return receipt


def _insert_unless_stored(receipt: DeliveryReceipt) -> bool:
    """One ``INSERT … ON CONFLICT DO NOTHING``: no transaction, no error to
    catch for a replay."""
    table = DeliveryReceipt._meta.db_table
    # Our table name only; values are parameters.
    statement = (
        f"INSERT INTO {table} (id, provider, provider_event_id, "  # noqa: S608
        "provider_reference, notification_id, status, occurred_at, payload, "
        "received_at, attempts, outcome) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 0, '') "
        "ON CONFLICT (provider, provider_event_id) DO NOTHING RETURNING id"
    )
    params = (
        receipt.id,
        receipt.provider,
        receipt.provider_event_id,
        receipt.provider_reference,
        receipt.notification_id,
        receipt.status,
        receipt.occurred_at,
        Jsonb(receipt.payload),
        receipt.received_at,
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone() is not None


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

    if receipt.notification_id is not None and combined_statements():
        # The common case (the provider echoed our id), in one statement.
        if _apply_in_one_statement(receipt):
            _log_applied(receipt, receipt.notification_id, ReceiptOutcome.APPLIED)
            return ReceiptApplication(ReceiptOutcome.APPLIED, receipt.attempts + 1)

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
    _log_applied(receipt, notification_id, outcome)
    return ReceiptApplication(outcome, receipt.attempts + 1)


def _apply_in_one_statement(receipt: DeliveryReceipt) -> bool:
    """Move the notification and mark the receipt applied, atomically;
    ``False`` when the state machine did not move it (or it is unknown):
    the caller then takes the general path."""
    now = timezone.now()
    move, move_params = update_sql(
        Notification.objects.filter(id=receipt.notification_id).filter(
            status_filter(
                event=Event.RECEIPT, target=receipt.status, reported=receipt.status
            )
        ),
        status=receipt.status,
        updated_at=now,
    )
    receipts = DeliveryReceipt._meta.db_table
    # Built from ORM-compiled SQL and our table name; values are parameters.
    statement = (
        f"WITH moved AS ({move} RETURNING id) "  # noqa: S608
        f"UPDATE {receipts} SET processed_at = %s, outcome = %s, "
        "attempts = attempts + 1 "
        "WHERE id = %s AND processed_at IS NULL AND EXISTS (SELECT 1 FROM moved) "
        "RETURNING 1"
    )
    params = (*move_params, now, ReceiptOutcome.APPLIED, receipt.id)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone() is not None


def receipts_apply(*, receipt_ids: list[uuid.UUID]) -> dict:
    """Apply a batch of stored receipts; return each one's
    ``ReceiptApplication``. The common case (the provider echoed our id,
    one receipt per notification in the batch, the state machine moves it)
    takes one statement per status reported; the rest go one by one
    through ``receipt_apply``."""
    applied = {}
    if combined_statements():
        receipts = DeliveryReceipt.objects.filter(
            id__in=receipt_ids, processed_at__isnull=True, notification_id__isnull=False
        ).only("id", "notification_id", "status", "attempts", "provider")
        by_notification = {}
        for receipt in receipts:
            by_notification.setdefault(receipt.notification_id, []).append(receipt)
        alone = [group[0] for group in by_notification.values() if len(group) == 1]
        by_status = {}
        for receipt in alone:
            by_status.setdefault(receipt.status, []).append(receipt)
        for status, group in by_status.items():
            for receipt_id in _apply_group(status, group):
                applied[receipt_id] = ReceiptApplication(ReceiptOutcome.APPLIED, 1)
    for receipt_id in receipt_ids:
        if receipt_id not in applied:
            applied[receipt_id] = receipt_apply(receipt_id=receipt_id)
    return applied


def _apply_group(status: str, receipts: list[DeliveryReceipt]) -> set:
    """Move the notifications of ``receipts`` (one each, all reporting
    ``status``) and mark applied the receipts whose notification moved, in
    one statement; return those receipts' ids."""
    now = timezone.now()
    move, move_params = update_sql(
        Notification.objects.filter(
            id__in=[receipt.notification_id for receipt in receipts]
        ).filter(status_filter(event=Event.RECEIPT, target=status, reported=status)),
        status=status,
        updated_at=now,
    )
    table = DeliveryReceipt._meta.db_table
    # Built from ORM-compiled SQL and our table name; values are parameters.
    statement = (
        f"WITH moved AS ({move} RETURNING id) "  # noqa: S608
        f"UPDATE {table} SET processed_at = %s, outcome = %s, "
        "attempts = attempts + 1 "
        "WHERE id = ANY(%s) AND processed_at IS NULL "
        "AND notification_id IN (SELECT id FROM moved) RETURNING id"
    )
    params = (
        *move_params,
        now,
        ReceiptOutcome.APPLIED,
        [receipt.id for receipt in receipts],
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        done = {row[0] for row in cursor}
    for receipt in receipts:
        if receipt.id in done:
            _log_applied(receipt, receipt.notification_id, ReceiptOutcome.APPLIED)
    return done


def _log_applied(receipt: DeliveryReceipt, notification_id, outcome: str) -> None:
    logger.info(
        "Receipt %s for notification %s: %s %s",
        receipt.id,
        notification_id,
        receipt.status,
        outcome,
        extra={
            "notification_id": str(notification_id),
            "receipt_id": str(receipt.id),
            "provider": receipt.provider,
        },
    )


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


def receipts_release_for_reference(*, provider: str, provider_reference: str) -> int:
    """Apply again, after commit, the receipts set aside for
    ``provider_reference`` (no notification matched them in time): the
    reference has just become known, from an acceptance recorded late.
    Return how many."""
    if not provider_reference:
        return 0
    set_aside = list(
        DeliveryReceipt.objects.filter(
            provider=provider,
            provider_reference=provider_reference,
            outcome=ReceiptOutcome.ORPHAN,
        ).values_list("id", flat=True)
    )
    if not set_aside:
        return 0
    DeliveryReceipt.objects.filter(id__in=set_aside).update(
        processed_at=None, outcome="", attempts=0
    )
    transaction.on_commit(lambda: _queue_receipts(set_aside))
    logger.info(
        "%s receipts set aside from %s apply again",
        len(set_aside),
        provider,
        extra={"provider": provider, "count": len(set_aside)},
    )
    return len(set_aside)


def _queue_receipts(receipt_ids: list) -> None:
    from deliveries import tasks

    for receipt_id in receipt_ids:
        tasks.queue_receipt(receipt_id=receipt_id)
