"""The claim (``created → sending``) succeeds once, whoever races for it."""

import threading

import pytest
from django.db import connection

from deliveries import actions
from notifications.models import Notification
from tests import factories


def _notification(service, template):
    version = template.versions.get()
    return Notification.objects.create(
        service=service,
        template=template,
        template_version=version,
        channel="email",
        recipient="a@example.org",
        normalised_recipient="a@example.org",
        personalisation={"name": "Camille", "reference": "A-1"},
    )


@pytest.mark.django_db(transaction=True)
def test_notification_claim_succeeds_once_under_concurrent_claimers():
    service = factories.service()
    notification = _notification(service, factories.email_template(service=service))
    barrier = threading.Barrier(8)
    results = []

    def claim():
        barrier.wait()
        try:
            results.append(actions.notification_claim(notification_id=notification.id))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * 7 + [True]
    notification.refresh_from_db()
    assert notification.status == "sending"


@pytest.mark.django_db
def test_notification_deliver_twice_hands_over_once():
    from providers import fake

    service = factories.service()
    notification = _notification(service, factories.email_template(service=service))

    actions.notification_deliver(notification_id=notification.id)
    actions.notification_deliver(notification_id=notification.id)

    assert len(fake.outbox.for_notification(notification.id)) == 1
    assert notification.delivery_attempts.count() == 1
