"""The periodic work: relay, reconciliation of lost attempts, time-outs,
receipt pruning; and the Celery settings they rely on."""

import datetime as dt
import io

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from deliveries import actions, selectors, tasks
from deliveries.models import AttemptOutcome, DeliveryAttempt, DeliveryReceipt
from notifications.models import Notification
from providers import fake

pytestmark = pytest.mark.django_db


def _age(notification, **delta):
    Notification.objects.filter(id=notification.id).update(
        created_at=timezone.now() - dt.timedelta(**delta)
    )


def test_relay_takes_overdue_created_notifications_once_per_period(
    new_notification, settings
):
    settings.DELIVERY_RELAY_DELAY_SECONDS = 15
    settings.DELIVERY_RELAY_REPUBLISH_SECONDS = 120
    overdue = new_notification("email")
    _age(overdue, seconds=60)
    fresh = new_notification("sms")
    sending = new_notification("email", status="sending")
    _age(sending, seconds=60)

    taken = actions.notifications_take_for_relay()
    again = actions.notifications_take_for_relay()
    later = actions.notifications_take_for_relay(
        now=timezone.now() + dt.timedelta(seconds=200)
    )

    assert taken == [(overdue.id, "email")]
    assert again == []
    assert {row[0] for row in later} == {overdue.id, fresh.id}


def test_relay_waits_for_a_retry_back_off(new_notification, settings):
    settings.DELIVERY_RELAY_DELAY_SECONDS = 15
    retrying = new_notification(
        "email", next_attempt_at=timezone.now() + dt.timedelta(minutes=10)
    )
    _age(retrying, hours=1)

    assert actions.notifications_take_for_relay() == []
    due = timezone.now() + dt.timedelta(minutes=11)
    assert actions.notifications_take_for_relay(now=due) == [(retrying.id, "email")]


def test_relay_task_publishes_and_releases_what_it_could_not(
    new_notification, monkeypatch, settings
):
    settings.DELIVERY_RELAY_DELAY_SECONDS = 0
    first = new_notification("email")
    second = new_notification("email")
    _age(first, seconds=2)
    _age(second, seconds=1)
    settings.DELIVERY_BATCH_SIZE = 1
    published = []

    def publish_one_then_fail(*, args, queue):
        if published:
            raise ConnectionError("broker gone")
        published.append(args[0])

    monkeypatch.setattr(
        tasks.deliver_notifications, "apply_async", publish_one_then_fail
    )
    assert tasks.relay_created_notifications() == 1
    assert published == [[str(first.id)]]

    # The one the broker refused is due again at the next tick.
    assert actions.notifications_take_for_relay() == [(second.id, "email")]


def test_relay_task_delivers_through_the_queue(new_notification, settings):
    settings.DELIVERY_RELAY_DELAY_SECONDS = 0
    notification = new_notification("sms")

    tasks.relay_created_notifications()

    notification.refresh_from_db()
    assert notification.status == "delivered"
    assert len(fake.outbox) == 1


def test_lost_attempt_is_flagged_and_sent_again(new_notification, settings):
    settings.DELIVERY_STALE_ATTEMPT_SECONDS = 600
    notification = new_notification("email")
    attempt = actions.notification_claim(
        notification_id=notification.id, provider="fake-email"
    )
    recent = new_notification("email")
    actions.notification_claim(notification_id=recent.id, provider="fake-email")

    assert actions.attempts_reconcile_stale() == 0
    closed = actions.attempts_reconcile_stale(
        now=timezone.now() + dt.timedelta(seconds=601)
    )

    assert closed == 2
    attempt.refresh_from_db()
    assert attempt.outcome == AttemptOutcome.UNKNOWN
    notification.refresh_from_db()
    assert notification.status == "created"
    assert notification.needs_reconciliation
    counts = selectors.reconciliation_counts()
    assert counts["notifications_needing_reconciliation"] == 2
    assert counts["attempts_in_progress"] == 0

    actions.notification_deliver(notification_id=notification.id)
    notification.refresh_from_db()
    assert notification.status == "delivered"


