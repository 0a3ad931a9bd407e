"""Handing notifications to providers: claim, call, record, retry, give up,
with the fake providers and the real database."""

import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone

from deliveries import actions, tasks
from deliveries.actions import recording, sending
from deliveries.models import AttemptOutcome, DeliveryAttempt
from providers import fake
from providers.base import (
    ProviderPermanentError,
    ProviderTemporaryError,
    SendResult,
)

pytestmark = pytest.mark.django_db


class ScriptedProvider:
    """An adapter whose answers the test sets (our own interface)."""

    name = "scripted"

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.calls = []

    def _answer(self, message):
        self.calls.append(message.notification_id)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    send_email = send_sms = _answer


@pytest.fixture
def scripted(monkeypatch):
    def install(*answers) -> ScriptedProvider:
        provider = ScriptedProvider(*answers)
        monkeypatch.setattr(sending, "_provider_for", lambda notification: provider)
        return provider

    return install


def _attempts(notification):
    return list(
        DeliveryAttempt.objects.filter(notification=notification).values_list(
            "provider", "outcome"
        )
    )


def test_notification_deliver_hands_over_and_records_when_accepted(new_notification):
    notification = new_notification("email")

    outcome = actions.notification_deliver(notification_id=notification.id)

    assert outcome == AttemptOutcome.ACCEPTED
    notification.refresh_from_db()
    # The fake's receipt went through the real pipeline (tasks run eagerly).
    assert notification.status == "delivered"
    assert notification.sent_at is not None
    assert notification.provider == "fake-email"
    assert notification.provider_reference.startswith("fake-")
    assert notification.attempt_count == 1
    assert [entry.notification_id for entry in fake.outbox] == [notification.id]
    attempt = DeliveryAttempt.objects.get(notification=notification)
    assert attempt.outcome == AttemptOutcome.ACCEPTED
    assert attempt.provider_reference == notification.provider_reference
    assert attempt.finished_at >= attempt.started_at


def test_state_branded_email_carries_the_symbol_from_the_public_host(
    new_notification, settings
):
    settings.PUBLIC_API_BASE_URL = "https://notifications.example.gouv.fr"
    settings.EMAIL_LOGO_URL = ""
    notification = new_notification("email")

    actions.notification_deliver(notification_id=notification.id)

    [entry] = fake.outbox
    symbol = "https://notifications.example.gouv.fr/static/templates_app/email/"
    assert f'<img src="{symbol}marianne.png"' in entry.message.html_body


def test_notification_deliver_does_nothing_when_not_created(new_notification):
    notification = new_notification("sms", status="delivered")

    assert actions.notification_deliver(notification_id=notification.id) is None

    assert len(fake.outbox) == 0
    assert not DeliveryAttempt.objects.exists()


def test_notification_deliver_hands_back_for_retry_on_temporary_error(
    new_notification, django_capture_on_commit_callbacks, settings
):
    settings.DELIVERY_RETRY_BASE_SECONDS = 10
    settings.DELIVERY_COUNTDOWN_MAX_SECONDS = 30
    notification = new_notification(
        "email", recipient="provider-error@simulator.notify"
    )
    before = timezone.now()

    with django_capture_on_commit_callbacks() as callbacks:
        outcome = actions.notification_deliver(notification_id=notification.id)

    assert outcome == AttemptOutcome.TEMPORARY_ERROR
    notification.refresh_from_db()
    assert notification.status == "created"
    assert notification.attempt_count == 1
    assert not notification.needs_reconciliation
    # First retry: between half and all of the base delay.
    wait = (notification.next_attempt_at - before).total_seconds()
    assert 5 <= wait <= 11
    # A short back-off is a Celery countdown published after commit.
    assert len(callbacks) == 1


