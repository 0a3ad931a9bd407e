"""Retention: personal data is erased after the service's retention period
for the channel; the rows stay, anonymous, for the counts."""

import datetime as dt

import pytest
from django.utils import timezone

from deliveries.models import AttemptOutcome, DeliveryAttempt
from notifications import actions, tasks
from notifications.models import Notification, ReceivedTextMessage
from tests import factories
from tests.deliveries.conftest import make_notification

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def _notification(service, channel="email", *, age_days, status="delivered"):
    if channel == "email":
        template = factories.email_template(service=service)
    else:
        template = factories.sms_template(service=service)
    return make_notification(
        service=service,
        template=template,
        status=status,
        created_at=_days_ago(age_days),
        client_reference="DOSSIER-1",
        one_click_unsubscribe_url="https://example.gouv.fr/desabonnement/abc",
    )


def _erase(**kwargs):
    return actions.personal_data_erase_expired(now=NOW, **kwargs)


def test_personal_data_is_erased_after_seven_days_by_default(service):
    old = _notification(service, age_days=7.01)
    recent = _notification(service, age_days=6.99)

    report = _erase()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert report.notifications_redacted == 1
    assert (old.recipient, old.normalised_recipient, old.personalisation) == (
        "",
        "",
        {},
    )
    assert old.one_click_unsubscribe_url == ""
    assert old.redacted_at == NOW
    # What the counts need stays.
    assert (old.status, old.channel, old.client_reference) == (
        "delivered",
        "email",
        "DOSSIER-1",
    )
    assert recent.recipient == "camille@example.org"
    assert recent.redacted_at is None


def test_each_channel_has_the_services_own_retention(service):
    service.email_retention_days = 30
    service.sms_retention_days = 3
    service.save()
    email = _notification(service, "email", age_days=10)
    sms = _notification(service, "sms", age_days=4)
    other_service_email = _notification(factories.service(), "email", age_days=10)

    _erase()

    for notification in (email, sms, other_service_email):
        notification.refresh_from_db()
    assert email.redacted_at is None
    assert sms.redacted_at == NOW
    assert other_service_email.redacted_at == NOW


def test_a_notification_still_on_its_way_keeps_what_it_needs(service):
    sending = _notification(service, age_days=8, status="sending")

    _erase()

    sending.refresh_from_db()
    assert sending.recipient == "camille@example.org"
    assert sending.redacted_at is None


def test_attempt_errors_are_erased_but_outcomes_stay(service):
    notification = _notification(service, age_days=8, status="permanent-failure")
    attempt = DeliveryAttempt.objects.create(
        notification=notification,
        provider="fake-email",
        started_at=_days_ago(8),
        finished_at=_days_ago(8),
        outcome=AttemptOutcome.PERMANENT_ERROR,
        error="550 camille@example.org: no such user",
    )

    _erase()

    attempt.refresh_from_db()
    assert attempt.error == ""
    assert attempt.outcome == AttemptOutcome.PERMANENT_ERROR


def test_the_api_no_longer_finds_an_erased_notification(service, api_client):
    notification = _notification(service, age_days=8)
    assert api_client.get(f"/v2/notifications/{notification.id}").status_code == 200

    _erase()

    response = api_client.get(f"/v2/notifications/{notification.id}")
    assert response.status_code == 404


def test_received_texts_are_deleted_after_the_sms_retention(service):
    service.sms_retention_days = 5
    service.save()
    kept, deleted = (
        ReceivedTextMessage.objects.create(
            service=service,
            notify_number="33700000000",
            user_number="33612345678",
            content="Oui",
            created_at=_days_ago(age),
        )
        for age in (4, 6)
    )

    report = _erase()

    assert report.received_texts_deleted == 1
    assert list(ReceivedTextMessage.objects.values_list("id", flat=True)) == [kept.id]
    assert not ReceivedTextMessage.objects.filter(id=deleted.id).exists()


def test_a_large_backlog_goes_in_batches_and_says_when_it_is_not_done(
    service, monkeypatch
):
    monkeypatch.setattr("notifications.actions.retention.BATCH_SIZE", 2)
    for _ in range(5):
        _notification(service, age_days=9)

    first = _erase(max_batches=2)
    second = _erase(max_batches=2)

    assert (first.notifications_redacted, first.complete) == (4, False)
    assert (second.notifications_redacted, second.complete) == (1, True)
    assert not Notification.objects.filter(redacted_at__isnull=True).exists()


def test_running_twice_erases_nothing_more(service):
    _notification(service, age_days=9)
    _erase()

    assert _erase().notifications_redacted == 0


def test_the_beat_task_reports_what_it_did(service):
    _notification(service, age_days=30)

    result = tasks.erase_expired_personal_data()

    assert result == {
        "notifications_redacted": 1,
        "received_texts_deleted": 0,
        "audit_events_deleted": 0,
        "complete": True,
    }


def test_the_audit_trail_is_kept_a_year_by_default(service, settings):
    from services.audit import audit_record
    from services.models import AuditAction, AuditEvent

    old, recent = (
        audit_record(action=AuditAction.SETTINGS_CHANGED, service=service)
        for _ in range(2)
    )
    AuditEvent.objects.filter(id=old.id).update(created_at=_days_ago(366))
    AuditEvent.objects.filter(id=recent.id).update(created_at=_days_ago(364))

    report = _erase()

    assert report.audit_events_deleted == 1
    assert list(AuditEvent.objects.values_list("id", flat=True)) == [recent.id]


def test_the_command_counts_in_a_dry_run_then_erases(service):
    import io
    import json

    from django.core.management import call_command

    notification = _notification(service, age_days=30)

    def run(*args) -> dict:
        out = io.StringIO()
        call_command("erase_expired_personal_data", "--json", *args, stdout=out)
        return json.loads(out.getvalue())

    assert run("--dry-run") == {
        "dry_run": True,
        "notifications": 1,
        "received_texts": 0,
    }
    notification.refresh_from_db()
    assert notification.redacted_at is None
    assert run()["notifications_redacted"] == 1
    assert run("--dry-run")["notifications"] == 0
