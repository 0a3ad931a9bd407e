"""The plain ORM path (what SQLite, the embedded default, runs) behaves as
the single-statement path PostgreSQL runs."""

import uuid

import pytest
from django.utils import timezone

from deliveries import actions
from deliveries.actions import receipts as receipt_actions
from deliveries.actions import recording, sending
from deliveries.models import AttemptOutcome, DeliveryAttempt, ReceiptOutcome
from providers import fake
from providers.base import ReceiptEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def plain_orm(monkeypatch):
    monkeypatch.setattr(sending, "combined_statements", lambda: False)
    monkeypatch.setattr(recording, "combined_statements", lambda: False)
    monkeypatch.setattr(receipt_actions, "combined_statements", lambda: False)


def test_deliver_claims_once_records_and_applies_the_receipt(new_notification):
    notification = new_notification("email")

    first = actions.notification_deliver(notification_id=notification.id)
    second = actions.notification_deliver(notification_id=notification.id)

    assert (first, second) == (AttemptOutcome.ACCEPTED, None)
    notification.refresh_from_db()
    assert notification.status == "delivered"
    assert notification.attempt_count == 1
    assert len(fake.outbox.for_notification(notification.id)) == 1
    attempt = DeliveryAttempt.objects.get(notification=notification)
    assert attempt.provider_reference == notification.provider_reference


def test_receipt_stored_once_and_applied_by_id(new_notification):
    notification = new_notification("sms")
    actions.notification_claim(notification_id=notification.id, provider="fake-sms")
    event = ReceiptEvent(
        provider="fake-sms",
        provider_event_id=str(uuid.uuid4()),
        provider_reference="r",
        status="delivered",
        occurred_at=timezone.now(),
        notification_id=notification.id,
    )

    receipt = actions.receipt_store(event=event)
    assert actions.receipt_store(event=event) is None
    applied = actions.receipt_apply(receipt_id=receipt.id)

    assert applied.outcome == ReceiptOutcome.APPLIED
    notification.refresh_from_db()
    assert notification.status == "delivered"
