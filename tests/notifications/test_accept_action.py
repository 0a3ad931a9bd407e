"""The accept action without an HTTP request (the back office's one-off
send), and limits the API shares with it."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from config.api import ApiError, BadRequestError
from notifications import actions, limits
from notifications.models import Notification

from .conftest import OUTSIDER_EMAIL, TEAM_EMAIL, email_body, errors

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_send_one_off_stores_a_notification_by_a_user(service, email_template):
    from tests import factories

    user = factories.user()

    accepted = actions.notification_send_one_off(
        service_id=service.id,
        channel="email",
        template_id=email_template.id,
        recipient="usager@example.org",
        personalisation={"name": "Camille", "reference": "A-12"},
        created_by_id=user.pk,
    )

    notification = Notification.objects.get(id=accepted.id)
    assert notification.created_by_id == user.pk
    assert notification.api_key_id is None
    assert notification.key_type == "normal"
    assert accepted.subject == "Bonjour Camille"


def test_send_one_off_applies_trial_mode(service, email_template, team_member):
    service.restricted = True
    service.save()
    arguments = {
        "service_id": service.id,
        "channel": "email",
        "template_id": email_template.id,
        "personalisation": {"name": "a", "reference": "b"},
    }

    actions.notification_send_one_off(recipient=TEAM_EMAIL, **arguments)
    with pytest.raises(BadRequestError) as refused:
        actions.notification_send_one_off(recipient=OUTSIDER_EMAIL, **arguments)

    assert "trial mode" in refused.value.message


def test_send_one_off_applies_the_daily_limit(
    service, email_template, django_capture_on_commit_callbacks
):
    service.email_daily_limit = 1
    service.save()
    arguments = {
        "service_id": service.id,
        "channel": "email",
        "template_id": email_template.id,
        "recipient": "usager@example.org",
        "personalisation": {"name": "a", "reference": "b"},
    }
    with django_capture_on_commit_callbacks(execute=True):
        actions.notification_send_one_off(**arguments)

    with pytest.raises(ApiError) as refused:
        actions.notification_send_one_off(**arguments)

    assert refused.value.http_status == 429


def test_send_email_refuses_an_email_over_2_000_000_bytes(live, service):
    from tests import factories

    template = factories.email_template(service=service, subject="S", body="((text))")
    body = email_body(template, personalisation={"text": "é" * 1_000_001})

    response = live.post("/v2/notifications/email", body)

    assert errors(response) == [
        (
            "BadRequestError",
            "Your message is too long. Emails cannot be longer than 2000000 bytes. "
            "Your message is 2000002 bytes.",
        )
    ]


def test_send_email_refuses_a_body_over_the_upload_limit(
    live, email_template, settings
):
    settings.API_MAX_BODY_BYTES = 1000
    body = email_body(email_template, reference="a" * 999)

    response = live.post("/v2/notifications/email", body)

    assert response.status_code == 413
    assert errors(response) == [("BadRequestError", "Request body too large")]


def test_send_email_refuses_a_body_over_3_mib(live, email_template):
    body = email_body(email_template, reference="a" * (3 * 1024 * 1024))

    response = live.post("/v2/notifications/email", body)

    assert response.status_code == 413


def test_send_email_reads_a_2_mb_file_beyond_the_back_offices_limit(
    live, email_template, settings
):
    """Notify's client allows a 2 MB file, about 2.8 MB in base64: the
    answer is Notify's (files are not offered), not 413."""
    import base64

    encoded = base64.b64encode(b"\0" * 2 * 1024 * 1024).decode()
    personalisation = {"name": {"file": encoded, "filename": "a.pdf"}, "reference": 1}
    body = email_body(email_template, personalisation=personalisation)

    response = live.post("/v2/notifications/email", body)

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < len(encoded)
    assert errors(response)[0][1].startswith("Send files by email has not been set up")


def test_send_email_answers_notifys_length_error_for_a_long_body(live, service):
    from tests import factories

    template = factories.email_template(service=service, subject="S", body="((text))")
    body = email_body(template, personalisation={"text": "a" * 2_700_000})

    response = live.post("/v2/notifications/email", body)

    assert errors(response)[0][1] == (
        "Your message is too long. Emails cannot be longer than 2000000 bytes. "
        "Your message is 2700000 bytes."
    )


def test_back_office_keeps_djangos_upload_limit(client, settings):
    big = "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client.post("/connexion/", {"email": big, "password": "x"})

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("paris_time", "seconds"),
    [
        (dt.datetime(2026, 6, 1, 23, 59, 30, tzinfo=PARIS), 30),
        (dt.datetime(2026, 6, 1, 0, 0, 0, tzinfo=PARIS), 24 * 3600),
        # The night clocks go back: the day lasts 25 hours.
        (dt.datetime(2026, 10, 25, 0, 0, 0, tzinfo=PARIS), 25 * 3600),
    ],
)
def test_daily_limits_reset_at_midnight_in_paris(paris_time, seconds):
    with time_machine.travel(paris_time, tick=False):
        assert limits.seconds_until_reset() == seconds
