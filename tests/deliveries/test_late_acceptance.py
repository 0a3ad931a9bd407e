"""An acceptance recorded after the reconciliation sweep closed its attempt
as unknown (the worker was cut from the database for longer than the stale
delay): kept, matched by receipts, never followed by a needless resend, and
counted as a confirmed duplicate when the resend had left."""

import datetime as dt
import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from deliveries import actions, selectors
from deliveries.actions import batches, recording, sending
from deliveries.models import AttemptOutcome, DeliveryAttempt, DeliveryReceipt
from notifications.models import Notification
from providers import fake
from providers.base import ReceiptEvent
from tests.deliveries.conftest import RECIPIENTS

pytestmark = pytest.mark.django_db

PROVIDER = "fake-sms"


def _sweep():
    stale = dt.timedelta(seconds=settings.DELIVERY_STALE_ATTEMPT_SECONDS + 1)
    actions.attempts_reconcile_stale(now=timezone.now() + stale)


def _claim_then_lose(notification):
    """Claim the notification, then let the sweep close its attempt: the
    worker lost the database during the call."""
    attempt = actions.notification_claim(
        notification_id=notification.id, provider=PROVIDER
    )
    _sweep()
    return attempt


def _accepted(attempt, reference: str = "ref-first") -> actions.AttemptResult:
    return actions.AttemptResult(
        attempt_id=attempt.id,
        notification_id=attempt.notification_id,
        provider=PROVIDER,
        outcome=AttemptOutcome.ACCEPTED,
        finished_at=timezone.now(),
        started_at=attempt.started_at,
        provider_reference=reference,
    )


def _receipt_by_reference(reference: str, status: str = "delivered"):
    receipt = actions.receipt_store(
        event=ReceiptEvent(
            provider=PROVIDER,
            provider_event_id=f"{reference}-{status}",
            provider_reference=reference,
            status=status,
        )
    )
    return receipt


@pytest.fixture(params=["one statement", "orm"])
def record_path(request, monkeypatch):
    """Both ways ``attempt_record_result`` records an acceptance."""
    if request.param == "orm":
        monkeypatch.setattr(sending, "combined_statements", lambda: False)
        monkeypatch.setattr(recording, "combined_statements", lambda: False)
    return request.param


def test_late_acceptance_takes_back_a_notification_awaiting_its_resend(
    new_notification, record_path, caplog
):
    notification = new_notification("sms")
    attempt = _claim_then_lose(notification)
    notification.refresh_from_db()
    assert (notification.status, notification.needs_reconciliation) == (
        "created",
        True,
    )

    actions.attempt_record_result(result=_accepted(attempt))

    attempt.refresh_from_db()
    assert attempt.outcome == AttemptOutcome.ACCEPTED_LATE
    assert attempt.provider_reference == "ref-first"
    notification.refresh_from_db()
    assert notification.status == "sending"
    assert notification.provider_reference == "ref-first"
    assert notification.sent_at is not None
    # One send, known: nothing left to reconcile.
    assert not notification.needs_reconciliation

    # The resend the sweep asked for finds nothing to claim.
    assert actions.notification_deliver(notification_id=notification.id) is None
    assert actions.notifications_deliver(notification_ids=[notification.id]) == {}
    assert len(fake.outbox) == 0

    # The first send's receipts match its reference.
    receipt = _receipt_by_reference("ref-first")
    assert actions.receipt_apply(receipt_id=receipt.id).outcome == "applied"
    notification.refresh_from_db()
    assert notification.status == "delivered"

    counts = selectors.reconciliation_counts()
    assert counts["attempts_accepted_late"] == 1
    assert counts["attempts_unknown"] == 0
    assert counts["duplicates_confirmed"] == 0
    assert counts["notifications_needing_reconciliation"] == 0
    assert "after its reconciliation; not sent again" in caplog.text
    assert str(attempt.id) in caplog.text
    assert RECIPIENTS["sms"] not in caplog.text


def test_late_acceptance_after_the_resend_is_a_confirmed_duplicate(
    new_notification, record_path, caplog
):
    notification = new_notification("sms")
    attempt = _claim_then_lose(notification)
    actions.notification_deliver(notification_id=notification.id)
    notification.refresh_from_db()
    resend_reference = notification.provider_reference
    assert notification.status == "delivered"

    actions.attempt_record_result(result=_accepted(attempt))

    attempt.refresh_from_db()
    assert attempt.outcome == AttemptOutcome.ACCEPTED_LATE
    notification.refresh_from_db()
    assert notification.status == "delivered"
    assert notification.provider_reference == resend_reference
    assert notification.needs_reconciliation
    assert fake.sent_count(notification.id) == 1  # the resend; the first is ours

    output = io.StringIO()
    call_command("delivery_report", "--json", stdout=output)
    counts = json.loads(output.getvalue())["reconciliation"]
    assert counts["duplicates_confirmed"] == 1
    assert counts["attempts_accepted_late"] == 1
    assert counts["notifications_needing_reconciliation"] == 1
    assert "was accepted too: a duplicate" in caplog.text