def test_long_back_off_waits_for_the_relay_not_a_countdown(
    new_notification, django_capture_on_commit_callbacks, settings
):
    settings.DELIVERY_RETRY_BASE_SECONDS = 120
    settings.DELIVERY_COUNTDOWN_MAX_SECONDS = 30
    notification = new_notification(
        "email", recipient="provider-error@simulator.notify"
    )

    with django_capture_on_commit_callbacks() as callbacks:
        actions.notification_deliver(notification_id=notification.id)

    notification.refresh_from_db()
    assert notification.status == "created"
    assert callbacks == []


def test_notification_ends_in_technical_failure_when_attempts_run_out(
    new_notification, settings
):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    notification = new_notification(
        "sms", recipient="+33639980004"
    )  # the fake fails it for now, every time

    for _ in range(3):
        actions.notification_deliver(notification_id=notification.id)

    notification.refresh_from_db()
    assert notification.status == "technical-failure"
    assert notification.attempt_count == 2
    assert [outcome for _, outcome in _attempts(notification)] == [
        AttemptOutcome.TEMPORARY_ERROR
    ] * 2


def test_notification_ends_in_technical_failure_when_retry_window_closes(
    new_notification, settings
):
    settings.DELIVERY_RETRY_WINDOW_SECONDS = 3600
    notification = new_notification(
        "email", recipient="provider-error@simulator.notify"
    )
    actions.notification_deliver(notification_id=notification.id)
    # The first attempt was long ago: the next one would be past the window.
    DeliveryAttempt.objects.filter(notification=notification).update(
        started_at=timezone.now() - dt.timedelta(hours=2)
    )
    notification.refresh_from_db()
    notification.status = "created"

    actions.notification_deliver(notification_id=notification.id)

    notification.refresh_from_db()
    assert notification.status == "technical-failure"


def test_permanent_refusal_ends_at_once(new_notification):
    notification = new_notification(
        "email", recipient="provider-reject@simulator.notify"
    )

    outcome = actions.notification_deliver(notification_id=notification.id)

    assert outcome == AttemptOutcome.PERMANENT_ERROR
    notification.refresh_from_db()
    assert notification.status == "permanent-failure"
    assert notification.next_attempt_at is None


def test_refusal_of_our_account_is_retried_elsewhere(new_notification, scripted):
    scripted(
        ProviderPermanentError(
            "bad credentials", status="technical-failure", provider_fault=True
        )
    )
    notification = new_notification("sms")

    actions.notification_deliver(notification_id=notification.id)

    notification.refresh_from_db()
    assert notification.status == "created"
    assert notification.next_attempt_at is not None


def test_ambiguous_outcome_is_flagged_and_resent_after_the_grace(
    new_notification, scripted, settings
):
    settings.DELIVERY_AMBIGUOUS_RESEND_AFTER_SECONDS = 300
    scripted(ProviderTemporaryError("read time-out", ambiguous=True))
    notification = new_notification("email")
    before = timezone.now()

    outcome = actions.notification_deliver(notification_id=notification.id)

    assert outcome == AttemptOutcome.UNKNOWN
    notification.refresh_from_db()
    assert notification.status == "created"
    assert notification.needs_reconciliation
    assert notification.next_attempt_at >= before + dt.timedelta(seconds=300)


def test_unexpected_adapter_error_counts_as_ambiguous(new_notification, scripted):
    scripted(RuntimeError("adapter bug"))
    notification = new_notification("sms")

    outcome = actions.notification_deliver(notification_id=notification.id)

    assert outcome == AttemptOutcome.UNKNOWN
    notification.refresh_from_db()
    assert notification.needs_reconciliation
    attempt = DeliveryAttempt.objects.get(notification=notification)
    assert "RuntimeError" in attempt.error


def test_synchronous_final_status_is_recorded(new_notification, scripted):
    scripted(SendResult(provider="scripted", provider_reference="r-1", status="sent"))
    notification = new_notification("sms")

    actions.notification_deliver(notification_id=notification.id)

    notification.refresh_from_db()
    assert notification.status == "sent"
    assert notification.provider_reference == "r-1"


