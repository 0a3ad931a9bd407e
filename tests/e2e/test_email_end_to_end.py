"""An email sent through the API is delivered by a real Celery worker."""

import pytest

from deliveries.models import AttemptOutcome, DeliveryAttempt
from notifications.models import Notification
from tests import factories
from tests.conftest import make_jwt
from tests.e2e.conftest import wait_until

pytestmark = pytest.mark.e2e


def test_email_sent_through_the_api_is_delivered_by_a_real_worker(start_worker):
    from rest_framework.test import APIClient

    service = factories.service()
    key = factories.api_key(service=service)
    template = factories.email_template(service=service)
    start_worker()
    client = APIClient()
    auth = f"Bearer {make_jwt(key.secret, service.id)}"

    response = client.post(
        "/v2/notifications/email",
        {
            "email_address": "camille@example.org",
            "template_id": str(template.id),
            "personalisation": {"name": "Camille", "reference": "A-1"},
        },
        format="json",
        HTTP_AUTHORIZATION=auth,
    )

    assert response.status_code == 201, response.content
    notification_id = response.json()["id"]
    wait_until(
        lambda: Notification.objects.filter(
            id=notification_id, status="delivered"
        ).exists()
    )
    attempts = DeliveryAttempt.objects.filter(notification_id=notification_id)
    assert [a.outcome for a in attempts] == [AttemptOutcome.ACCEPTED]
    notification = Notification.objects.get(id=notification_id)
    assert notification.sent_at is not None
    assert notification.provider == "fake-email"
    detail = client.get(
        f"/v2/notifications/{notification_id}",
        HTTP_AUTHORIZATION=f"Bearer {make_jwt(key.secret, service.id)}",
    )
    assert detail.json()["status"] == "delivered"