def test_recording_a_late_acceptance_twice_changes_nothing(
    new_notification, record_path
):
    notification = new_notification("sms")
    attempt = _claim_then_lose(notification)
    result = _accepted(attempt)

    actions.attempt_record_result(result=result)
    actions.attempt_record_result(result=result)

    assert DeliveryAttempt.objects.get(id=attempt.id).outcome == "accepted-late"
    assert Notification.objects.get(id=notification.id).status == "sending"


def test_a_failed_resend_is_not_retried_once_the_first_was_accepted_late(
    new_notification,
):
    notification = new_notification("sms")
    first = _claim_then_lose(notification)
    resend = actions.notification_claim(
        notification_id=notification.id, provider=PROVIDER
    )

    actions.attempt_record_result(result=_accepted(first))
    notification.refresh_from_db()
    assert notification.status == "sending"  # the resend holds it
    assert notification.provider_reference == "ref-first"
    actions.attempt_record_result(
        result=actions.AttemptResult(
            attempt_id=resend.id,
            notification_id=notification.id,
            provider=PROVIDER,
            outcome=AttemptOutcome.TEMPORARY_ERROR,
            finished_at=timezone.now(),
            retryable=True,
        )
    )

    notification.refresh_from_db()
    # Neither handed back for another resend nor failed: the provider has it.
    assert notification.status == "sending"
    assert (
        actions.notifications_take_for_relay(now=timezone.now() + dt.timedelta(days=1))
        == []
    )


def test_late_acceptance_in_a_batch_takes_back_the_notification(new_notification):
    notification = new_notification("sms")
    ready = [(notification, None, fake.FakeSmsProvider())]
    [(*_, attempt)] = batches._claim(ready)
    _sweep()

    batches._record_all([_accepted(attempt)])

    attempt.refresh_from_db()
    assert attempt.outcome == AttemptOutcome.ACCEPTED_LATE
    notification.refresh_from_db()
    assert notification.status == "sending"
    assert notification.provider_reference == "ref-first"
    assert not notification.needs_reconciliation
    assert actions.notifications_deliver(notification_ids=[notification.id]) == {}
    assert len(fake.outbox) == 0


def test_late_acceptance_in_a_batch_after_the_resend_is_a_confirmed_duplicate(
    new_notification,
):
    notification = new_notification("sms")
    [(*_, attempt)] = batches._claim([(notification, None, fake.FakeSmsProvider())])
    _sweep()
    actions.notifications_deliver(notification_ids=[notification.id])

    batches._record_all([_accepted(attempt)])

    assert DeliveryAttempt.objects.get(id=attempt.id).outcome == "accepted-late"
    assert selectors.reconciliation_counts()["duplicates_confirmed"] == 1


def test_receipts_set_aside_for_the_late_reference_apply_after_all(
    new_notification, django_capture_on_commit_callbacks
):
    notification = new_notification("sms")
    attempt = _claim_then_lose(notification)
    early = _receipt_by_reference("ref-first")
    assert actions.receipt_apply(receipt_id=early.id).outcome is None
    actions.receipt_set_aside(receipt_id=early.id)

    with django_capture_on_commit_callbacks(execute=True):
        actions.attempt_record_result(result=_accepted(attempt))

    early.refresh_from_db()
    assert early.outcome == "applied"
    assert early.notification_id == notification.id
    notification.refresh_from_db()
    assert notification.status == "delivered"
    assert not DeliveryReceipt.objects.filter(outcome="orphan").exists()


def test_late_acceptance_of_a_notification_given_up_keeps_its_reference(
    new_notification,
):
    notification = new_notification("sms")
    attempt = actions.notification_claim(
        notification_id=notification.id, provider=PROVIDER
    )
    # Swept after the retry window closed: given up, technical-failure.
    actions.attempts_reconcile_stale(now=timezone.now() + dt.timedelta(days=1))
    assert Notification.objects.get(id=notification.id).status == "technical-failure"

    actions.attempt_record_result(result=_accepted(attempt))

    notification.refresh_from_db()
    assert notification.status == "technical-failure"
    assert notification.provider_reference == "ref-first"
    assert notification.sent_at is not None
    # The receipt proves the provider had it (technical-failure ranks last).
    receipt = _receipt_by_reference("ref-first")
    actions.receipt_apply(receipt_id=receipt.id)
    notification.refresh_from_db()
    assert notification.status == "delivered"
