"""Security: test keys never reach a provider, tenants are isolated, nothing
personal or secret is logged."""

import logging

import pytest

from notifications.models import Notification
from providers import fake, registry
from providers.base import EmailProvider, SendResult, SmsProvider

from .conftest import OUTSIDER_EMAIL, email_body, sms_body

pytestmark = pytest.mark.django_db

handed_over: list = []


class RecordingEmailProvider(EmailProvider):
    """Stands for a real provider: records what it is handed."""

    name = "recording-email"

    def send_email(self, email):
        handed_over.append(email.notification_id)
        return SendResult(provider=self.name, provider_reference="r-1")


class RecordingSmsProvider(SmsProvider):
    name = "recording-sms"

    def send_sms(self, sms):
        handed_over.append(sms.notification_id)
        return SendResult(provider=self.name, provider_reference="r-2")


@pytest.fixture
def real_providers(settings):
    handed_over.clear()
    settings.NOTIFICATION_PROVIDERS = {
        "email": [f"{__name__}.RecordingEmailProvider"],
        "sms": [f"{__name__}.RecordingSmsProvider"],
    }
    registry.reset()
    yield
    registry.reset()


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_a_test_key_never_reaches_a_provider(
    tester,
    live,
    email_template,
    sms_template,
    channel,
    real_providers,
    django_capture_on_commit_callbacks,
):
    path = f"/v2/notifications/{channel}"
    body = email_body(email_template) if channel == "email" else sms_body(sms_template)

    with django_capture_on_commit_callbacks(execute=True):
        simulated = tester.post(path, body).json()["id"]
        real = live.post(path, body).json()["id"]

    assert [str(i) for i in handed_over] == [real]
    assert [str(e.notification_id) for e in fake.outbox] == [simulated]
    assert Notification.objects.get(id=simulated).status == "delivered"


@pytest.mark.parametrize(
    ("recipient", "status"),
    [
        ("temp-fail@simulator.notify", "temporary-failure"),
        ("perm-fail@simulator.notify", "permanent-failure"),
        ("usager@example.org", "delivered"),
    ],
)
def test_a_test_key_gets_simulated_outcomes(
    tester, email_template, recipient, status, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = tester.post(
            "/v2/notifications/email",
            email_body(email_template, email_address=recipient),
        )

    assert Notification.objects.get(id=response.json()["id"]).status == status


def test_a_team_key_to_an_outsider_stores_nothing(team, email_template, team_member):
    response = team.post(
        "/v2/notifications/email",
        email_body(email_template, email_address=OUTSIDER_EMAIL),
    )

    assert response.status_code == 400
    assert not Notification.objects.exists()


def test_clients_cannot_set_protected_fields(live, email_template, service):
    body = email_body(email_template, service_id=str(service.id), status="delivered")

    response = live.post("/v2/notifications/email", body)

    assert response.status_code == 400
    assert not Notification.objects.exists()


def test_sending_logs_no_recipient_personalisation_or_secret(
    live, live_key, email_template, caplog
):
    with caplog.at_level(logging.DEBUG):
        live.post("/v2/notifications/email", email_body(email_template))
        live.post(
            "/v2/notifications/email", email_body(email_template, email_address="bad")
        )

    assert caplog.records
    for sentinel in ("usager@example.org", "Camille", "A-12", live_key.secret):
        assert sentinel not in caplog.text


def test_an_unexpected_error_answers_a_generic_500(live, email_template, monkeypatch):
    from notifications import actions

    def explode(**kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(actions, "notification_accept", explode)

    response = live.post("/v2/notifications/email", email_body(email_template))

    assert response.status_code == 500
    assert response.json() == {
        "status_code": 500,
        "errors": [{"error": "RuntimeError", "message": "Internal server error"}],
    }


@pytest.mark.parametrize(
    ("number", "status"),
    [
        ("06 39 98 00 03", "temporary-failure"),
        ("06 39 98 00 02", "permanent-failure"),
        ("06 12 34 56 78", "delivered"),
    ],
)
def test_a_test_key_gets_simulated_sms_outcomes(
    tester, sms_template, number, status, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = tester.post(
            "/v2/notifications/sms", sms_body(sms_template, phone_number=number)
        )

    assert Notification.objects.get(id=response.json()["id"]).status == status
