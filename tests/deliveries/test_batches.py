"""Handing a batch over: one claim for the batch, each notification sent
once, failures retried one by one, acceptances recorded together."""

import pytest
from django.db import OperationalError

from deliveries import actions, tasks
from deliveries.actions import batches
from deliveries.models import AttemptOutcome, DeliveryAttempt
from notifications.models import Notification
from providers import fake

pytestmark = pytest.mark.django_db


def _statuses(ids):
    return dict(Notification.objects.filter(id__in=ids).values_list("id", "status"))


def test_batch_is_handed_over_and_recorded(new_notification):
    notifications = [new_notification("email") for _ in range(3)]
    ids = [notification.id for notification in notifications]

    outcomes = actions.notifications_deliver(notification_ids=ids)

    assert outcomes == {AttemptOutcome.ACCEPTED: 3}
    for notification in notifications:
        assert fake.sent_count(notification.id) == 1
        notification.refresh_from_db()
        assert notification.status == "delivered"
        assert notification.sent_at is not None
        assert notification.provider == "fake-email"
        assert notification.attempt_count == 1
        attempt = DeliveryAttempt.objects.get(notification=notification)
        assert attempt.outcome == AttemptOutcome.ACCEPTED
        assert attempt.provider_reference == notification.provider_reference


def test_batch_is_claimed_once_in_one_statement(
    new_notification, django_assert_num_queries
):
    notifications = [new_notification("sms") for _ in range(4)]
    ready = [(n, None, fake.FakeSmsProvider()) for n in notifications]

    with django_assert_num_queries(1):
        claimed = batches._claim(ready)
    claimed_again = batches._claim(ready)

    assert len(claimed) == 4
    assert claimed_again == []
    assert set(_statuses([n.id for n in notifications]).values()) == {"sending"}
    attempts = DeliveryAttempt.objects.filter(outcome=AttemptOutcome.IN_PROGRESS)
    assert sorted(a.id for a in attempts) == sorted(c[3].id for c in claimed)


def test_a_duplicate_batch_sends_nothing_twice(new_notification):
    ids = [new_notification("email").id for _ in range(3)]

    actions.notifications_deliver(notification_ids=ids)
    again = actions.notifications_deliver(notification_ids=[*ids, ids[0]])

    assert again == {}
    assert fake.sent_total() == 3
    assert DeliveryAttempt.objects.count() == 3


def test_overlapping_batches_send_only_what_is_still_created(new_notification):
    first = new_notification("email")
    second = new_notification("email")
    actions.notification_claim(notification_id=first.id, provider="fake-email")

    outcomes = actions.notifications_deliver(notification_ids=[first.id, second.id])

    assert outcomes == {AttemptOutcome.ACCEPTED: 1}
    assert fake.sent_count(first.id) == 0
    assert fake.sent_count(second.id) == 1


def test_partial_failures_are_retried_one_by_one(new_notification, settings):
    settings.DELIVERY_COUNTDOWN_MAX_SECONDS = 0
    accepted = new_notification("email")
    failing = new_notification("email", recipient="provider-error@simulator.notify")
    refused = new_notification("email", recipient="provider-reject@simulator.notify")
    ids = [accepted.id, failing.id, refused.id]

    outcomes = actions.notifications_deliver(notification_ids=ids)

    assert outcomes == {
        AttemptOutcome.ACCEPTED: 1,
        AttemptOutcome.TEMPORARY_ERROR: 1,
        AttemptOutcome.PERMANENT_ERROR: 1,
    }
    assert _statuses(ids) == {
        accepted.id: "delivered",
        failing.id: "created",
        refused.id: "permanent-failure",
    }
    failing.refresh_from_db()
    assert failing.next_attempt_at is not None
    assert failing.attempt_count == 1
    # Its retry is a new attempt, not a second send of the accepted one.
    failing.next_attempt_at = None
    failing.save(update_fields=["next_attempt_at"])
    actions.notifications_deliver(notification_ids=ids)
    assert fake.sent_count(accepted.id) == 1
    assert DeliveryAttempt.objects.filter(notification=failing).count() == 2


def test_an_unrenderable_notification_fails_alone(new_notification):
    good = new_notification("email")
    broken = new_notification("email", personalisation={})

    actions.notifications_deliver(notification_ids=[good.id, broken.id])

    assert _statuses([good.id, broken.id]) == {
        good.id: "delivered",
        broken.id: "technical-failure",
    }
    assert fake.sent_count(broken.id) == 0


def test_acceptances_are_handed_to_tasks_when_the_database_stays_away(
    new_notification, monkeypatch, settings
):
    settings.DELIVERY_RECORD_RETRIES = 0
    ids = [new_notification("sms").id for _ in range(2)]
    handed = []

    def database_gone(accepted):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(batches, "_record_acceptances", database_gone)
    monkeypatch.setattr(
        tasks, "publish_attempt_result", lambda *, result: handed.append(result)
    )

    actions.notifications_deliver(notification_ids=ids)

    assert sorted(result.notification_id for result in handed) == sorted(ids)
    assert {result.outcome for result in handed} == {AttemptOutcome.ACCEPTED}


def test_batch_task_takes_string_ids(new_notification):
    ids = [str(new_notification("sms").id) for _ in range(2)]

    tasks.deliver_notifications.apply(args=[ids])

    assert fake.sent_total() == 2


@pytest.fixture
def send_pool():
    yield
    batches.send_pool_shutdown()


@pytest.mark.django_db(transaction=True)
def test_committed_batch_is_sent_concurrently_once_each(
    service, email_template, send_pool
):
    from tests.deliveries.conftest import make_notification

    ids = [
        make_notification(service=service, template=email_template).id for _ in range(6)
    ]

    outcomes = actions.notifications_deliver(notification_ids=ids)

    assert outcomes == {AttemptOutcome.ACCEPTED: 6}
    assert all(fake.sent_count(notification_id) == 1 for notification_id in ids)
    assert set(_statuses(ids).values()) <= {"sending", "delivered"}
    assert Notification.objects.filter(id__in=ids, sent_at__isnull=True).count() == 0
