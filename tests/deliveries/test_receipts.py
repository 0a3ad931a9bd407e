"""Receipts: stored raw once per provider event, applied through the state
machine, retried while their notification is unknown, then set aside."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from deliveries import actions, receipts, tasks
from deliveries.models import AttemptOutcome, DeliveryReceipt, ReceiptOutcome
from providers.base import ReceiptEvent

pytestmark = pytest.mark.django_db


def _event(status, *, reference="", notification_id=None, event_id=None):
    return ReceiptEvent(
        provider="fake-sms",
        provider_event_id=event_id or str(uuid.uuid4()),
        provider_reference=reference,
        status=status,
        occurred_at=timezone.now(),
        notification_id=notification_id,
        payload={"raw": status},
    )


def _sent(new_notification, channel, reference):
    """A notification handed over with ``reference`` (status ``sending``)."""
    notification = new_notification(channel)
    attempt = actions.notification_claim(
        notification_id=notification.id, provider="fake-sms"
    )
    actions.attempt_record_result(
        result=actions.AttemptResult(
            attempt_id=attempt.id,
            notification_id=notification.id,
            provider="fake-sms",
            outcome=AttemptOutcome.ACCEPTED,
            finished_at=timezone.now(),
            provider_reference=reference,
        )
    )
    return notification


def _apply(event):
    receipt = actions.receipt_store(event=event)
    return receipt, actions.receipt_apply(receipt_id=receipt.id)


def test_receipt_store_keeps_one_row_per_provider_event():
    event = _event("delivered", reference="r-1", event_id="e-1")

    first = actions.receipt_store(event=event)
    again = actions.receipt_store(event=event)

    assert first is not None
    assert again is None
    assert DeliveryReceipt.objects.count() == 1
    assert first.payload == {"raw": "delivered"}


def test_receipt_found_by_provider_reference(new_notification):
    notification = _sent(new_notification, "sms", "r-2")

    receipt, applied = _apply(_event("delivered", reference="r-2"))

    assert applied.outcome == ReceiptOutcome.APPLIED
    notification.refresh_from_db()
    assert notification.status == "delivered"
    receipt.refresh_from_db()
    assert receipt.notification_id == notification.id
    assert receipt.processed_at is not None


def test_receipt_before_the_send_is_recorded_applies_once_it_is(new_notification):
    notification = new_notification("sms")
    attempt = actions.notification_claim(
        notification_id=notification.id, provider="fake-sms"
    )
    receipt, early = _apply(_event("delivered", reference="r-3"))
    assert early.outcome is None
    assert early.attempts == 1

    actions.attempt_record_result(
        result=actions.AttemptResult(
            attempt_id=attempt.id,
            notification_id=notification.id,
            provider="fake-sms",
            outcome=AttemptOutcome.ACCEPTED,
            finished_at=timezone.now(),
            provider_reference="r-3",
        )
    )
    later = actions.receipt_apply(receipt_id=receipt.id)

    assert later.outcome == ReceiptOutcome.APPLIED
    notification.refresh_from_db()
    assert notification.status == "delivered"


def test_receipt_for_an_earlier_attempt_is_found(new_notification):
    notification = _sent(new_notification, "sms", "first-ref")
    # A second hand-over replaced the notification's reference.
    notification.__class__.objects.filter(id=notification.id).update(
        provider_reference="second-ref"
    )

    _, applied = _apply(_event("temporary-failure", reference="first-ref"))

    assert applied.outcome == ReceiptOutcome.APPLIED


def test_email_bounce_after_delivery_wins(new_notification):
    notification = _sent(new_notification, "email", "e-1")

    _apply(_event("delivered", reference="e-1"))
    _, bounce = _apply(_event("permanent-failure", reference="e-1"))
    _, late = _apply(_event("delivered", reference="e-1"))

    assert bounce.outcome == ReceiptOutcome.APPLIED
    assert late.outcome == ReceiptOutcome.IGNORED
    notification.refresh_from_db()
    assert notification.status == "permanent-failure"


def test_sms_delivery_wins_over_failure_reports_in_any_order(new_notification):
    early = _sent(new_notification, "sms", "s-1")
    late = _sent(new_notification, "sms", "s-2")

    _apply(_event("permanent-failure", reference="s-1"))
    _apply(_event("delivered", reference="s-1"))
    _apply(_event("delivered", reference="s-2"))
    _apply(_event("permanent-failure", reference="s-2"))

    early.refresh_from_db()
    late.refresh_from_db()
    assert early.status == late.status == "delivered"


def test_unknown_receipt_is_set_aside_after_its_retries(settings):
    settings.DELIVERY_RECEIPT_MAX_ATTEMPTS = 1
    receipt = actions.receipt_store(event=_event("delivered", reference="nobody"))

    tasks.process_delivery_receipt(str(receipt.id))

    receipt.refresh_from_db()
    assert receipt.outcome == ReceiptOutcome.ORPHAN
    assert receipt.processed_at is not None
    assert receipt.attempts == 1


def test_receipt_accept_stores_and_applies(new_notification):
    notification = _sent(new_notification, "sms", "s-9")

    receipts.receipt_accept(_event("delivered", reference="s-9"))
    receipts.receipt_accept(_event("delivered", reference="s-9", event_id="same"))
    receipts.receipt_accept(_event("delivered", reference="s-9", event_id="same"))

    notification.refresh_from_db()
    assert notification.status == "delivered"
    assert DeliveryReceipt.objects.count() == 2


def test_receipt_accept_keeps_the_receipt_when_the_broker_is_down(
    new_notification, monkeypatch, settings
):
    notification = _sent(new_notification, "sms", "s-10")

    def broker_down(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(tasks.process_delivery_receipts, "apply_async", broker_down)
    receipts.receipt_accept(_event("delivered", reference="s-10"))

    receipt = DeliveryReceipt.objects.get()
    assert receipt.processed_at is None
    # The sweep finds it once its grace period is over.
    assert actions.receipts_to_reapply() == []
    later = timezone.now() + dt.timedelta(minutes=5)
    assert actions.receipts_to_reapply(now=later) == [receipt.id]
    monkeypatch.undo()
    settings.DELIVERY_RECEIPT_SWEEP_AFTER_SECONDS = 0
    tasks.sweep_unapplied_receipts.apply()
    notification.refresh_from_db()
    assert notification.status == "delivered"


def test_receipts_apply_a_batch_by_precedence_and_retries_the_unknown(
    new_notification,
):
    first = _sent(new_notification, "sms", "b-1")
    second = _sent(new_notification, "sms", "b-2")
    twice = _sent(new_notification, "sms", "b-3")
    events = [
        _event("delivered", notification_id=first.id),
        _event("permanent-failure", notification_id=second.id),
        # Two reports on one notification: an SMS delivery wins over a
        # failure report, whatever their order.
        _event("delivered", notification_id=twice.id),
        _event("temporary-failure", notification_id=twice.id),
        _event("delivered", notification_id=uuid.uuid4()),
    ]
    ids = [actions.receipt_store(event=event).id for event in events]

    applied = actions.receipts_apply(receipt_ids=ids)

    outcomes = [applied[receipt_id].outcome for receipt_id in ids]
    assert outcomes[:3] == [ReceiptOutcome.APPLIED] * 3
    assert outcomes[3] == ReceiptOutcome.IGNORED
    assert outcomes[4] is None  # unknown yet: retried by the task
    for notification, status in (
        (first, "delivered"),
        (second, "permanent-failure"),
        (twice, "delivered"),
    ):
        notification.refresh_from_db()
        assert notification.status == status
    # Applying the batch again changes nothing.
    again = actions.receipts_apply(receipt_ids=ids[:4])
    assert [again[receipt_id].outcome for receipt_id in ids[:4]] == outcomes[:4]
    assert DeliveryReceipt.objects.filter(processed_at__isnull=True).count() == 1


def test_receipts_of_different_notifications_apply_in_one_statement_per_status(
    new_notification, django_assert_num_queries
):
    notifications = [_sent(new_notification, "sms", f"q-{n}") for n in range(5)]
    events = [_event("delivered", notification_id=n.id) for n in notifications]
    ids = [actions.receipt_store(event=event).id for event in events]

    # One SELECT of the batch, one statement to apply it.
    with django_assert_num_queries(2):
        applied = actions.receipts_apply(receipt_ids=ids)

    assert {a.outcome for a in applied.values()} == {ReceiptOutcome.APPLIED}