def test_lost_attempt_of_a_notification_a_receipt_finished_is_just_closed(
    new_notification,
):
    notification = new_notification("email")
    actions.notification_claim(notification_id=notification.id, provider="fake-email")
    Notification.objects.filter(id=notification.id).update(status="delivered")

    actions.attempts_reconcile_stale(now=timezone.now() + dt.timedelta(days=1))

    notification.refresh_from_db()
    assert notification.status == "delivered"
    assert not notification.needs_reconciliation


def test_time_out_fails_notifications_stuck_for_72_hours(new_notification):
    sending = new_notification("email", status="sending")
    pending = new_notification("sms", status="pending")
    created = new_notification("sms")
    recent = new_notification("email", status="sending")
    delivered = new_notification("email", status="delivered")
    for stuck in (sending, pending, created, delivered):
        _age(stuck, hours=73)

    counts = actions.notifications_time_out()

    assert counts == {"temporary-failure": 2, "technical-failure": 1}
    statuses = dict(Notification.objects.values_list("id", "status"))
    assert statuses[sending.id] == statuses[pending.id] == "temporary-failure"
    assert statuses[created.id] == "technical-failure"
    assert statuses[recent.id] == "sending"
    assert statuses[delivered.id] == "delivered"


def test_processed_receipts_are_pruned_after_retention(settings):
    settings.DELIVERY_RECEIPT_RETENTION_DAYS = 7
    old = DeliveryReceipt.objects.create(
        provider="p", provider_event_id="old", status="delivered"
    )
    DeliveryReceipt.objects.filter(id=old.id).update(
        processed_at=timezone.now() - dt.timedelta(days=8)
    )
    DeliveryReceipt.objects.create(
        provider="p",
        provider_event_id="new",
        status="delivered",
        processed_at=timezone.now(),
    )
    DeliveryReceipt.objects.create(
        provider="p", provider_event_id="pending", status="delivered"
    )

    assert actions.receipts_prune() == 1
    assert set(DeliveryReceipt.objects.values_list("provider_event_id", flat=True)) == {
        "new",
        "pending",
    }


def test_celery_settings_fit_at_least_once_delivery():
    from config.celery import app

    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_time_limit and conf.task_soft_time_limit
    assert conf.broker_connection_max_retries is None
    visibility = conf.broker_transport_options["visibility_timeout"]
    # Longer than any countdown we schedule, so none is delivered twice.
    assert visibility > django_settings.DELIVERY_COUNTDOWN_MAX_SECONDS
    assert visibility > 300  # receipt retries wait at most 300 s
    assert visibility > conf.task_time_limit
    queues = {queue.name for queue in conf.task_queues}
    assert queues == {
        "send-email",
        "send-sms",
        "receipts",
        "periodic",
        "callbacks",
        "jobs",
    }


def test_beat_schedule_runs_every_sweep_on_the_periodic_queue():
    from config.celery import app

    schedule = app.conf.beat_schedule
    assert {entry["task"] for entry in schedule.values()} >= {
        "deliveries.relay_created_notifications",
        "deliveries.sweep_stale_attempts",
        "deliveries.sweep_unapplied_receipts",
        "deliveries.sweep_timed_out_notifications",
        "deliveries.sweep_processed_receipts",
    }
    for entry in schedule.values():
        assert entry["options"]["queue"] == "periodic"
        assert entry["options"]["expires"] <= entry["schedule"]
    relay = schedule["relay-created-notifications"]["schedule"]
    assert relay <= django_settings.DELIVERY_RELAY_DELAY_SECONDS


def test_attempt_left_in_progress_is_counted_until_reconciled(new_notification):
    notification = new_notification("sms")
    actions.notification_claim(notification_id=notification.id, provider="fake-sms")

    assert selectors.reconciliation_counts()["attempts_in_progress"] == 1
    assert DeliveryAttempt.objects.get().outcome == AttemptOutcome.IN_PROGRESS


def test_delivery_report_prints_the_counts(new_notification):
    import json

    from django.core.management import call_command

    notification = new_notification("email", needs_reconciliation=True)
    Notification.objects.filter(id=notification.id).update(status="delivered")
    new_notification("sms")
    output = io.StringIO()

    call_command("delivery_report", "--json", stdout=output)

    report = json.loads(output.getvalue())
    assert report["statuses"] == {"delivered": 1, "created": 1}
    assert report["reconciliation"]["notifications_needing_reconciliation"] == 1
