"""The platform's own emails (password reset, invitation) are accepted by
the same action as every other notification, from a live, email-only
platform service that trial mode never blocks."""

import logging
import uuid

import pytest

from notifications import platform
from notifications.models import Notification
from providers import fake
from services import platform as service_platform
from services.models import Service
from templates_app import actions as template_actions

pytestmark = pytest.mark.django_db

ADDRESS = "camille.martin@example.gouv.fr"
RESET = {"lien": "https://notifications.example/mot-de-passe/reinitialiser/x/y/"}


def _send(address: str = ADDRESS):
    return service_platform.platform_email_send(
        kind="password_reset", email_address=address, personalisation=RESET
    )


def test_platform_email_comes_from_a_live_email_only_service_and_is_delivered(
    settings, django_capture_on_commit_callbacks
):
    settings.FAKE_PROVIDER_LATENCY_MS = 0

    with django_capture_on_commit_callbacks(execute=True):
        accepted = _send()

    service = Service.objects.get(id=uuid.UUID(settings.PLATFORM_SERVICE_ID))
    assert not service.restricted
    assert (service.can_send_email, service.can_send_sms) == (True, False)
    assert service.email_daily_limit == settings.PLATFORM_EMAIL_DAILY_LIMIT
    notification = Notification.objects.get(id=accepted.id)
    assert notification.status == "delivered"
    assert (notification.key_type, notification.created_by_id) == ("normal", None)
    [sent] = fake.outbox.for_notification(accepted.id)
    assert sent.to == ADDRESS
    assert RESET["lien"] in sent.message.text_body


def test_platform_email_ignores_trial_mode(settings):
    service = platform.platform_service_get_or_create()
    service.restricted = True
    service.save()

    accepted = _send("personne.hors.equipe@example.gouv.fr")

    assert Notification.objects.filter(id=accepted.id).exists()


def test_platform_email_uses_the_templates_operators_edited():
    service = platform.platform_service_get_or_create()
    template = platform.platform_template_get_or_create(
        service=service, kind="password_reset"
    )
    template_actions.template_update(
        template=template,
        name=template.name,
        subject="Nouveau mot de passe",
        body="Ouvrez ((lien)) dans l’heure.",
    )

    accepted = _send()

    assert accepted.subject == "Nouveau mot de passe"
    assert Notification.objects.get(id=accepted.id).template_version.version == 2


def test_platform_daily_limit_refuses_in_french_and_logs_for_operators(
    settings, caplog, django_capture_on_commit_callbacks
):
    settings.PLATFORM_EMAIL_DAILY_LIMIT = 1
    with django_capture_on_commit_callbacks(execute=True):
        _send()
    caplog.clear()

    with (
        caplog.at_level(logging.WARNING, logger="notifications.platform"),
        pytest.raises(service_platform.PlatformEmailError) as refused,
    ):
        _send()

    assert refused.value.message == platform.DAILY_LIMIT_FRENCH
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert "Exceeded send limits (email: 1) for today" in record.getMessage()
    assert ADDRESS not in caplog.text and RESET["lien"] not in caplog.text
    assert Notification.objects.count() == 1


def test_platform_email_to_a_bad_address_is_refused_in_french(caplog):
    with pytest.raises(service_platform.PlatformEmailError) as refused:
        _send("nom@localhost")

    assert refused.value.message.startswith("L’adresse électronique n’est pas")
    assert "nom@localhost" not in caplog.text
    assert not Notification.objects.exists()