def test_test_key_goes_to_the_simulator_whatever_is_configured(
    new_notification, settings
):
    settings.NOTIFICATION_PROVIDERS = {
        "email": ["providers.does_not.Exist"],
        "sms": ["providers.does_not.Exist"],
    }
    email = new_notification("email", key_type="test")
    sms = new_notification("sms", key_type="test", recipient="+447700900002")

    actions.notification_deliver(notification_id=email.id)
    actions.notification_deliver(notification_id=sms.id)

    email.refresh_from_db()
    sms.refresh_from_db()
    assert (email.provider, email.status) == ("fake-email", "delivered")
    assert (sms.provider, sms.status) == ("fake-sms", "permanent-failure")


def test_rendering_failure_ends_without_a_provider_call(new_notification):
    notification = new_notification("email", personalisation={})

    assert actions.notification_deliver(notification_id=notification.id) is None

    notification.refresh_from_db()
    assert notification.status == "technical-failure"
    assert len(fake.outbox) == 0


def test_recording_the_same_result_twice_changes_nothing(new_notification):
    notification = new_notification("email")
    attempt = actions.notification_claim(
        notification_id=notification.id, provider="fake-email"
    )
    result = actions.AttemptResult(
        attempt_id=attempt.id,
        notification_id=notification.id,
        provider="fake-email",
        outcome=AttemptOutcome.TEMPORARY_ERROR,
        finished_at=timezone.now(),
        retryable=True,
    )

    actions.attempt_record_result(result=result)
    notification.refresh_from_db()
    first = (notification.status, notification.next_attempt_at)
    actions.attempt_record_result(result=result)

    notification.refresh_from_db()
    assert (notification.status, notification.next_attempt_at) == first


def test_answer_is_handed_to_a_task_when_the_database_stays_away(
    new_notification, monkeypatch, settings
):
    settings.DELIVERY_RECORD_RETRIES = 0
    published = []
    notification = new_notification("email")

    def database_gone(*, result):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(recording, "attempt_record_result", database_gone)
    monkeypatch.setattr(
        tasks, "publish_attempt_result", lambda *, result: published.append(result)
    )

    actions.notification_deliver(notification_id=notification.id)

    assert [result.outcome for result in published] == [AttemptOutcome.ACCEPTED]
    # The task records it later, from its JSON form.
    monkeypatch.undo()
    payload = published[0].to_json()
    tasks.record_attempt_result(payload)
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.provider_reference == published[0].provider_reference


def test_retry_delay_grows_with_jitter_and_respects_retry_after(settings):
    settings.DELIVERY_RETRY_BASE_SECONDS = 4
    settings.DELIVERY_RETRY_MAX_DELAY_SECONDS = 300
    for attempt_count, ceiling in [(1, 4), (2, 8), (3, 16), (10, 300)]:
        delays = {actions.retry_delay(attempt_count=attempt_count) for _ in range(50)}
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert len(delays) > 1
    assert actions.retry_delay(attempt_count=1, retry_after=60) == 60


def test_pipeline_logs_hold_no_recipient_or_personalisation(
    new_notification, scripted, caplog, settings
):
    settings.DELIVERY_MAX_ATTEMPTS = 1
    caplog.set_level("DEBUG")
    secret_name = "Zéphyrine-Sentinelle"
    delivered = new_notification(
        "email",
        recipient="sentinel.person@example.org",
        personalisation={"name": secret_name, "reference": "REF-SENTINEL"},
    )
    actions.notification_deliver(notification_id=delivered.id)
    scripted(ProviderTemporaryError("no route to +33699999999 (sentinel)"))
    failed = new_notification("sms", recipient="+33699999999")
    actions.notification_deliver(notification_id=failed.id)

    failed.refresh_from_db()
    assert failed.status == "technical-failure"
    for sentinel in (
        "sentinel.person@example.org",
        secret_name,
        "REF-SENTINEL",
        "+33699999999",
    ):
        assert sentinel not in caplog.text
